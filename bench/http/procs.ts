// Processes for the HTTP benchmarks: a 3-node `replikit node` cluster and a
// 3-member etcd cluster, both on loopback with free ports and temp dirs, and
// helpers that bound every wait. Callers close() in `finally`; close() kills
// with SIGKILL (a benchmark has nothing to flush) and removes the temp dirs.
// test/process/process-cluster.ts is not imported: its BIN path is relative
// to the .ts source, and it always adds --chaos, which a benchmark must not.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeLoopbackPorts } from '../../src/verify/free-ports.js';

/** dist/bench/http/ → repo root bin/. */
const BIN = fileURLToPath(new URL('../../../bin/replikit.js', import.meta.url));
/** How long a process may take to start answering HTTP. */
export const START_TIMEOUT_MS = 30_000;
/** One status probe; a loaded machine can be slow, a dead node never answers. */
const PROBE_TIMEOUT_MS = 1_000;
/** Poll period of every wait. */
const POLL_MS = 50;
/** Output lines kept per process, for the error message when it fails. */
const LOG_LINES_KEPT = 200;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function freePort(): Promise<number> {
  const [port] = await freeLoopbackPorts(1);
  return port as number;
}

export async function eventually<T>(probe: () => Promise<T | null | undefined | false>, what: string, timeoutMs: number): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(POLL_MS);
  }
}

export async function getJson(url: string): Promise<Record<string, unknown> | null> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    return (await response.json()) as Record<string, unknown>;
  } catch {
    return null;
  }
}

class Proc {
  readonly log: string[] = [];
  child: ChildProcess | null = null;

  start(command: string, args: string[]): void {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const record = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) if (line) this.log.push(line);
      if (this.log.length > LOG_LINES_KEPT) this.log.splice(0, this.log.length - LOG_LINES_KEPT);
    };
    child.stdout?.on('data', record);
    child.stderr?.on('data', record);
    child.once('exit', () => {
      if (this.child === child) this.child = null;
    });
  }

  kill(): void {
    this.child?.kill('SIGKILL');
    this.child = null;
  }
}

interface ReplikitMember {
  readonly id: string;
  readonly httpPort: number;
  readonly raftPort: number;
  readonly proc: Proc;
}

/** A replikit cluster of `replikit node` processes, quorum mode (the default). */
export class ReplikitCluster {
  private readonly members = new Map<string, ReplikitMember>();
  private constructor(private readonly dir: string) {}

  static async start(nodes: number): Promise<ReplikitCluster> {
    const cluster = new ReplikitCluster(mkdtempSync(join(tmpdir(), 'replikit-bench-http-')));
    writeFileSync(join(cluster.dir, 'secret'), 'a benchmark secret of 32 bytes!!');
    for (let i = 1; i <= nodes; i++) {
      cluster.members.set(`n${i}`, { id: `n${i}`, httpPort: await freePort(), raftPort: await freePort(), proc: new Proc() });
    }
    try {
      await Promise.all(cluster.ids().map((id) => cluster.startNode(id)));
    } catch (error) {
      cluster.close();
      throw error;
    }
    return cluster;
  }

  ids(): string[] {
    return [...this.members.keys()];
  }

  url(id: string): string {
    return `http://127.0.0.1:${this.member(id).httpPort}`;
  }

  pid(id: string): number | undefined {
    return this.member(id).proc.child?.pid;
  }

  /** The kept log lines of every node that match, prefixed with the node id. */
  logLines(match: RegExp): string[] {
    return [...this.members.values()].flatMap((member) => member.proc.log.filter((line) => match.test(line)).map((line) => `${member.id}: ${line}`));
  }

  async startNode(id: string): Promise<void> {
    const member = this.member(id);
    const all = [...this.members.values()];
    member.proc.start(process.execPath, [
      BIN,
      'node',
      '--id',
      id,
      '--http',
      `127.0.0.1:${member.httpPort}`,
      '--listen',
      `127.0.0.1:${member.raftPort}`,
      '--peers',
      all.map((m) => `${m.id}=127.0.0.1:${m.raftPort}`).join(','),
      '--peer-http',
      all.map((m) => `${m.id}=http://127.0.0.1:${m.httpPort}`).join(','),
      '--data',
      join(this.dir, id),
      '--secret-file',
      join(this.dir, 'secret'),
    ]);
    const child = member.proc.child;
    await eventually(
      async () => {
        if (member.proc.child !== child) throw new Error(`${id} exited while starting:\n${member.proc.log.join('\n')}`);
        return (await this.status(id)) !== null;
      },
      `replikit ${id} to answer /status`,
      START_TIMEOUT_MS,
    );
  }

  /** kill -9: the process gets no chance to flush or say goodbye. */
  kill9(id: string): void {
    this.member(id).proc.kill();
  }

  async status(id: string): Promise<Record<string, unknown> | null> {
    return getJson(`${this.url(id)}/status`);
  }

