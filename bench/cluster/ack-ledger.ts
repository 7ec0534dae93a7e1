// Every write a client was told about, per key, to check at the end that no
// acknowledged write was lost. Writes to one key are issued one at a time (a
// key belongs to one writer lane), so per key the final value must be the
// last acknowledged one, or one of the writes after it whose outcome is
// unknown (an error answer: it may still have committed). An earlier failed
// write cannot land after a later acknowledged one: it was proposed first, so
// if it commits at all it sits at a lower index of the log.

export interface LedgerVerdict {
  readonly keys: number;
  /** Keys whose final value is the last acknowledged write. */
  readonly lastAcknowledged: number;
  /** Keys whose final value is a later write with an unknown outcome: allowed. */
  readonly laterUnknown: number;
  /** Keys never acknowledged whose final value is absent or an unknown-outcome write: allowed. */
  readonly neverAcknowledged: number;
  /** Acknowledged writes that are gone: the final value is absent, older, or unexplained. */
  readonly lost: number;
  /** Keys never acknowledged that hold a value no one tried to write there: a bug, though not a lost ack. */
  readonly unexplained: number;
  /** A few lost keys for the report: what was acknowledged and what was read. */
  readonly lostExamples: readonly { key: string; acknowledged: string | null; read: unknown }[];
}

interface KeyRecord {
  acknowledged: string | null;
  /** Attempts after the last acknowledgement whose outcome is unknown. */
  readonly unknownSince: Set<string>;
}

/** Examples kept of lost writes; the count is exact regardless. */
const MAX_LOST_EXAMPLES = 10;

export class AckLedger {
  private readonly records = new Map<string, KeyRecord>();
  private acknowledgedWrites = 0;
  private unknownWrites = 0;

  acknowledged(key: string, value: string): void {
    const record = this.record(key);
    record.acknowledged = value;
    record.unknownSince.clear();
    this.acknowledgedWrites++;
  }

  unknown(key: string, value: string): void {
    this.record(key).unknownSince.add(value);
    this.unknownWrites++;
  }

  keys(): string[] {
    return [...this.records.keys()];
  }

  counts(): { acknowledgedWrites: number; unknownWrites: number } {
    return { acknowledgedWrites: this.acknowledgedWrites, unknownWrites: this.unknownWrites };
  }

  /** `finalValues`: what a linearizable read returned per key (undefined: absent). */
  verify(finalValues: ReadonlyMap<string, unknown>): LedgerVerdict {
    let lastAcknowledged = 0;
    let laterUnknown = 0;
    let neverAcknowledged = 0;
    let lost = 0;
    let unexplained = 0;
    const lostExamples: { key: string; acknowledged: string | null; read: unknown }[] = [];
    for (const [key, record] of this.records) {
      const read = finalValues.get(key);
      if (record.acknowledged !== null && read === record.acknowledged) lastAcknowledged++;
      else if (typeof read === 'string' && record.unknownSince.has(read)) {
        if (record.acknowledged === null) neverAcknowledged++;
        else laterUnknown++;
      } else if (record.acknowledged === null && read === undefined) neverAcknowledged++;
      else if (record.acknowledged === null) unexplained++;
      else {
        lost++;
        if (lostExamples.length < MAX_LOST_EXAMPLES) lostExamples.push({ key, acknowledged: record.acknowledged, read });
      }
    }
    return { keys: this.records.size, lastAcknowledged, laterUnknown, neverAcknowledged, lost, unexplained, lostExamples };
  }

  private record(key: string): KeyRecord {
    let record = this.records.get(key);
    if (!record) {
      record = { acknowledged: null, unknownSince: new Set() };
      this.records.set(key, record);
    }
    return record;
  }
}
