// A value's identity for the checker: two JSON values are the same register
// value exactly when their canonical JSON strings are equal. Object keys are
// sorted so that {a,b} and {b,a} compare equal; `undefined` (a missing value in
// a history line) counts as null, which is also how an absent key reads.

export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalize(value)) ?? 'null';
}

function canonicalize(value: unknown): unknown {
  if (value === undefined) return null;
  // Not JSON, but a thrown TypeError from JSON.stringify would be worse than a distinct value.
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return value.map(canonicalize);
  if (value !== null && typeof value === 'object') {
    // Object.fromEntries defines each key as an own property; assigning
    // `sorted[name] = ...` would set the prototype for a `__proto__` key instead.
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((name) => [name, canonicalize((value as Record<string, unknown>)[name])]),
    );
  }
  return value;
}

export function jsonEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** A short rendering of a value for reports; never throws. */
export function describeValue(value: unknown, maxChars = 60): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > maxChars ? `${text.slice(0, maxChars - 3)}...` : text;
}
