// What a bearer token may look like, named once for the two sides that handle
// one: the HTTP face (which loads tokens from an auth file and checks the
// `Authorization: Bearer` header) and the client library (which sends it).
// The characters are RFC 6750's b64token (token68): a token can be written in
// a header as it is, and nothing in it can end a header or start another.

/** A token is at least this long: shorter ones are guessable, or a typo. */
export const MIN_TOKEN_CHARS = 20;
/** ...and at most this long, so that checking one costs little. */
export const MAX_TOKEN_CHARS = 512;

const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

/** Why `token` cannot be a bearer token (without quoting it: it may be a secret), or null when it can. */
export function tokenSyntaxProblem(token: unknown): string | null {
  if (typeof token !== 'string') return 'a token must be a string';
  if (token.length < MIN_TOKEN_CHARS) return `a token is at least ${MIN_TOKEN_CHARS} characters (this one has ${token.length})`;
  if (token.length > MAX_TOKEN_CHARS) return `a token is at most ${MAX_TOKEN_CHARS} characters (this one has ${token.length})`;
  if (!TOKEN68.test(token)) return 'a token is made of A-Z a-z 0-9 - . _ ~ + / (and may end in = padding), without spaces';
  return null;
}
