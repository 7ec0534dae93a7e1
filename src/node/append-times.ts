// When the leader appended each stretch of its log, so a follower's lag can
// be told in milliseconds: the age of the oldest entry it does not have yet.
// One record per persisted turn (not per entry), in a bounded ring.

/** Turns remembered; a follower further behind than this reports the oldest age known. */
const MAX_RECORDED_TURNS = 4096;

export class AppendTimes {
  private readonly lastIndexes: number[] = [];
  private readonly timesMs: number[] = [];

  record(lastIndex: number, timeMs: number): void {
    this.lastIndexes.push(lastIndex);
    this.timesMs.push(timeMs);
    if (this.lastIndexes.length > MAX_RECORDED_TURNS) {
      this.lastIndexes.shift();
      this.timesMs.shift();
    }
  }

  /** How long ago the leader appended entry matchIndex + 1; 0 when the follower has everything. */
  lagMs(matchIndex: number, leaderLastIndex: number, nowMs: number): number {
    if (matchIndex >= leaderLastIndex || this.lastIndexes.length === 0) return 0;
    const wanted = matchIndex + 1;
    let low = 0;
    let high = this.lastIndexes.length - 1;
    // The first turn whose last index reaches the entry the follower lacks.
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((this.lastIndexes[middle] as number) >= wanted) high = middle;
      else low = middle + 1;
    }
    return Math.max(0, nowMs - (this.timesMs[low] as number));
  }
}
