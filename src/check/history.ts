// The history format shared by the simulator and `replikit verify --history`
// (one HistoryEvent per JSON line), and the checks on a single event's shape.
// Everything here is plain data so that a history can cross a worker boundary.

import { describeValue as show } from './canonical-json.js';

export type OpFunction = 'read' | 'write' | 'cas' | 'delete';
export type OpType = 'invoke' | 'ok' | 'fail' | 'info';

export interface HistoryEvent {
  /** A client process; one outstanding op per process at a time. */
  process: number;
  /** invoke, then exactly one of ok | fail | info (info = unknown outcome, e.g. timed out). */
  type: OpType;
  f: OpFunction;
  key: string;
  /**
   * write: the value written; cas: [expected, next]; read invoke: null, read ok:
   * the value read (null when the key is absent); delete: null.
   */
  value: unknown;
  /** Monotonic timestamp (any unit), non-decreasing in history order. */
  time: number;
}

const OP_TYPES: ReadonlySet<string> = new Set<OpType>(['invoke', 'ok', 'fail', 'info']);
const OP_FUNCTIONS: ReadonlySet<string> = new Set<OpFunction>(['read', 'write', 'cas', 'delete']);

/** Problems past this many are summarised, so a garbage file cannot flood a report. */
export const MAX_REPORTED_PROBLEMS = 100;

/** What is wrong with one event on its own (not its place in the history); empty when nothing. */
export function eventShapeProblems(event: unknown): string[] {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) return ['not an object'];
  const e = event as Record<string, unknown>;
  const problems: string[] = [];
  if (!Number.isInteger(e['process'])) problems.push(`process must be an integer, got ${show(e['process'])}`);
  if (typeof e['type'] !== 'string' || !OP_TYPES.has(e['type'])) problems.push(`type must be invoke|ok|fail|info, got ${show(e['type'])}`);
  if (typeof e['f'] !== 'string' || !OP_FUNCTIONS.has(e['f'])) problems.push(`f must be read|write|cas|delete, got ${show(e['f'])}`);
  if (typeof e['key'] !== 'string') problems.push(`key must be a string, got ${show(e['key'])}`);
  if (typeof e['time'] !== 'number' || !Number.isFinite(e['time'])) problems.push(`time must be a finite number, got ${show(e['time'])}`);
  if (e['type'] === 'invoke') {
    // The model reads a write's and a cas's argument from the invoke, so it must be there.
    if (e['f'] === 'cas' && !isCasValue(e['value'])) problems.push(`cas value must be [expected, next], got ${show(e['value'])}`);
    if (e['f'] === 'write' && e['value'] === undefined) problems.push('write has no value');
  }
  return problems;
}

export function isCasValue(value: unknown): value is [unknown, unknown] {
  return Array.isArray(value) && value.length === 2;
}

export function isHistoryEvent(event: unknown): event is HistoryEvent {
  return eventShapeProblems(event).length === 0;
}

/** The events of each key, in history order; keys in order of first appearance. */
export function splitByKey(events: readonly HistoryEvent[]): Map<string, HistoryEvent[]> {
  const byKey = new Map<string, HistoryEvent[]>();
  for (const event of events) {
    const list = byKey.get(event.key);
    if (list) list.push(event);
    else byKey.set(event.key, [event]);
  }
  return byKey;
}

/**
 * Parses the JSON-lines form (blank lines skipped). Lines that are not JSON or
 * not a well-formed event are reported and left out; the rest are returned so
 * the caller can decide whether a partial history is worth checking.
 */
export function parseHistoryLines(text: string): { events: HistoryEvent[]; problems: string[] } {
  const events: HistoryEvent[] = [];
  const problems = new ProblemList();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      problems.add(`line ${i + 1}: not JSON (${(error as Error).message})`);
      continue;
    }
    const shape = eventShapeProblems(parsed);
    if (shape.length > 0) problems.add(`line ${i + 1}: ${shape.join('; ')}`);
    else events.push(parsed as HistoryEvent);
  }
  return { events, problems: problems.list() };
}

/** A problem list capped at MAX_REPORTED_PROBLEMS, with a count of what was left out. */
export class ProblemList {
  private readonly problems: string[] = [];
  private omitted = 0;

  add(problem: string): void {
    if (this.problems.length < MAX_REPORTED_PROBLEMS) this.problems.push(problem);
    else this.omitted++;
  }

  get size(): number {
    return this.problems.length + this.omitted;
  }

  list(): string[] {
    return this.omitted === 0 ? [...this.problems] : [...this.problems, `... and ${this.omitted} more problems`];
  }
}
