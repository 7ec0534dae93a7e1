// A small, fast, deterministic, non-cryptographic hash for anti-entropy trees:
// FNV-1a (32-bit) over the UTF-8 bytes of a string, followed by murmur3's
// 32-bit finaliser so that the low bits (which pick a tree segment) are as well
// mixed as the high ones. Not for anything an adversary chooses: a peer that
// wanted to hide a difference could craft colliding keys, and the anti-entropy
// exchange is among nodes that already trust each other.

const FNV_OFFSET_BASIS_32 = 0x811c9dc5;
const FNV_PRIME_32 = 0x01000193;

/** Plain FNV-1a 32 of the UTF-8 encoding of `text` (lone surrogates encode as U+FFFD, as TextEncoder does). */
export function fnv1a32(text: string, seed: number = FNV_OFFSET_BASIS_32): number {
  let hash = seed >>> 0;
  const feed = (byte: number): void => {
    hash = Math.imul(hash ^ byte, FNV_PRIME_32) >>> 0;
  };
  for (let index = 0; index < text.length; index++) {
    let codePoint = text.charCodeAt(index);
    if (codePoint >= 0xd800 && codePoint <= 0xdbff) {
      const next = index + 1 < text.length ? text.charCodeAt(index + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        codePoint = 0x10000 + ((codePoint - 0xd800) << 10) + (next - 0xdc00);
        index++;
      } else {
        codePoint = 0xfffd;
      }
    } else if (codePoint >= 0xdc00 && codePoint <= 0xdfff) {
      codePoint = 0xfffd;
    }
    if (codePoint < 0x80) {
      feed(codePoint);
    } else if (codePoint < 0x800) {
      feed(0xc0 | (codePoint >> 6));
      feed(0x80 | (codePoint & 0x3f));
    } else if (codePoint < 0x10000) {
      feed(0xe0 | (codePoint >> 12));
      feed(0x80 | ((codePoint >> 6) & 0x3f));
      feed(0x80 | (codePoint & 0x3f));
    } else {
      feed(0xf0 | (codePoint >> 18));
      feed(0x80 | ((codePoint >> 12) & 0x3f));
      feed(0x80 | ((codePoint >> 6) & 0x3f));
      feed(0x80 | (codePoint & 0x3f));
    }
  }
  return hash;
}

/** Continues an FNV-1a 32 hash with the four bytes of a 32-bit number, low byte first. */
export function fnv1a32Uint32(hash: number, value: number): number {
  let result = hash >>> 0;
  for (let shift = 0; shift < 32; shift += 8) {
    result = Math.imul(result ^ ((value >>> shift) & 0xff), FNV_PRIME_32) >>> 0;
  }
  return result;
}

/** murmur3's fmix32: every input bit affects every output bit. */
export function mix32(hash: number): number {
  let h = hash >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** A well-mixed 32-bit hash of a string. */
export function hashString(text: string): number {
  return mix32(fnv1a32(text));
}
