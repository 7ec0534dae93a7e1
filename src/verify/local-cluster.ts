// Launches a cluster of `replikit node` processes on loopback for a campaign:
// a fresh temp directory (data, logs, a generated secret), free ports, and
// `--chaos` so the nemesis can partition through the nodes' own transports.
// Every process is killed in close(), and on the way out of this process if
// close() never ran.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReplicationMode } from '../client/index.js';
import type { ClusterTarget, ProcessControl, UnexpectedExit } from './cluster-target.js';
import { freeLoopbackPorts, LOOPBACK } from './free-ports.js';
import { NODE_START_TIMEOUT_MS, POLL_INTERVAL_MS, PROCESS_EXIT_TIMEOUT_MS } from './limits.js';
import { nodeStatus } from './node-api.js';
import { sleep } from './sleep.js';

/** Well above the transport's minimum (16). */
const SECRET_BYTES = 32;

export interface LocalClusterOptions {
  readonly nodes: number;
  readonly mode: ReplicationMode;
  readonly log: (line: string) => void;
}

interface NodeProcess {
  readonly id: string;
  readonly args: readonly string[];
  readonly url: string;
  readonly dataDir: string;
  readonly logFile: string;
  child: ChildProcess | null;
  exited: Promise<void>;
  /** Set just before this launcher kills the process, so its exit is not taken for a crash. */
  killing: boolean;
}

/** Children of every cluster still open, killed synchronously if this process exits first. */
const liveChildren = new Set<ChildProcess>();
/** Work directories of clusters still open, removed on the way out too. */
const liveWorkDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', killAllNodeProcesses);
}

/**
 * SIGKILLs every node process of every cluster still open, synchronously: for
 * a command that is itself being stopped by a signal (no 'exit' event then).
 */
export function killAllNodeProcesses(): void {
  for (const child of liveChildren) child.kill('SIGKILL');
  // Unlinking files a dying process still holds open is fine on Linux.
  for (const workDir of liveWorkDirs) rmSync(workDir, { recursive: true, force: true });
  liveWorkDirs.clear();
}

function replikitBin(): string {
  const here = fileURLToPath(import.meta.url);
  // From src/verify/*.ts under vitest, or from dist/src/verify/*.js when built.
  return fileURLToPath(new URL(here.endsWith('.ts') ? '../../bin/replikit.js' : '../../../bin/replikit.js', import.meta.url));
}

export async function startLocalCluster(options: LocalClusterOptions): Promise<ClusterTarget> {
  installExitHook();
  const workDir = mkdtempSync(join(tmpdir(), 'replikit-verify-'));
  liveWorkDirs.add(workDir);
  const ids = Array.from({ length: options.nodes }, (_, i) => `n${i + 1}`);
  const nodes = new Map<string, NodeProcess>();
  const unexpectedExits: UnexpectedExit[] = [];
  let closed = false;

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    try {
      await Promise.all([...nodes.values()].map((node) => killNode(node)));
    } finally {
      rmSync(workDir, { recursive: true, force: true });
      liveWorkDirs.delete(workDir);
    }
  };

  try {
    const secretFile = join(workDir, 'secret');
    writeFileSync(secretFile, randomBytes(SECRET_BYTES), { mode: 0o600 });
    mkdirSync(join(workDir, 'logs'));
    const ports = await freeLoopbackPorts(2 * ids.length);
    const httpPort = (i: number): number => ports[2 * i] as number;
    const raftPort = (i: number): number => ports[2 * i + 1] as number;
    const peers = ids.map((id, i) => `${id}=${LOOPBACK}:${raftPort(i)}`).join(',');
    const peerHttp = ids.map((id, i) => `${id}=http://${LOOPBACK}:${httpPort(i)}`).join(',');
    ids.forEach((id, i) => {
      const dataDir = join(workDir, 'data', id);
      const args = [
        replikitBin(),
        'node',
        '--id',
        id,
        '--http',
        `${LOOPBACK}:${httpPort(i)}`,
        '--listen',
        `${LOOPBACK}:${raftPort(i)}`,
        '--peers',
        peers,
        '--peer-http',
        peerHttp,
        '--data',
        dataDir,
        '--secret-file',
        secretFile,
        '--mode',
        options.mode,
        '--chaos',
      ];
      nodes.set(id, {
        id,
        args,
        url: `http://${LOOPBACK}:${httpPort(i)}`,
        dataDir,
        logFile: join(workDir, 'logs', `${id}.log`),
        child: null,
        exited: Promise.resolve(),
        killing: false,
      });
    });
    await Promise.all([...nodes.values()].map((node) => startNode(node)));
  } catch (error) {
    await close();
    throw error;
  }

  const nodeOf = (id: string): NodeProcess => {
    const node = nodes.get(id);
    if (!node) throw new RangeError(`no node ${id}`);
    return node;
  };
  const processes: ProcessControl = {
    kill: (id) => killNode(nodeOf(id)),
    start: (id) => startNode(nodeOf(id)),
    pause: (id) => void nodeOf(id).child?.kill('SIGSTOP'),
    resume: (id) => void nodeOf(id).child?.kill('SIGCONT'),
    isRunning: (id) => nodeOf(id).child !== null,
    unexpectedExits: () => [...unexpectedExits],
    dataDirOf: (id) => nodeOf(id).dataDir,
  };
  return {
    description: `${ids.length} local replikit node processes (${options.mode}) under ${workDir}`,
    nodeIds: ids,
    urlOf: (id) => nodeOf(id).url,
    endpoints: ids.map((id) => nodeOf(id).url),
    processes,
    logFiles: Object.fromEntries([...nodes.values()].map((node) => [node.id, node.logFile])),
    close,
  };

  async function startNode(node: NodeProcess): Promise<void> {
    if (closed) throw new Error('the cluster is closed');
    if (node.child) throw new Error(`${node.id} is already running`);
    // Appending: a restarted node's log follows its previous life's.
    const fd = openSync(node.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, node.args, { stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    node.child = child;
    node.killing = false;
    liveChildren.add(child);
    node.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        liveChildren.delete(child);
        if (node.child === child) node.child = null;
        if (!node.killing && !closed) {
          const how = signal ? `signal ${signal}` : `code ${code}`;
          unexpectedExits.push({ id: node.id, atMs: performance.now(), how, logFile: node.logFile });
          options.log(`${node.id} (pid ${child.pid}) exited on its own with ${how}; see ${node.logFile}`);
        }
        resolve();
      });
      child.once('error', (error) => {
        options.log(`${node.id}: spawn failed: ${error.message}`);
        liveChildren.delete(child);
        if (node.child === child) node.child = null;
        resolve();
      });
    });
    const deadline = performance.now() + NODE_START_TIMEOUT_MS;
    while (performance.now() < deadline) {
      if (node.child !== child) throw new Error(`${node.id} exited while starting; see ${node.logFile}`);
      if ((await nodeStatus(node.url)) !== null) return;
      await sleep(POLL_INTERVAL_MS);
    }
    throw new Error(`${node.id} did not answer /status within ${NODE_START_TIMEOUT_MS} ms; see ${node.logFile}`);
  }

  async function killNode(node: NodeProcess): Promise<void> {
    const child = node.child;
    if (!child) return;
    node.killing = true;
    child.kill('SIGKILL');
    const exited = await Promise.race([node.exited.then(() => true), sleep(PROCESS_EXIT_TIMEOUT_MS).then(() => false)]);
    if (!exited) throw new Error(`${node.id} (pid ${child.pid}) did not exit within ${PROCESS_EXIT_TIMEOUT_MS} ms of SIGKILL`);
  }
}