  /** The node that says it leads in the highest term, among the running ones. */
  async leader(): Promise<{ id: string; term: number } | null> {
    let best: { id: string; term: number } | null = null;
    for (const id of this.ids()) {
      if (!this.member(id).proc.child) continue;
      const status = await this.status(id);
      const term = status?.['term'];
      if (status?.['role'] === 'leader' && typeof term === 'number' && (best === null || term > best.term)) best = { id, term };
    }
    return best;
  }

  close(): void {
    for (const member of this.members.values()) member.proc.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private member(id: string): ReplikitMember {
    const member = this.members.get(id);
    if (!member) throw new Error(`no node ${id}`);
    return member;
  }
}

interface EtcdMember {
  readonly name: string;
  readonly clientPort: number;
  readonly peerPort: number;
  readonly proc: Proc;
}

/** A 3-member etcd cluster: fsync on (etcd's default; --unsafe-no-fsync is not passed), defaults otherwise. */
export class EtcdCluster {
  private readonly members: EtcdMember[] = [];
  private constructor(private readonly dir: string) {}

  static async start(nodes: number): Promise<EtcdCluster> {
    const cluster = new EtcdCluster(mkdtempSync(join(tmpdir(), 'etcd-bench-http-')));
    for (let i = 1; i <= nodes; i++) {
      cluster.members.push({ name: `e${i}`, clientPort: await freePort(), peerPort: await freePort(), proc: new Proc() });
    }
    const initialCluster = cluster.members.map((m) => `${m.name}=http://127.0.0.1:${m.peerPort}`).join(',');
    try {
      for (const member of cluster.members) {
        const client = `http://127.0.0.1:${member.clientPort}`;
        const peer = `http://127.0.0.1:${member.peerPort}`;
        member.proc.start('etcd', [
          '--name',
          member.name,
          '--data-dir',
          join(cluster.dir, member.name),
          '--listen-client-urls',
          client,
          '--advertise-client-urls',
          client,
          '--listen-peer-urls',
          peer,
          '--initial-advertise-peer-urls',
          peer,
          '--initial-cluster',
          initialCluster,
          '--initial-cluster-state',
          'new',
          '--initial-cluster-token',
          'replikit-bench',
        ]);
      }
      for (const member of cluster.members) {
        await eventually(
          async () => {
            if (!member.proc.child) throw new Error(`etcd ${member.name} exited while starting:\n${member.proc.log.join('\n')}`);
            return (await getJson(`${cluster.clientUrl(member.name)}/health`))?.['health'] === 'true';
          },
          `etcd ${member.name} /health`,
          START_TIMEOUT_MS,
        );
      }
    } catch (error) {
      cluster.close();
      throw error;
    }
    return cluster;
  }

  /** The members' process ids, for CPU accounting. */
  pids(): number[] {
    return this.members.flatMap((member) => (member.proc.child?.pid === undefined ? [] : [member.proc.child.pid]));
  }

  clientUrl(name: string): string {
    const member = this.members.find((m) => m.name === name);
    if (!member) throw new Error(`no etcd member ${name}`);
    return `http://127.0.0.1:${member.clientPort}`;
  }

  /** The leader's client URL, from `etcdctl endpoint status` (member_id equal to the leader it reports). */
  leaderUrl(): string {
    const endpoints = this.members.map((m) => this.clientUrl(m.name));
    const out = execFileSync('etcdctl', ['--endpoints', endpoints.join(','), 'endpoint', 'status', '-w', 'json'], {
      encoding: 'utf8',
      timeout: 10_000,
      env: { ...process.env, ETCDCTL_API: '3' },
    });
    type StatusRow = { Endpoint: string; Status: { header: { member_id: number | string }; leader: number | string } };
    // member ids are uint64 and exceed 2^53: compare their JSON text, not parsed numbers.
    const raw = out.replace(/"(member_id|leader)":(\d+)/g, '"$1":"$2"');
    const exact = JSON.parse(raw) as StatusRow[];
    const leader = exact.find((row) => String(row.Status.header.member_id) === String(row.Status.leader));
    if (!leader) throw new Error(`etcdctl endpoint status names no leader:\n${out}`);
    return leader.Endpoint;
  }

  close(): void {
    for (const member of this.members) member.proc.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** dist/bench/http/noop-server.js, beside this file once built. */
const NOOP_SERVER = fileURLToPath(new URL('./noop-server.js', import.meta.url));

/** One process running noop-server: the HTTP ceiling vs-etcd measures beside the two systems. */
export class NoopServer {
  private readonly proc = new Proc();
  private constructor(readonly url: string) {}

  static async start(): Promise<NoopServer> {
    const port = await freePort();
    const server = new NoopServer(`http://127.0.0.1:${port}`);
    server.proc.start(process.execPath, [NOOP_SERVER, String(port)]);
    try {
      await eventually(
        async () => {
          if (!server.proc.child) throw new Error(`noop-server exited while starting:\n${server.proc.log.join('\n')}`);
          return server.proc.log.some((line) => line.startsWith('listening on'));
        },
        'noop-server listening',
        START_TIMEOUT_MS,
      );
    } catch (error) {
      server.close();
      throw error;
    }
    return server;
  }

  pid(): number | undefined {
    return this.proc.child?.pid;
  }

  close(): void {
    this.proc.kill();
  }
}
