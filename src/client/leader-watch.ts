// While a call to the leader goes unanswered, ask the other nodes whether
// another leader has been elected. A leader that is paused (SIGSTOP, a long
// GC) or cut off keeps its connections open and answers nothing, so the call
// would otherwise wait out its whole timeout (seconds) although a new leader
// was serving within about an election timeout. When one is found the call is
// given up here and sent to it: a write carries its session seq, so the
// state machine applies it at most once whichever attempt lands.

import { sleep } from './backoff.js';
import type { LeaderDirectory } from './leader-directory.js';
import type { NodeStatusView } from './types.js';

/** A leader call unanswered this long starts the questions (well above a healthy p99, far below a timeout). */
export const LEADER_SUSPICION_MS = 300;
/** Then the other nodes are asked this often, until the call ends. */
export const LEADER_RECHECK_MS = 100;
/** One status question may take this long; a hung node must not hold up the others. */
const STATUS_QUESTION_TIMEOUT_MS = 500;

export type StatusQuestion = (url: string, timeoutMs: number) => Promise<NodeStatusView | null>;

/**
 * Watches for a leader other than the one at `target`; calls `moved(url)` once, with the new
 * leader's URL, if one is found before `stop()`.
 */
export function watchForAnotherLeader(
  target: string,
  directory: LeaderDirectory,
  ask: StatusQuestion,
  closing: AbortSignal,
  moved: (url: string) => void,
): () => void {
  const stopped = new AbortController();
  const signal = AbortSignal.any([closing, stopped.signal]);
  void (async () => {
    await sleep(LEADER_SUSPICION_MS, signal);
    while (!signal.aborted) {
      const others = directory.allUrls().filter((url) => url !== target);
      const statuses = await Promise.all(others.map((url) => ask(url, STATUS_QUESTION_TIMEOUT_MS).catch(() => null)));
      if (signal.aborted) return;
      const found = anotherLeader(statuses, others, target, directory);
      if (found !== null) {
        moved(found);
        return;
      }
      await sleep(LEADER_RECHECK_MS, signal);
    }
  })();
  return () => stopped.abort();
}

/** The URL of a leader some node names (itself, or the one it follows) that is not `target`. */
function anotherLeader(statuses: readonly (NodeStatusView | null)[], urls: readonly string[], target: string, directory: LeaderDirectory): string | null {
  for (const [i, status] of statuses.entries()) {
    if (!status) continue;
    const url = status.role === 'leader' ? (urls[i] as string) : status.leaderId !== null ? directory.urlOf(status.leaderId) : null;
    if (url !== null && url !== target) return url;
  }
  return null;
}
