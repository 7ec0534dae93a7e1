// The one encoding of anything that holds a client's value: JSON text, as
// UTF-8, behind a two-byte tag. JSON text is lossless for every JSON value:
// JSON.parse defines `__proto__` and `constructor` as own keys (msgpackr
// renames `__proto__` to `__proto_` on decode), JSON.stringify escapes a lone
// surrogate instead of replacing it (msgpackr writes U+FFFD), and numbers keep
// their shortest round-trip form. It costs about what msgpackr costs
// (bench/values/codecs.ts).
//
// The tag tells these bytes apart from the msgpack written before them: 0xC1
// is the one byte msgpack never uses and can start no UTF-8 text either, and
// msgpackr refuses it, so an older replikit stops on these bytes instead of
// reading them as something else.

const MARK = 0xc1;
/** Bumped if the text inside ever changes meaning; a reader refuses versions it does not know. */
const VERSION = 1;
const HEADER_BYTES = 2;

const encoder = new TextEncoder();
// Fatal: bytes that are not UTF-8 are damage, not text to guess at.
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Thrown for tagged bytes this code cannot read: a newer version, or damaged text. */
export class TaggedJsonError extends Error {
  override readonly name = 'TaggedJsonError';
}

export function isTaggedJson(bytes: Uint8Array): boolean {
  return bytes[0] === MARK;
}

/** `value` must be JSON data (callers check it: validate-request.ts); undefined has no JSON text. */
export function encodeTaggedJson(value: unknown): Uint8Array {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError('undefined has no JSON text');
  // Encoded, then copied behind the header: simplest, and the copy is a few
  // percent of a round trip (bench/values/codecs.ts).
  const utf8 = encoder.encode(text);
  const bytes = new Uint8Array(HEADER_BYTES + utf8.byteLength);
  bytes.set(utf8, HEADER_BYTES);
  bytes[0] = MARK;
  bytes[1] = VERSION;
  return bytes;
}

export function decodeTaggedJson(bytes: Uint8Array): unknown {
  if (!isTaggedJson(bytes)) throw new TaggedJsonError('not tagged JSON');
  if (bytes[1] !== VERSION) {
    throw new TaggedJsonError(`tagged JSON of version ${bytes[1] ?? 'none'}; this replikit reads version ${VERSION} (written by a newer replikit?)`);
  }
  let text: string;
  try {
    text = decoder.decode(bytes.subarray(HEADER_BYTES));
  } catch {
    throw new TaggedJsonError('tagged JSON holds bytes that are not UTF-8');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new TaggedJsonError('tagged JSON holds text that does not parse as JSON');
  }
}
