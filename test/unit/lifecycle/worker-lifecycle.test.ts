// The worker lifecycle table (src/lifecycle/worker-lifecycle.ts): its rules
// checked over every row, and the whole table against a golden text rendering
// so that any change to it shows in review as a diff of plain lines.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasThread, WORKER_LIFECYCLE, type LifecycleInput, type LifecycleStep, type WorkerState } from '../../../src/lifecycle/worker-lifecycle.js';

type Table = Readonly<Record<WorkerState, Partial<Record<LifecycleInput, LifecycleStep>>>>;

const ON_PURPOSE: readonly LifecycleInput[] = ['kill', 'stop', 'remove'];

/** Every way `table` breaks a rule the supervisors rely on. */
function lifecycleProblems(table: Table): string[] {
  const problems: string[] = [];
  const rows = Object.entries(table) as [WorkerState, Partial<Record<LifecycleInput, LifecycleStep>>][];
  for (const [from, row] of rows) {
    for (const [input, step] of Object.entries(row) as [LifecycleInput, LifecycleStep][]) {
      const where = `${from} --${input}--> ${step.to}`;
      const effects = new Set(step.effects);
      if (hasThread(from) && !hasThread(step.to) && !effects.has('settle-calls')) problems.push(`${where}: calls to the gone thread never settle`);
      if (hasThread(from) && !hasThread(step.to) && input !== 'exited' && !effects.has('stop-thread')) problems.push(`${where}: the thread is left running`);
      if (from === 'starting' && step.to !== 'starting' && input !== 'start-timed-out' && !effects.has('disarm-start-timer'))
        problems.push(`${where}: the start timer stays armed`);
      if (ON_PURPOSE.includes(input) && effects.has('schedule-restart')) problems.push(`${where}: a stop on purpose restarts`);
      if (input === 'exited' && !effects.has('schedule-restart')) problems.push(`${where}: a thread that died is not restarted`);
      if (effects.has('create-thread') && hasThread(from)) problems.push(`${where}: a second thread for one node`);
      if (effects.has('create-thread') !== (step.to === 'starting' && !hasThread(from)))
        problems.push(`${where}: starting without a thread, or a thread without starting`);
    }
  }
  const reachable = new Set<WorkerState>(['stopped']);
  for (let grew = true; grew;) {
    grew = false;
    for (const state of [...reachable]) {
      for (const step of Object.values(table[state])) {
        if (step && !reachable.has(step.to)) {
          reachable.add(step.to);
          grew = true;
        }
      }
    }
  }
  for (const [state] of rows) if (!reachable.has(state)) problems.push(`${state} cannot be reached from stopped`);
  if (Object.keys(table.removed).length > 0) problems.push('removed is not final');
  return problems;
}

function render(table: Table): string {
  const lines = ['# state --input--> next: effects, in order (generated from WORKER_LIFECYCLE; see the test to regenerate)'];
  for (const [from, row] of Object.entries(table)) {
    for (const [input, step] of Object.entries(row)) lines.push(`${from} --${input}--> ${step!.to}: ${step!.effects.join(', ') || '-'}`);
  }
  return `${lines.join('\n')}\n`;
}

const GOLDEN = join(import.meta.dirname, 'testdata/worker-lifecycle.txt');

describe('the worker lifecycle table', () => {
  it('keeps every rule: calls settle, threads stop, timers disarm, deaths restart, stops on purpose do not', () => {
    expect(lifecycleProblems(WORKER_LIFECYCLE)).toEqual([]);
  });

  it('the rules catch a planted table where an exit leaves calls waiting and is not restarted', () => {
    const planted: Table = {
      ...WORKER_LIFECYCLE,
      running: { ...WORKER_LIFECYCLE.running, exited: { to: 'crashed', effects: ['report-crash'] } },
    };
    expect(lifecycleProblems(planted)).toEqual([
      'running --exited--> crashed: calls to the gone thread never settle',
      'running --exited--> crashed: a thread that died is not restarted',
    ]);
  });

  it('matches its golden rendering (REPLIKIT_UPDATE_GOLDEN=1 rewrites it)', () => {
    const text = render(WORKER_LIFECYCLE);
    if (process.env.REPLIKIT_UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, text);
    expect(text).toBe(readFileSync(GOLDEN, 'utf8'));
  });
});
