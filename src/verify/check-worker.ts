// The checking pool's worker (compiled to dist/src/verify/check-worker.js):
// one key's sub-history through the same checker the simulator uses.

import { checkKey, type HistoryEvent, type KeyVerdict } from '../check/index.js';

export interface CheckTask {
  readonly key: string;
  readonly events: readonly HistoryEvent[];
  readonly maxSteps: number;
  readonly maxCacheBytes: number;
}

export default function checkOneKey(task: CheckTask): KeyVerdict {
  return checkKey(task.key, task.events, { maxSteps: task.maxSteps, maxCacheBytes: task.maxCacheBytes });
}
