// Command-line flags of the core benchmark. Bad values stop the run before
// anything is measured, with a message that says what was expected.

import { parseArgs } from 'node:util';

export interface BenchArgs {
  readonly durationMs: number;
  readonly nodes: readonly number[];
}

export const DEFAULT_DURATION_MS = 2_000;
export const DEFAULT_NODES: readonly number[] = [3, 5, 9];
/** Below this a run measures the timer more than the core. */
const MIN_DURATION_MS = 100;
/** An hour per configuration is surely a typo. */
const MAX_DURATION_MS = 3_600_000;
/** Past this a one-thread cluster measures the harness, not a deployment anyone runs. */
const MAX_NODES = 51;

export const USAGE = `usage: node dist/bench/core/run.js [--duration-ms N] [--nodes 3,5,9]

  --duration-ms N   measured time per run, in ms (${MIN_DURATION_MS}..${MAX_DURATION_MS}; default ${DEFAULT_DURATION_MS})
  --nodes LIST      comma-separated cluster sizes (1..${MAX_NODES}; default ${DEFAULT_NODES.join(',')})
  --help            print this and exit`;

export class UsageError extends Error {}

/** Null when --help was asked for. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs | null {
  let values: { 'duration-ms'?: string; nodes?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        'duration-ms': { type: 'string' },
        nodes: { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return null;
  return {
    durationMs: values['duration-ms'] === undefined ? DEFAULT_DURATION_MS : parseDurationMs(values['duration-ms']),
    nodes: values.nodes === undefined ? DEFAULT_NODES : parseNodes(values.nodes),
  };
}

function parseDurationMs(text: string): number {
  const value = parseInteger(text);
  if (value === null || value < MIN_DURATION_MS || value > MAX_DURATION_MS) {
    throw new UsageError(`--duration-ms must be an integer from ${MIN_DURATION_MS} to ${MAX_DURATION_MS}, got ${JSON.stringify(text)}`);
  }
  return value;
}

function parseNodes(text: string): number[] {
  const parts = text.split(',').map((part) => part.trim());
  const sizes: number[] = [];
  for (const part of parts) {
    const value = parseInteger(part);
    if (value === null || value < 1 || value > MAX_NODES) {
      throw new UsageError(
        `--nodes takes comma-separated cluster sizes from 1 to ${MAX_NODES} (e.g. 3,5,9); ${JSON.stringify(part)} in ${JSON.stringify(text)} is not one`,
      );
    }
    if (sizes.includes(value)) throw new UsageError(`--nodes lists ${value} twice in ${JSON.stringify(text)}`);
    sizes.push(value);
  }
  return sizes;
}

/** Plain decimal digits only: Number() would take "", "1e3", "0x10" and " 5 ". */
function parseInteger(text: string): number | null {
  if (!/^\d{1,9}$/.test(text)) return null;
  return Number(text);
}
