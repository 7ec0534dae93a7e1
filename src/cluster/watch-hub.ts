// watch(prefix): applied changes in log order. Every node reports what it
// applies; the hub passes each index on once, from whichever node applied it
// first, so a watch survives any single node crashing. A bounded history lets
// a watcher resume from an index it already saw.

import type { KvChange } from '../node/node-runtime.js';
import { ReplikitError } from '../ground/errors.js';

export interface WatchOptions {
  /** Replay changes after this index from the recent history first. */
  readonly fromIndex?: number;
}

export interface Watcher extends AsyncIterable<KvChange> {
  /** Stop watching; the iterator ends. */
  close(): void;
}

/** Changes kept for resuming watchers. */
const MAX_HISTORY_CHANGES = 10_000;
/** Changes queued for one watcher that is not reading; past this the watcher is closed with an error. */
const MAX_QUEUED_PER_WATCHER = 100_000;

interface Subscription {
  readonly prefix: string;
  queue: KvChange[];
  wake: (() => void) | null;
  error: ReplikitError | null;
  closed: boolean;
}

export class WatchHub {
  private readonly history: KvChange[] = [];
  private highestIndex = 0;
  private readonly subscriptions = new Set<Subscription>();

  constructor(private readonly setWatching: (watching: boolean) => Promise<void>) {}

  publish(changes: readonly KvChange[]): void {
    let index = this.highestIndex;
    const fresh: KvChange[] = [];
    let lastIndex = index;
    for (const change of changes) {
      // Several changes may share one index (one command); take a whole index or none of it.
      if (change.index <= index) continue;
      fresh.push(change);
      lastIndex = change.index;
    }
    if (fresh.length === 0) return;
    index = lastIndex;
    this.highestIndex = index;
    this.history.push(...fresh);
    if (this.history.length > MAX_HISTORY_CHANGES) this.history.splice(0, this.history.length - MAX_HISTORY_CHANGES);
    for (const subscription of this.subscriptions) this.deliver(subscription, fresh);
  }

  watch(prefix: string, options: WatchOptions): Watcher {
    const subscription: Subscription = { prefix, queue: [], wake: null, error: null, closed: false };
    if (options.fromIndex !== undefined) {
      const oldest = this.history[0]?.index ?? this.highestIndex + 1;
      if (options.fromIndex + 1 < oldest) {
        throw new ReplikitError('compacted', `changes after ${options.fromIndex} are no longer kept (oldest is ${oldest})`);
      }
      this.deliver(
        subscription,
        this.history.filter((change) => change.index > (options.fromIndex as number)),
      );
    }
    this.subscriptions.add(subscription);
    if (this.subscriptions.size === 1) void this.setWatching(true);
    const close = (): void => {
      if (subscription.closed) return;
      subscription.closed = true;
      this.subscriptions.delete(subscription);
      if (this.subscriptions.size === 0) void this.setWatching(false);
      subscription.wake?.();
    };
    return {
      close,
      [Symbol.asyncIterator]: () => ({
        next: async (): Promise<IteratorResult<KvChange>> => {
          for (;;) {
            if (subscription.error) throw subscription.error;
            const change = subscription.queue.shift();
            if (change) return { value: change, done: false };
            if (subscription.closed) return { value: undefined, done: true };
            await new Promise<void>((resolve) => (subscription.wake = resolve));
            subscription.wake = null;
          }
        },
        return: async (): Promise<IteratorResult<KvChange>> => {
          close();
          return { value: undefined, done: true };
        },
      }),
    };
  }

  close(): void {
    for (const subscription of [...this.subscriptions]) {
      subscription.closed = true;
      subscription.wake?.();
    }
    this.subscriptions.clear();
  }

  private deliver(subscription: Subscription, changes: readonly KvChange[]): void {
    for (const change of changes) {
      if (!change.key.startsWith(subscription.prefix)) continue;
      if (subscription.queue.length >= MAX_QUEUED_PER_WATCHER) {
        subscription.error = new ReplikitError('busy', `watcher of ${JSON.stringify(subscription.prefix)} fell too far behind`);
        break;
      }
      subscription.queue.push(change);
    }
    subscription.wake?.();
  }
}
