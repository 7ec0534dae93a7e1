// The order KvStore keys iterate in, shared so memory matches LMDB.

/**
 * Orders keys by code point, which is UTF-8 byte order and so LMDB's order.
 * Plain `<` compares UTF-16 code units and puts U+E000..U+FFFF after the
 * surrogate pairs of U+10000 and up; this puts them before, as UTF-8 does.
 */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointOrderOfUnit(x) - codePointOrderOfUnit(y);
  }
  return a.length - b.length;
}

const SURROGATE_FIRST = 0xd800;
const SURROGATE_END = 0xe000;

/** Moves surrogates above the rest of the BMP, where their code points sort. */
function codePointOrderOfUnit(unit: number): number {
  if (unit < SURROGATE_FIRST) return unit;
  return unit < SURROGATE_END ? unit + 0x2000 : unit - 0x800;
}
