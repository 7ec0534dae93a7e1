// One autocannon run (a standard HTTP load tool, not ours, fetched by npx):
// its --json summary.

import { spawn } from 'node:child_process';

/** autocannon gets this long beyond its own duration before it is killed (npx may fetch it first). */
const TOOL_GRACE_MS = 60_000;

export async function autocannon(args: string[], durationS: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['--yes', 'autocannon@8', '--json', '-d', String(durationS), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), durationS * 1000 + TOOL_GRACE_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as Record<string, unknown>);
      } catch {
        reject(new Error(`autocannon exited ${code} without a JSON summary:\n${err.slice(-2000)}`));
      }
    });
  });
}
