// The page's token, for a node started with --auth-file: sent as
// `Authorization: Bearer` with every API request and the event stream. The
// prompt that asks for it (dom/token-prompt.ts) keeps it in sessionStorage,
// so it lasts as long as the tab and goes no further. DOM-free: tests run it
// in Node.

let token: string | null = null;
const unauthorizedListeners = new Set<() => void>();
const changeListeners = new Set<() => void>();

/** The same rule as the server's (src/ground/bearer-token.ts), which the page may not import. */
const MIN_TOKEN_CHARS = 20;
const MAX_TOKEN_CHARS = 512;
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

/** Why the text typed cannot be a token, in words, or null when it can. */
export function tokenProblem(text: string): string | null {
  if (text.length === 0) return 'Paste a token first.';
  if (text.length < MIN_TOKEN_CHARS) return `A token is at least ${MIN_TOKEN_CHARS} characters; this is ${text.length}.`;
  if (text.length > MAX_TOKEN_CHARS) return `A token is at most ${MAX_TOKEN_CHARS} characters.`;
  if (!TOKEN68.test(text)) return 'A token is made of A-Z a-z 0-9 - . _ ~ + / (and = at its end), without spaces.';
  return null;
}

export function currentToken(): string | null {
  return token;
}

/** Sets (or, with null, forgets) the token; the stream reconnects with it. */
export function setToken(next: string | null): void {
  if (next === token) return;
  token = next;
  for (const listener of [...changeListeners]) listener();
}

/** The headers that carry the token, or none. */
export function authHeaders(): Record<string, string> {
  return token === null ? {} : { authorization: `Bearer ${token}` };
}

/** A 401 came back: the node wants a token, or another one. */
export function reportUnauthorized(): void {
  for (const listener of [...unauthorizedListeners]) listener();
}

export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export function onTokenChange(listener: () => void): () => void {
  changeListeners.add(listener);
  return () => changeListeners.delete(listener);
}
