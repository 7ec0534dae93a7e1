// A cluster of real `replikit node` processes, for tests: free ports, a
// shared secret, every output line timestamped, and every process killed on
// close whatever happened. Nodes run on loopback unless `host` places each one
// elsewhere (an address and a command prefix, e.g. `ip netns exec NS`).

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeLoopbackPorts } from '../../src/verify/free-ports.js';

const BIN = fileURLToPath(new URL('../../bin/replikit.js', import.meta.url));
/** How long a process may take to start serving HTTP. */
const START_TIMEOUT_MS = 20_000;

export interface LogLine {
  readonly atMs: number;
  readonly id: string;
  readonly text: string;
}

/** Where one node runs: the address it binds (HTTP and peers) and a prefix its command runs under. */
export interface NodeHost {
  readonly address: string;
  readonly command?: readonly string[];
}

interface Member {
  readonly id: string;
  readonly host: NodeHost;
  readonly httpPort: number;
  readonly raftPort: number;
  process: ChildProcess | null;
}

export class ProcessCluster {
  readonly lines: LogLine[] = [];
  private readonly members = new Map<string, Member>();

  private constructor(
    private readonly dir: string,
    private readonly extraArgs: readonly string[],
  ) {}

  /** `spares` are listed in everyone's --peers but not started: they can --join later. */
  static async start(options: { nodes: number; spares?: number; extraArgs?: string[]; host?: (id: string) => NodeHost }): Promise<ProcessCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'replikit-procs-'));
    writeFileSync(join(dir, 'secret'), 'a shared secret of thirty-two bytes!');
    const founders = Array.from({ length: options.nodes }, (_, i) => `n${i + 1}`).join(',');
    const cluster = new ProcessCluster(dir, ['--chaos', '--initial-voters', founders, ...(options.extraArgs ?? [])]);
    const total = options.nodes + (options.spares ?? 0);
    for (let i = 1; i <= total; i++) {
      const id = `n${i}`;
      const host = options.host?.(id) ?? LOOPBACK;
      cluster.members.set(id, { id, host, httpPort: await freePort(), raftPort: await freePort(), process: null });
    }
    try {
      await Promise.all(Array.from({ length: options.nodes }, (_, i) => cluster.startNode(`n${i + 1}`)));
    } catch (error) {
      await cluster.close();
      throw error;
    }
    return cluster;
  }

  ids(): string[] {
    return [...this.members.keys()];
  }

  url(id: string): string {
    const member = this.member(id);
    return `http://${member.host.address}:${member.httpPort}`;
  }

  /** The TCP port each node listens on for its peers. */
  raftPorts(): number[] {
    return [...this.members.values()].map((member) => member.raftPort);
  }

  endpoints(ids = this.running()): string[] {
    return ids.map((id) => this.url(id));
  }

  running(): string[] {
    return [...this.members.values()].filter((member) => member.process !== null).map((member) => member.id);
  }

  async startNode(id: string, options: { join?: boolean } = {}): Promise<void> {
    const member = this.member(id);
    const peers = [...this.members.values()].map((m) => `${m.id}=${m.host.address}:${m.raftPort}`).join(',');
    const peerHttp = [...this.members.values()].map((m) => `${m.id}=${this.url(m.id)}`).join(',');
    const args = [
      BIN,
      'node',
      '--id',
      id,
      '--http',
      `${member.host.address}:${member.httpPort}`,
      '--listen',
      `${member.host.address}:${member.raftPort}`,
      '--peers',
      peers,
      '--peer-http',
      peerHttp,
      '--data',
      join(this.dir, id),
      '--secret-file',
      join(this.dir, 'secret'),
      ...(options.join ? ['--join'] : []),
      ...this.extraArgs,
    ];
    // A prefix must exec the command in place (as `ip netns exec` does), so signals reach node itself.
    const [file, ...prefixArgs] = [...(member.host.command ?? []), process.execPath];
    const child = spawn(file as string, [...prefixArgs, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    member.process = child;
    const record = (chunk: Buffer): void => {
      for (const text of chunk.toString('utf8').split('\n')) if (text) this.lines.push({ atMs: performance.now(), id, text });
    };
    child.stdout?.on('data', record);
    child.stderr?.on('data', record);
    child.once('exit', (code, signal) => {
      // Said in the node's log, so a test that waited for it in vain shows why it never answered.
      this.lines.push({ atMs: performance.now(), id, text: `[harness] process exited (code ${code}, signal ${signal})` });
      if (member.process === child) member.process = null;
    });
    const deadline = performance.now() + START_TIMEOUT_MS;
    while (!(await this.answers(id))) {
      if (member.process !== child) throw new Error(`${id} exited while starting:\n${this.logOf(id)}`);
      if (performance.now() > deadline) throw new Error(`${id} did not start in time:\n${this.logOf(id)}`);
      await sleep(50);
    }
  }

  /** kill -9, SIGSTOP or SIGCONT one node's process. */
  signal(id: string, signal: 'SIGKILL' | 'SIGSTOP' | 'SIGCONT'): void {
    const child = this.member(id).process;
    if (!child) throw new Error(`${id} is not running`);
    child.kill(signal);
    if (signal === 'SIGKILL') this.member(id).process = null;
  }

  async status(id: string): Promise<Record<string, unknown> | null> {
    try {
      const response = await fetch(`${this.url(id)}/status`, { signal: AbortSignal.timeout(1000) });
      return (await response.json()) as Record<string, unknown>;
    } catch {
      return null;
    }
  }

  /** The node that says it leads in the highest term, among those answering. */
  async leader(among = this.running()): Promise<{ id: string; term: number } | null> {
    let best: { id: string; term: number } | null = null;
    for (const id of among) {
      const status = await this.status(id);
      if (status?.['role'] === 'leader' && (best === null || (status['term'] as number) > best.term)) {
        best = { id, term: status['term'] as number };
      }
    }
    return best;
  }

  async post(id: string, path: string, body: unknown = {}): Promise<Response> {
    return fetch(`${this.url(id)}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
  }

  logOf(id: string): string {
    return this.lines
      .filter((line) => line.id === id)
      .map((line) => line.text)
      .join('\n');
  }

  firstLine(predicate: (line: LogLine) => boolean): LogLine | undefined {
    return this.lines.find(predicate);
  }

  async close(): Promise<void> {
    for (const member of this.members.values()) {
      const child = member.process;
      if (!child) continue;
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      member.process = null;
    }
    await sleep(100);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async answers(id: string): Promise<boolean> {
    return (await this.status(id)) !== null;
  }

  private member(id: string): Member {
    const member = this.members.get(id);
    if (!member) throw new Error(`no node ${id}`);
    return member;
  }
}

const LOOPBACK: NodeHost = { address: '127.0.0.1' };

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function eventually<T>(probe: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

async function freePort(): Promise<number> {
  const [port] = await freeLoopbackPorts(1);
  return port as number;
}
