// The first hour at the shell: `replikit` run as a user runs it (the built
// bin), for the papercuts a new user met: a version, one-line errors with
// the way out, a busy port, a data folder made for another node count, and
// a dev cluster that names its leader and data folder and cleans up after
// itself.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const BIN = new URL('../../bin/replikit.js', import.meta.url).pathname;
const PACKAGE = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function replikit(args: string[], options: { untilStdout?: RegExp; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`replikit ${args.join(' ')} did not finish in time:\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      // A long-running command (dev) is stopped as a user would, with Ctrl-C, once it said what we wait for.
      if (!interrupted && options.untilStdout?.test(stdout)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr: signal ? `${stderr}(ended by ${signal})` : stderr });
    });
  });
}

async function occupiedPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { port: address.port, server };
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'replikit-first-hour-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function expectOneLine(text: string): void {
  expect(text.trimEnd().split('\n'), text).toHaveLength(1);
  expect(text, 'no stack trace').not.toMatch(/\n\s+at /);
}

describe('replikit at the shell', () => {
  it('--version prints the package version', async () => {
    const run = await replikit(['--version']);
    expect(run).toEqual({ code: 0, stdout: `replikit ${PACKAGE.version}\n`, stderr: '' });
  });

  it('an unknown command is one line pointing to --help, exit 2', async () => {
    const run = await replikit(['frobnicate']);
    expect(run.code).toBe(2);
    expectOneLine(run.stderr);
    expect(run.stderr).toContain('replikit --help');
  });

  it('a bad dev flag is one line pointing to --help, exit 2', async () => {
    const run = await replikit(['dev', '--nodes', '3', '--bogus']);
    expect(run.code).toBe(2);
    expect(run.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^replikit dev: .*--bogus/), '(replikit dev --help lists the options)']);
  });

  it('dev on a busy port says so in one line with the way out, exit 1', async () => {
    const { port, server } = await occupiedPort();
    cleanups.push(() => server.close());
    const run = await replikit(['dev', '--nodes', '1', '--port', String(port)]);
    expect(run.code).toBe(1);
    expectOneLine(run.stderr);
    expect(run.stderr).toContain(`port ${port} is in use`);
    expect(run.stderr).toContain(`--port ${port + 100}`);
  });

  it('dev refuses a data folder made for another node count, and says which count it holds', async () => {
    const data = tempDir();
    for (const id of ['n1', 'n2', 'n3']) mkdirSync(join(data, id));
    const run = await replikit(['dev', '--nodes', '5', '--data', data]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('3-node cluster (n1, n2, n3), not 5');
    expect(run.stderr).toContain('--nodes 3');
  });

  it('dev names its leader and its temp data folder, and removes the folder on Ctrl-C', async () => {
    const { port, server } = await occupiedPort();
    await new Promise((resolve) => server.close(resolve));
    const run = await replikit(['dev', '--nodes', '1', '--port', String(port)], { untilStdout: /Ctrl-C stops the cluster/ });
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/^leader: n1 \(term \d+\)$/m);
    const folder = /data in (\S+) \(a temp folder, removed on stop/.exec(run.stdout)?.[1];
    expect(folder, run.stdout).toBeDefined();
    expect(existsSync(folder as string)).toBe(false);
  });

  it('node refuses an --id missing from --peers in one line, exit 2', async () => {
    const data = tempDir();
    const secret = join(data, 'secret');
    writeFileSync(secret, 'x'.repeat(64));
    const run = await replikit([
      'node',
      ...['--id', 'n9', '--http', '127.0.0.1:0', '--listen', '127.0.0.1:0', '--peers', 'n1=127.0.0.1:5001,n2=127.0.0.1:5002'],
      ...['--data', join(data, 'n9'), '--secret-file', secret],
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^replikit node: --id n9 is not in --peers \(n1, n2\)/);
  });

  it('node on a busy HTTP port says so in one line and leaves nothing running, exit 1', async () => {
    const { port, server } = await occupiedPort();
    cleanups.push(() => server.close());
    const data = tempDir();
    const secret = join(data, 'secret');
    writeFileSync(secret, 'x'.repeat(64));
    const run = await replikit([
      'node',
      ...['--id', 'n1', '--http', `127.0.0.1:${port}`, '--listen', '127.0.0.1:0', '--peers', 'n1=127.0.0.1:0'],
      ...['--data', join(data, 'n1'), '--secret-file', secret],
    ]);
    expect(run.code).toBe(1);
    expectOneLine(run.stderr);
    expect(run.stderr).toContain(`port ${port} is in use`);
  });

  it('node --chaos refuses pause and crash of a process with a 400, and keeps serving', async () => {
    const data = tempDir();
    const secret = join(data, 'secret');
    writeFileSync(secret, 'x'.repeat(64));
    const { port, server } = await occupiedPort();
    await new Promise((resolve) => server.close(resolve));
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(
      process.execPath,
      [
        BIN,
        'node',
        ...['--id', 'n1', '--http', `127.0.0.1:${port}`, '--listen', '127.0.0.1:0', '--peers', 'n1=127.0.0.1:0'],
        ...['--data', join(data, 'n1'), '--secret-file', secret, '--chaos'],
      ],
      { stdio: 'ignore' },
    );
    cleanups.push(() => child.kill('SIGKILL'));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const deadline = performance.now() + 20_000;
    while (
      !(await fetch(`${url}/health`).then(
        () => true,
        () => false,
      ))
    ) {
      if (performance.now() > deadline) throw new Error('the node did not start');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (const action of ['pause', 'resume', 'crash', 'restart']) {
      const answer = await fetch(`${url}/admin/nodes/n1/${action}`, { method: 'POST' });
      expect(answer.status, action).toBe(400);
      expect(((await answer.json()) as { detail: string }).detail).toContain('kill -STOP');
    }
    // Still up: an unhandled rejection used to end the process right after the 200.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await fetch(`${url}/status`)).status).toBe(200);
    child.kill('SIGTERM');
    await exited;
  });
});
