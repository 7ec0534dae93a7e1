// Value equality for compare-and-set: JSON-shaped values compared by content,
// with object keys in any order, so `{a:1,b:2}` matches `{b:2,a:1}`. Keys are
// looked up as own keys: `in` would find `__proto__` or `constructor` on every
// object, through its prototype.

export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => valuesEqual(item, other[i]));
  }
  const aKeys = Object.keys(a);
  const bRecord = b as Record<string, unknown>;
  if (aKeys.length !== Object.keys(bRecord).length) return false;
  return aKeys.every((key) => Object.hasOwn(bRecord, key) && valuesEqual((a as Record<string, unknown>)[key], bRecord[key]));
}
