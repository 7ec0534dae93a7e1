// The put/get panel's input, checked before any request is sent, so an empty
// key or a value that is not JSON gets a plain sentence instead of a server
// error. No DOM here.

/** The store's own key limit (src/kv/keys.ts), checked here for a friendlier message. */
export const MAX_KEY_BYTES = 1000;

/** What is wrong with a key, in words; null when it can be sent. */
export function keyProblem(key: string): string | null {
  if (key === '') return 'Enter a key first.';
  if (new TextEncoder().encode(key).length > MAX_KEY_BYTES) return `The key is too long: at most ${MAX_KEY_BYTES} bytes.`;
  return null;
}

export type ParsedValue = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly what: string; readonly hint: string };

/** The value field as JSON, or what to tell the person about it. */
export function parseValue(text: string): ParsedValue {
  const raw = text.trim();
  if (raw === '') {
    return { ok: false, what: 'Cannot put: enter a value.', hint: 'The value is JSON: "text" (with quotes), 42, true, null, [1, 2] or {"name": "Ada"}.' };
  }
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      what: 'Cannot put: the value is not valid JSON.',
      hint: `${reason}. Text needs double quotes, e.g. "hello"; objects look like {"name": "Ada"}.`,
    };
  }
}
