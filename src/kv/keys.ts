// What a key may be, and the reserved space the state machine keeps for itself.

/** Keys are at most this many UTF-8 bytes (LMDB's key limit leaves room for the reserved prefix). */
export const MAX_KEY_BYTES = 1000;
/** An encoded value is at most this many bytes; the core's entry limit leaves room for the command around it. */
export const MAX_VALUE_BYTES = 1 << 19;

/** Keys starting with this are the state machine's own (fencing tokens); users cannot name them. */
export const RESERVED_KEY_PREFIX = '\u0000';

export function fenceKey(key: string): string {
  return `${RESERVED_KEY_PREFIX}fence/${key}`;
}

export function sessionKey(clientId: string): string {
  return `${RESERVED_KEY_PREFIX}session/${clientId}`;
}

/** A session's client id is at most this long. */
export const MAX_CLIENT_ID_LENGTH = 128;

/** A lone surrogate: a high one not followed by a low one, or a low one not after a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether `text` is well-formed Unicode, so that its UTF-8 bytes give it back exactly. */
export function isWellFormedUnicode(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

export function isReservedKey(key: string): boolean {
  return key.startsWith(RESERVED_KEY_PREFIX);
}

/** Why `key` is not a valid user key, or null when it is. */
export function keyProblem(key: unknown): string | null {
  if (typeof key !== 'string') return `a key must be a string, got ${key === null ? 'null' : typeof key}`;
  if (key.length === 0) return 'a key must not be empty';
  if (isReservedKey(key)) return 'keys starting with U+0000 are reserved';
  if (!isWellFormedUnicode(key)) return 'a key must be well-formed Unicode (it holds a lone surrogate)';
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > MAX_KEY_BYTES) return `a key is at most ${MAX_KEY_BYTES} bytes, got ${bytes}`;
  return null;
}
