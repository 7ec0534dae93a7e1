// Pairs each invoke with its process's completion, giving the operations the
// checker works on, and finds what makes a history malformed on the way.
//
// What each outcome means for the checker:
// - ok: took effect exactly once between invoke and completion.
// - fail: did not take effect, so it is left out (a failed read says nothing either).
// - info, or no completion before the history ends: may take effect at any time
//   after its invoke, or never; its completion is taken as +Infinity. A read with
//   an unknown outcome returned nothing we can check, so it is left out.

import { ProblemList, eventShapeProblems, type HistoryEvent, type OpFunction } from './history.js';

export interface Operation {
  readonly process: number;
  readonly f: OpFunction;
  readonly key: string;
  /** write: the value written; cas: [expected, next]; read: the value read; delete: null. */
  readonly value: unknown;
  readonly outcome: 'ok' | 'info';
  readonly invokeTime: number;
  /** +Infinity when the outcome is unknown (info or never completed). */
  readonly completeTime: number;
  /** Number of the invoke event (its index in the events given, unless renumbered), to point a reader at the history. */
  readonly invokeEvent: number;
}

export interface Pairing {
  /** In invoke order. */
  operations: Operation[];
  problems: string[];
}

interface Outstanding {
  readonly event: HistoryEvent;
  readonly index: number;
}

/**
 * `numbering[i]`, when given, is the number reports use for `events[i]`: a
 * caller that passes one key's slice of a history passes the events' indexes in
 * the whole history, so that problems and explanations point at the right line.
 */
export function pairOperations(events: readonly HistoryEvent[], numbering?: readonly number[]): Pairing {
  const operations: Operation[] = [];
  const problems = new ProblemList();
  const outstanding = new Map<number, Outstanding>();
  let latestTime = -Infinity;

  for (let i = 0; i < events.length; i++) {
    const event = events[i] as HistoryEvent;
    const index = numbering?.[i] ?? i;
    const shape = eventShapeProblems(event);
    if (shape.length > 0) {
      problems.add(`event #${index}: ${shape.join('; ')}`);
      continue;
    }
    if (event.time < latestTime) {
      problems.add(`event #${index}: time ${event.time} goes backwards (an earlier event has time ${latestTime})`);
    }
    latestTime = Math.max(latestTime, event.time);

    if (event.type === 'invoke') {
      const previous = outstanding.get(event.process);
      if (previous) {
        problems.add(`event #${index}: process ${event.process} invokes ${event.f} while its ${previous.event.f} from event #${previous.index} is outstanding`);
        addUnknownOutcome(operations, previous);
      }
      outstanding.set(event.process, { event, index });
      continue;
    }

    const invoke = outstanding.get(event.process);
    if (!invoke) {
      problems.add(`event #${index}: ${event.type} ${event.f} by process ${event.process} has no outstanding invoke`);
      continue;
    }
    outstanding.delete(event.process);
    if (invoke.event.f !== event.f || invoke.event.key !== event.key) {
      problems.add(
        `event #${index}: ${event.type} ${event.f} on ${JSON.stringify(event.key)} completes process ${event.process}'s ` +
          `${invoke.event.f} on ${JSON.stringify(invoke.event.key)} from event #${invoke.index}`,
      );
      addUnknownOutcome(operations, invoke);
      continue;
    }
    if (event.type === 'fail') continue;
    if (event.type === 'info') {
      addUnknownOutcome(operations, invoke);
      continue;
    }
    operations.push({
      process: event.process,
      f: event.f,
      key: event.key,
      // A read's value is what it returned; the others' is what they were asked to do.
      value: event.f === 'read' ? (event.value ?? null) : (invoke.event.value ?? null),
      outcome: 'ok',
      invokeTime: invoke.event.time,
      completeTime: event.time,
      invokeEvent: invoke.index,
    });
  }

  for (const pending of outstanding.values()) addUnknownOutcome(operations, pending);
  operations.sort((a, b) => a.invokeEvent - b.invokeEvent);
  return { operations, problems: problems.list() };
}

function addUnknownOutcome(operations: Operation[], invoke: Outstanding): void {
  if (invoke.event.f === 'read') return;
  operations.push({
    process: invoke.event.process,
    f: invoke.event.f,
    key: invoke.event.key,
    value: invoke.event.value ?? null,
    outcome: 'info',
    invokeTime: invoke.event.time,
    completeTime: Number.POSITIVE_INFINITY,
    invokeEvent: invoke.index,
  });
}

/**
 * Everything that makes a history malformed: bad event shapes, time going
 * backwards, a completion without an invoke, two outstanding ops on one
 * process, a completion whose f or key differs from its invoke. Empty when the
 * history is well formed. An invoke left without a completion at the end is
 * not a problem: it is an op whose outcome is unknown.
 */
export function validateHistory(events: readonly HistoryEvent[]): string[] {
  return pairOperations(events).problems;
}
