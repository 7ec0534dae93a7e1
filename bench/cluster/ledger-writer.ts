// A steady writer that records every answer in an AckLedger: lanes of
// one-at-a-time puts, each lane owning its keys so no key has two writes in
// flight, each value unique so a read says exactly which write it saw.

import type { Cluster } from '../../src/index.js';
import { ReplikitError } from '../../src/index.js';
import type { AckLedger } from './ack-ledger.js';
import { VALUE_BYTES } from './load.js';

export interface LedgerWriterStats {
  readonly acknowledged: number;
  readonly errors: Readonly<Record<string, number>>;
  readonly elapsedMs: number;
}

export interface LedgerWriter {
  /** The first acknowledgement after `sinceMs` resolves with its time (the writer's outage ends). */
  firstAckAfter(sinceMs: number): Promise<number>;
  stop(): Promise<LedgerWriterStats>;
}

export function ledgerValue(lane: number, seq: number): string {
  return `${lane}:${seq}:`.padEnd(VALUE_BYTES, '.');
}

export function startLedgerWriter(cluster: Cluster, ledger: AckLedger, lanes: number, keysPerLane: number): LedgerWriter {
  const startMs = performance.now();
  const errors: Record<string, number> = {};
  const waiters: { sinceMs: number; resolve: (atMs: number) => void }[] = [];
  let acknowledged = 0;
  let stopped = false;
  const lane = async (laneIndex: number): Promise<void> => {
    for (let seq = 0; !stopped; seq++) {
      const key = `f/${laneIndex}/${seq % keysPerLane}`;
      const value = ledgerValue(laneIndex, seq);
      try {
        await cluster.put(key, value);
      } catch (error) {
        ledger.unknown(key, value);
        const code = error instanceof ReplikitError ? error.code : 'exception';
        errors[code] = (errors[code] ?? 0) + 1;
        if (code === 'closed') return;
        continue;
      }
      ledger.acknowledged(key, value);
      acknowledged++;
      const nowMs = performance.now();
      for (let i = waiters.length - 1; i >= 0; i--) {
        const waiter = waiters[i] as (typeof waiters)[number];
        if (nowMs <= waiter.sinceMs) continue;
        waiters.splice(i, 1);
        waiter.resolve(nowMs);
      }
    }
  };
  const running = Promise.all(Array.from({ length: lanes }, (_, i) => lane(i)));
  return {
    firstAckAfter(sinceMs) {
      return new Promise((resolve) => waiters.push({ sinceMs, resolve }));
    },
    async stop() {
      stopped = true;
      await running;
      return { acknowledged, errors, elapsedMs: performance.now() - startMs };
    },
  };
}
