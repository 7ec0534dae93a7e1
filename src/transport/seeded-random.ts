// A tiny seeded PRNG so injected faults are reproducible from a seed: the same
// seed and the same sequence of sends give the same drops, delays and duplicates.

/** Returns a uniform float in [0, 1). */
export type RandomSource = () => number;

/** mulberry32: 32 bits of state, good enough for fault injection, not for cryptography. */
export function createSeededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
