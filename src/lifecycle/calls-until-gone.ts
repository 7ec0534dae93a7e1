// Calls to one worker that must settle even if the worker dies: a comlink
// call to a dead worker never settles by itself.
//
// Each call used to be raced against one "gone" promise per worker. Every race
// left a reaction on that promise, holding the call's closure (and with it the
// request batch) until the worker died: a leak of one entry per call for the
// worker's whole life. 300,000 such races grew the heap by 204 MB; a loaded
// leader makes that many calls in minutes. Here a call is forgotten as soon as
// it settles, and only calls still waiting are settled when the worker goes.

export class CallsUntilGone {
  private readonly waiting = new Set<() => void>();
  private gone = false;

  /** For before the first worker runs: every call settles with its `whenGone` at once. */
  static alreadyGone(): CallsUntilGone {
    const calls = new CallsUntilGone();
    calls.markGone();
    return calls;
  }

  /**
   * `call`'s answer, or `whenGone()` if the call fails or the worker is gone before it settles
   * (a `whenGone` that throws rejects the returned promise).
   */
  settle<T>(call: Promise<T>, whenGone: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const fallBack = (): void => {
        try {
          resolve(whenGone());
        } catch (error) {
          reject(error);
        }
      };
      if (this.gone) {
        fallBack();
        return;
      }
      this.waiting.add(fallBack);
      call.then(
        (answer) => {
          this.waiting.delete(fallBack);
          resolve(answer);
        },
        () => {
          this.waiting.delete(fallBack);
          fallBack();
        },
      );
    });
  }

  /** The worker is gone: every call still waiting settles with its `whenGone`, and so does every later one. */
  markGone(): void {
    if (this.gone) return;
    this.gone = true;
    const waiting = [...this.waiting];
    this.waiting.clear();
    for (const onGone of waiting) onGone();
  }

  /** Calls not settled yet: bounded by what is in flight, not by how many were ever made. */
  get waitingCount(): number {
    return this.waiting.size;
  }
}
