// What the simulated clients wrote, and the two checks made after healing
// and quiescence:
//
// - no acknowledged write lost: each acknowledged write's dot is still a
//   sibling on the key's primaries, or a write that saw it (its context
//   covers the dot) is itself kept, directly or by the same rule again;
// - convergence: every primary of every key holds the same clock.
//
// Each write's dots are learned from the stamps the cores report (a write
// can be stamped without its coordinator hearing of it, and then it can
// still supersede others), never from the state being checked. A dot counts
// as kept only when the sibling under it is this write's own: a node that
// numbered two writes alike would otherwise pass one off as the other.

import { canonicalJson } from '../../../src/check/canonical-json.js';
import * as dvv from '../../../src/convergence/dvv-set.js';
import * as vv from '../../../src/convergence/version-vector.js';
import type { Dot } from '../../../src/convergence/dots.js';
import type { KeyClock, NodeId, Sibling, Stamp } from '../../../src/leaderless/index.js';
import { sameClock } from '../../../src/leaderless/clocks.js';

export interface WriteRecord {
  readonly writeId: number;
  readonly key: string;
  readonly op: 'put' | 'delete';
  /** What the write stored: its value (unique per write in the simulator), or the tombstone. */
  readonly sibling: Sibling;
  readonly context: vv.VersionVector;
  readonly dots: Dot[];
  ackedDot: Dot | null;
}

const dotKey = (dot: Dot): string => `${dot.actor}:${dot.counter}`;
const refKey = (ref: { coordinator: NodeId; incarnation: number; requestId: number }): string => `${ref.coordinator}/${ref.incarnation}/${ref.requestId}`;

export class WriteHistory {
  readonly writes: WriteRecord[] = [];
  private readonly byRequest = new Map<string, WriteRecord>();

  record(ref: { coordinator: NodeId; incarnation: number; requestId: number }, write: Omit<WriteRecord, 'writeId' | 'dots' | 'ackedDot'>): WriteRecord {
    const record: WriteRecord = { ...write, writeId: this.writes.length + 1, dots: [], ackedDot: null };
    this.writes.push(record);
    this.byRequest.set(refKey(ref), record);
    return record;
  }

  stamped(stamp: Stamp): void {
    const record = this.byRequest.get(refKey(stamp));
    if (record === undefined) throw new Error(`a stamp for no recorded write: ${refKey(stamp)}`);
    record.dots.push(stamp.dot);
  }

  acknowledged(record: WriteRecord, dot: Dot): string | null {
    record.ackedDot = dot;
    return record.dots.some((known) => dotKey(known) === dotKey(dot)) ? null : `write ${record.writeId} acknowledged with a dot no replica stamped`;
  }

  /** Acknowledged writes whose dot is neither a sibling of `finalClocks[key]` nor superseded by a kept write that saw it. */
  lostWrites(finalClocks: ReadonlyMap<string, KeyClock>): WriteRecord[] {
    const liveDots = new Map<string, Map<string, string>>();
    for (const [key, clock] of finalClocks) {
      liveDots.set(key, new Map(dvv.siblings(clock).map(({ dot, value }) => [dotKey(dot), canonicalJson(value)])));
    }
    const kept = new Map<number, boolean>();
    const isKept = (record: WriteRecord): boolean => {
      const known = kept.get(record.writeId);
      if (known !== undefined) return known;
      kept.set(record.writeId, false); // A context only covers earlier dots, so there are no cycles; this guards anyway.
      const live = liveDots.get(record.key);
      const result =
        record.dots.some((dot) => live?.get(dotKey(dot)) === canonicalJson(record.sibling)) ||
        this.writes.some(
          (other) =>
            other !== record &&
            other.key === record.key &&
            other.dots.length > 0 &&
            record.dots.some((dot) => vv.covers(other.context, dot.actor, dot.counter)) &&
            isKept(other),
        );
      kept.set(record.writeId, result);
      return result;
    };
    return this.writes.filter((record) => record.ackedDot !== null && !isKept(record));
  }
}

/** The keys whose primaries do not all hold the same clock, with what each holds. */
export function divergentKeys(
  keys: Iterable<string>,
  primariesOf: (key: string) => NodeId[],
  replicaOf: (node: NodeId, key: string) => KeyClock | undefined,
): string[] {
  const divergent: string[] = [];
  for (const key of keys) {
    const clocks = primariesOf(key).map((node) => replicaOf(node, key));
    const first = clocks[0];
    const agree = clocks.every((clock) => (clock === undefined || first === undefined ? clock === first : sameClock(clock, first)));
    if (!agree) divergent.push(key);
  }
  return divergent;
}
