// Human-readable text for verdicts: what an operation was, and why a key's
// history could not be linearized.

import { canonicalJson, describeValue } from './canonical-json.js';
import type { StuckPoint } from './linearizability.js';
import type { Operation } from './pairing.js';

export function describeOperation(op: Operation): string {
  const completed = op.outcome === 'ok' ? `completed at ${op.completeTime}` : 'outcome unknown';
  return `${describeAction(op)} by process ${op.process} (invoked at ${op.invokeTime}, ${completed}; history event #${op.invokeEvent})`;
}

function describeAction(op: Operation): string {
  switch (op.f) {
    case 'read':
      return `read returning ${describeRegister(op.value)}`;
    case 'write':
      return `write of ${describeValue(op.value)}`;
    case 'delete':
      return 'delete';
    case 'cas': {
      const [expected, next] = Array.isArray(op.value) ? op.value : [undefined, undefined];
      return `cas from ${describeRegister(expected)} to ${describeRegister(next)}`;
    }
  }
}

function describeRegister(value: unknown): string {
  return value === null || value === undefined ? 'null (absent)' : describeValue(value);
}

export function explainNotLinearizable(ops: readonly Operation[], stuck: StuckPoint): string {
  const op = ops[stuck.op];
  if (!op) return 'not linearizable (no operation recorded for the failure)';
  const states = stuck.states.map(describeRegister).join(', ');
  let text =
    `could not linearize the ${describeOperation(op)}: no order of the operations before and concurrent ` +
    `with it gets past its completion; the orders that got that far left the register holding one of [${states}]`;
  const last = stuck.lastPlaced >= 0 ? ops[stuck.lastPlaced] : undefined;
  if (last) text += `; the first such order ended with the ${describeOperation(last)}`;
  const observed = observedValue(op);
  if (observed !== undefined && observed !== null && !isProduced(ops, observed)) {
    text += `; no operation on this key ever wrote ${describeValue(observed)}`;
  }
  return text;
}

/** The value an op needs the register to hold, when it needs one. */
function observedValue(op: Operation): unknown {
  if (op.f === 'read') return op.value;
  if (op.f === 'cas' && Array.isArray(op.value)) return op.value[0];
  return undefined;
}

function isProduced(ops: readonly Operation[], value: unknown): boolean {
  const wanted = canonicalJson(value);
  return ops.some((op) => {
    if (op.f === 'write') return canonicalJson(op.value) === wanted;
    if (op.f === 'cas' && Array.isArray(op.value)) return canonicalJson(op.value[1]) === wanted;
    return false;
  });
}
