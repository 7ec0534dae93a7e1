// The fencing-token pattern with replikit: a lock holder takes the lock by a
// write to the cluster, and passes that write's [term, index] to an external
// resource with every request. The resource remembers the highest token it
// has seen and refuses anything older, so a holder that was deposed (paused,
// cut off, then woken) cannot clobber its successor's work, however late its
// request arrives.
//
//   npm run build && node dist/examples/fenced-resource.js

import { pathToFileURL } from 'node:url';
import { compareFencingTokens, fencingToken, type FencingToken } from '../src/client/fencing.js';
import { createCluster } from '../src/index.js';

/** A stand-in for any external system: a file store, a payment API, a lock-protected table. */
export class FencedStore {
  private highest: FencingToken = [0, 0];
  readonly contents = new Map<string, string>();

  /** Accepts the write only if its token is at least as new as every token seen before. */
  write(token: FencingToken, key: string, value: string): { ok: true } | { ok: false; reason: string } {
    if (compareFencingTokens(token, this.highest) < 0) {
      return { ok: false, reason: `token [${token.join(', ')}] is older than [${this.highest.join(', ')}]` };
    }
    this.highest = token;
    this.contents.set(key, value);
    return { ok: true };
  }
}

export async function runFencedResourceExample(): Promise<{ first: string; late: string; final: string | undefined }> {
  const cluster = await createCluster({ nodes: 3 });
  try {
    const store = new FencedStore();
    // Client A takes the lock: the write that records it gives A its token.
    const tokenA = fencingToken(await cluster.put('locks/report', 'held by A'));
    store.write(tokenA, 'report', 'draft by A');
    // A stalls (GC pause, partition). The lock passes to B with a newer write, hence a newer token.
    const tokenB = fencingToken(await cluster.put('locks/report', 'held by B'));
    const first = store.write(tokenB, 'report', 'final by B');
    // A wakes up and sends its late write with its old token: refused.
    const late = store.write(tokenA, 'report', 'stale overwrite by A');
    return {
      first: first.ok ? 'accepted' : first.reason,
      late: late.ok ? 'accepted' : `refused: ${late.reason}`,
      final: store.contents.get('report'),
    };
  } finally {
    await cluster.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runFencedResourceExample();
  console.log(`B's write with the newer token: ${result.first}`);
  console.log(`A's late write with the older token: ${result.late}`);
  console.log(`the resource holds: ${result.final}`);
}
