// Generated JSON values for the lossless-value tests: fast-check's own
// jsonValue, and a generator of the JSON that codecs get wrong — keys that
// name Object.prototype members (`__proto__` first of all), lone surrogates,
// empty strings and keys, integers at the edges of the safe range, deep nesting.

import fc from 'fast-check';

/** Keys that a careless decoder or copy turns into prototype writes or lookups. */
export const AWKWARD_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', '', '0', '-1', ' '] as const;

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit));
const textUnit = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: loneSurrogate },
  { weight: 1, arbitrary: fc.constantFrom('"', '\\', '\u0000', '\u2028', '\n', '\u{1F600}') },
);
const text = fc.string({ unit: textUnit, maxLength: 12 });
const key = fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...AWKWARD_KEYS) }, { weight: 3, arbitrary: text });
const number = fc.oneof(
  fc.maxSafeInteger(),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 32, -(2 ** 31), 2 ** 53 - 2, 0, -0),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Objects built with Object.fromEntries, which defines every key as an own property, `__proto__` too. */
const awkwardJson = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 12 },
    fc.constant(null),
    fc.boolean(),
    number,
    text,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.array(fc.tuple(key, tie('value')), { maxLength: 6 }).map((entries) => Object.fromEntries(entries)),
  ),
})).value;

/** Nested `depth` levels deep through `__proto__` and `constructor` keys and arrays. */
function deep(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let level = 0; level < depth; level++) {
    value = level % 3 === 2 ? [value] : Object.fromEntries([[level % 3 === 0 ? '__proto__' : 'constructor', value]]);
  }
  return value;
}

/** Any JSON value, weighted toward the ones codecs get wrong; always at most 61 levels deep (the store allows 64). */
export const jsonValues: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 8 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 6, stringUnit: 'binary' }) },
  { weight: 4, arbitrary: awkwardJson },
  {
    weight: 1,
    arbitrary: fc.tuple(awkwardJson, awkwardJson).map(([inner, other]) =>
      Object.fromEntries([
        ['__proto__', inner],
        ['constructor', other],
      ]),
    ),
  },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1, max: 48 }), awkwardJson).map(([depth, leaf]) => deep(depth, leaf)) },
);

/** The same JSON, key order included; JSON.stringify sees only own keys, so a key turned into a prototype shows. */
export function sameJsonText(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
