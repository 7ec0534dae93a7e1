// The reference model of causality the dot-based types are checked against:
// each replica holds the set of events it knows of, a merge takes the union,
// and each event remembers the events its writer had seen when it wrote.

export interface ModelEvent<P> {
  readonly id: number;
  readonly payload: P;
  /** The events the writer had seen: the event supersedes these (when the type says so). */
  readonly observed: ReadonlySet<number>;
}

export class CausalHistory<P> {
  private readonly events = new Map<number, ModelEvent<P>>();
  private readonly known: Array<Set<number>>;
  private nextId = 1;

  constructor(replicaCount: number) {
    this.known = Array.from({ length: replicaCount }, () => new Set<number>());
  }

  /** What replica `replica` knows of now. */
  history(replica: number): ReadonlySet<number> {
    return new Set(this.replica(replica));
  }

  /** An event at `replica` by a writer that had seen `observed` (by default, everything the replica knows). */
  record(replica: number, payload: P, observed: ReadonlySet<number> = this.history(replica)): ModelEvent<P> {
    const event: ModelEvent<P> = { id: this.nextId++, payload, observed: new Set(observed) };
    this.events.set(event.id, event);
    const known = this.replica(replica);
    for (const id of observed) known.add(id);
    known.add(event.id);
    return event;
  }

  merge(into: number, from: number): void {
    const known = this.replica(into);
    for (const id of this.replica(from)) known.add(id);
  }

  /** Events of `ids` (by default everything any replica knows) that no other event in `ids` superseded. */
  survivors(ids: ReadonlySet<number>, supersedes: (later: ModelEvent<P>, earlier: ModelEvent<P>) => boolean): Array<ModelEvent<P>> {
    const events = this.eventsOf(ids);
    return events.filter((earlier) => !events.some((later) => later.observed.has(earlier.id) && supersedes(later, earlier)));
  }

  /** The events with these ids. */
  eventsOf(ids: ReadonlySet<number>): Array<ModelEvent<P>> {
    return [...ids].map((id) => this.events.get(id) as ModelEvent<P>);
  }

  everything(): ReadonlySet<number> {
    const all = new Set<number>();
    for (const known of this.known) for (const id of known) all.add(id);
    return all;
  }

  private replica(replica: number): Set<number> {
    const known = this.known[replica];
    if (known === undefined) throw new Error(`no replica ${replica}`);
    return known;
  }
}
