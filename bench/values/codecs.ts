// What each way of storing a client's value costs, encode plus decode, on a
// small write (~100 B of JSON) and a 10 KB object, and whether it gives the
// value back unchanged. Chose the value encoding (src/kv/tagged-json.ts).
//
//   npm run build && node dist/bench/values/codecs.js
//
// Each candidate runs ROUNDS timed rounds of ITERATIONS round trips, rounds
// interleaved across candidates so a noisy moment on a shared machine hits
// every one alike; the table shows the median microseconds per round trip.

import { Packr, Unpackr } from 'msgpackr';
import { decodeTaggedJson, encodeTaggedJson } from '../../src/kv/tagged-json.js';

const ROUNDS = 15;
const ITERATIONS = 2_000;

interface Candidate {
  readonly name: string;
  readonly roundTrip: (value: unknown) => unknown;
}

const plain = new Packr({ useRecords: false, moreTypes: false });
const mapsOut = new Unpackr({ useRecords: false, mapsAsObjects: false });
const utf8 = new TextDecoder();

/** msgpackr's Maps turned back into plain objects; Object.fromEntries defines `__proto__` as an own key. */
function fromMaps(value: unknown): unknown {
  if (value instanceof Map) return Object.fromEntries([...value].map(([key, item]) => [key, fromMaps(item)]));
  if (Array.isArray(value)) return value.map(fromMaps);
  return value;
}

const JSON_TAG = 0xc1;

const candidates: readonly Candidate[] = [
  { name: 'msgpackr plain maps (today; renames __proto__)', roundTrip: (value) => plain.unpack(plain.pack(value)) },
  { name: 'msgpackr, decoded as Maps, then objects', roundTrip: (value) => fromMaps(mapsOut.unpack(plain.pack(value))) },
  { name: 'JSON text as a msgpack string', roundTrip: (value) => JSON.parse(plain.unpack(plain.pack(JSON.stringify(value))) as string) },
  {
    name: 'JSON text as tagged UTF-8 bytes',
    roundTrip: (value) => {
      const text = JSON.stringify(value);
      const bytes = Buffer.allocUnsafe(1 + Buffer.byteLength(text));
      bytes[0] = JSON_TAG;
      bytes.write(text, 1);
      return JSON.parse(utf8.decode(bytes.subarray(1)));
    },
  },
  { name: 'tagged JSON as shipped (src/kv/tagged-json.ts)', roundTrip: (value) => decodeTaggedJson(encodeTaggedJson(value)) },
];

function smallWrite(): unknown {
  return { user: 'u-48213', action: 'checkout', cart: 3, total: 129.5, at: 1767225600123, tags: ['web', 'eu'], ok: true };
}

function tenKilobytes(): unknown {
  const items = [];
  for (let i = 0; i < 80; i++) {
    items.push({
      id: 1_000_000 + i,
      sku: `SKU-${i}-blue`,
      title: `Item number ${i} — café`,
      price: i * 1.25,
      qty: i % 5,
      attrs: { size: 'M', colour: 'blue' },
    });
  }
  return { order: 'ord-2026-0001', customer: { id: 9_007_199_254_740_991, name: 'Zoë', email: 'zoe@example.com' }, items };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function lossless(candidate: Candidate): boolean {
  const tricky = JSON.parse('{"__proto__":{"x":1},"constructor":{"prototype":[]},"s":"\\ud800","":""}') as unknown;
  return JSON.stringify(candidate.roundTrip(tricky)) === JSON.stringify(tricky);
}

for (const [label, value] of [
  ['small write', smallWrite()],
  ['10 KB object', tenKilobytes()],
] as const) {
  const samples = new Map<string, number[]>(candidates.map((candidate) => [candidate.name, []]));
  for (const candidate of candidates) for (let i = 0; i < ITERATIONS; i++) candidate.roundTrip(value); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const candidate of candidates) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < ITERATIONS; i++) candidate.roundTrip(value);
      samples.get(candidate.name)?.push(Number(process.hrtime.bigint() - start) / 1_000 / ITERATIONS);
    }
  }
  console.log(`${label}: ${Buffer.byteLength(JSON.stringify(value))} B of JSON`);
  for (const candidate of candidates) {
    const us = median(samples.get(candidate.name) ?? []);
    console.log(`  ${candidate.name.padEnd(48)} ${us.toFixed(2).padStart(8)} us  lossless: ${lossless(candidate) ? 'yes' : 'no'}`);
  }
}
