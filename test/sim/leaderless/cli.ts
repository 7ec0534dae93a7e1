// npm run sim:leaderless -- [--seeds N] [--first S] [--seed S] [--nodes 3,5,7,9] [--plant-bug NAME] [--ticks N]
// Runs leaderless seeds one after another (each takes milliseconds), prints
// every violation with the command that replays it, and ends with one line:
// `sim:leaderless: N seeds, V violations`. Exits non-zero when V > 0.

import { parseArgs } from 'node:util';
import { LEADERLESS_PLANTED_BUGS, isLeaderlessPlantedBug, type LeaderlessPlantedBug } from '../../../src/leaderless/index.js';
import { runLeaderlessSeed } from './run-seed.js';

const USAGE = `usage: npm run sim:leaderless -- [--seeds N] [--first S] [--seed S] [--nodes 3,5,7,9]
                                 [--plant-bug ${LEADERLESS_PLANTED_BUGS.join('|')}] [--ticks N]
  --seeds N      how many seeds (default 200), from --first (default 1)
  --seed S       run exactly one seed (replay)
  --nodes LIST   cluster sizes; seed i runs with LIST[i mod length] (default 3,4,5,6,7,8,9, as the vitest tier)
  --plant-bug    break one rule on purpose: the checks must report violations
  --ticks N      ticks of weather before the calm (default 300)`;

function main(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      seeds: { type: 'string' },
      first: { type: 'string' },
      seed: { type: 'string' },
      nodes: { type: 'string' },
      'plant-bug': { type: 'string' },
      ticks: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const nodes = (values.nodes ?? '3,4,5,6,7,8,9').split(',').map(Number);
  const bug = values['plant-bug'];
  if (bug !== undefined && !isLeaderlessPlantedBug(bug)) throw new Error(`unknown planted bug ${bug}; one of ${LEADERLESS_PLANTED_BUGS.join(', ')}`);
  const plantedBugs: LeaderlessPlantedBug[] = bug === undefined ? [] : [bug];
  const first = Number(values.seed ?? values.first ?? 1);
  const count = values.seed === undefined ? Number(values.seeds ?? 200) : 1;
  const chaosTicks = values.ticks === undefined ? undefined : Number(values.ticks);
  let violations = 0;
  const totals = { writesAcked: 0, writesAttempted: 0, readsAnswered: 0, crashes: 0, partitions: 0, messagesSent: 0, messagesDropped: 0 };
  const failures: Record<string, number> = {};
  const started = performance.now();
  for (let seed = first; seed < first + count; seed++) {
    const nodeCount = nodes[seed % nodes.length] as number;
    const result = runLeaderlessSeed({ seed, nodeCount, plantedBugs, ...(chaosTicks === undefined ? {} : { chaosTicks }) });
    for (const name of Object.keys(totals) as Array<keyof typeof totals>) totals[name] += result.stats[name];
    for (const [reason, times] of Object.entries(result.stats.failures)) failures[reason] = (failures[reason] ?? 0) + times;
    for (const violation of result.violations) {
      violations++;
      const replay = `npm run sim:leaderless -- --seed ${seed} --nodes ${nodeCount}${bug ? ` --plant-bug ${bug}` : ''}`;
      console.log(`seed ${seed} (${nodeCount} nodes): ${violation}\n  replay: ${replay}`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const failed =
    Object.entries(failures)
      .map(([reason, times]) => `${reason} ${times}`)
      .join(', ') || 'none';
  console.log(
    `writes acknowledged ${totals.writesAcked} of ${totals.writesAttempted}, reads answered ${totals.readsAnswered}, ` +
      `crashes ${totals.crashes}, partitions ${totals.partitions}, messages ${totals.messagesSent} (${totals.messagesDropped} dropped); failed requests: ${failed}`,
  );
  console.log(`sim:leaderless: ${count} seeds, ${violations} violations (${seconds.toFixed(1)} s)`);
  return violations > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
