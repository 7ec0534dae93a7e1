// The TCP transport on loopback: exact delivery of every message variant,
// batching, reconnects, the handshake refusing strangers, bounded queues,
// mutual TLS, and fuzzing of both the live listener and the pure decoders.
// Every wait is a bounded poll on a condition, never a timing threshold.

import * as net from 'node:net';
import { Packr } from 'msgpackr';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppendEntries, Message, MessageType, NodeId } from '../../src/core/types.js';
import { createSeededRandom, type RandomSource } from '../../src/transport/index.js';
import {
  backoffDelayMs,
  checkHello,
  checkWelcome,
  createTcpTransport,
  decodeBatch,
  decodeFrames,
  decodeHandshakePayload,
  encodeBatchFrame,
  encodeFrame,
  encodeHandshakeFrame,
  FRAME_HEADER_BYTES,
  FrameDecoder,
  isMessage,
  makeConfirm,
  makeHello,
  makeWelcome,
  MAX_HANDSHAKE_FRAME_BYTES,
  newNonce,
  type HandshakeKeys,
  type TcpAddress,
  type TcpTransport,
  type TcpTransportLimits,
  type TcpTransportOptions,
} from '../../src/transport/tcp/index.js';
import { createTestCa } from '../fixtures/tcp-certs.js';

const HOST = '127.0.0.1';
const CLUSTER = 'cluster-a';
const SECRET = Buffer.from('the tcp tests share this secret; 32+ bytes', 'utf8');
const KEYS: HandshakeKeys = { clusterId: CLUSTER, secret: SECRET };
/** Port 0 in `peers`: the address is set once the peer has listened. */
const NOT_YET: TcpAddress = { host: HOST, port: 0 };
/** Quick reconnects so tests move on; the handshake timeout is generous for a loaded 2-core box. */
const TEST_LIMITS: TcpTransportLimits = { minBackoffMs: 10, maxBackoffMs: 200, handshakeTimeoutMs: 10_000 };

// ------------------------------------------------------------------ fixtures

function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

type SamplesOfEveryVariant = { readonly [T in MessageType]: readonly Extract<Message, { type: T }>[] };

/** Every Message variant with awkward values; keyed by type so a new variant must get a sample. */
function everyVariant(from: NodeId, to: NodeId): Message[] {
  const backing = Uint8Array.from({ length: 64 }, (_, i) => i);
  const samples: SamplesOfEveryVariant = {
    AppendEntries: [
      {
        type: 'AppendEntries',
        from,
        to,
        term: 7,
        prevLogIndex: 41,
        prevLogTerm: 6,
        leaderCommit: 40,
        entries: [
          { index: 42, term: 7, kind: 'command', data: bytes(1, 2, 3, 255) },
          { index: 43, term: 7, kind: 'command', data: backing.subarray(10, 20) },
          { index: 44, term: 7, kind: 'command', data: new Uint8Array(0) },
          { index: 45, term: 7, kind: 'noop' },
          { index: 46, term: 7, kind: 'config', membership: { voters: ['n1', 'n2', 'n3'], learners: [] } },
        ],
      },
      {
        type: 'AppendEntries',
        from,
        to,
        term: 2 ** 40,
        prevLogIndex: Number.MAX_SAFE_INTEGER,
        prevLogTerm: 0,
        leaderCommit: 0,
        entries: [],
      },
    ],
    AppendEntriesResponse: [
      { type: 'AppendEntriesResponse', from, to, term: 7, success: true, matchIndex: 46, rejectedIndex: 0, hintIndex: 0, hintTerm: 0 },
      { type: 'AppendEntriesResponse', from, to, term: 7, success: false, matchIndex: 0, rejectedIndex: 20, hintIndex: 12, hintTerm: 5 },
    ],
    RequestVote: [
      { type: 'RequestVote', from, to, term: 8, preVote: true, transfer: false, lastLogIndex: 46, lastLogTerm: 7 },
      { type: 'RequestVote', from, to, term: 8, preVote: false, transfer: true, lastLogIndex: 0, lastLogTerm: 0 },
    ],
    RequestVoteResponse: [
      { type: 'RequestVoteResponse', from, to, term: 8, preVote: false, granted: true },
      { type: 'RequestVoteResponse', from, to, term: 8, preVote: true, granted: false },
    ],
    Heartbeat: [{ type: 'Heartbeat', from, to, term: 8, commit: 46, round: 3 }],
    HeartbeatResponse: [{ type: 'HeartbeatResponse', from, to, term: 8, round: 3, lastIndex: 46 }],
    ReadIndexRequest: [{ type: 'ReadIndexRequest', from, to, term: 8, requestId: 2 ** 40, lease: true }],
    ReadIndexResponse: [
      { type: 'ReadIndexResponse', from, to, term: 8, requestId: 1, ok: true, index: 46 },
      { type: 'ReadIndexResponse', from, to, term: 9, requestId: 2, ok: false, index: 0 },
    ],
    InstallSnapshot: [
      {
        type: 'InstallSnapshot',
        from,
        to,
        term: 9,
        snapshot: {
          meta: { index: 100, term: 9, membership: { voters: ['n1'], learners: ['n4'] } },
          data: Uint8Array.from({ length: 100_000 }, (_, i) => i % 251),
        },
      },
    ],
    TimeoutNow: [{ type: 'TimeoutNow', from, to, term: 9 }],
  };
  return Object.values(samples).flat();
}

function heartbeat(from: NodeId, to: NodeId, round: number): Message {
  return { type: 'Heartbeat', from, to, term: 1, commit: 0, round };
}

function appendEntries(from: NodeId, to: NodeId, index: number, entries: number, entryBytes: number): AppendEntries {
  return {
    type: 'AppendEntries',
    from,
    to,
    term: 1,
    prevLogIndex: index - 1,
    prevLogTerm: 1,
    leaderCommit: 0,
    entries: Array.from({ length: entries }, (_, i) => ({
      index: index + i,
      term: 1,
      kind: 'command' as const,
      data: new Uint8Array(entryBytes).fill((index + i) % 256),
    })),
  };
}

function roundOf(message: Message): number {
  if (message.type !== 'Heartbeat') throw new Error(`expected a Heartbeat, got ${message.type}`);
  return message.round;
}

function allBytesFields(messages: readonly Message[]): Uint8Array[] {
  const found: Uint8Array[] = [];
  for (const message of messages) {
    if (message.type === 'AppendEntries') {
      for (const entry of message.entries) if (entry.data !== undefined) found.push(entry.data);
    } else if (message.type === 'InstallSnapshot') {
      found.push(message.snapshot.data);
    }
  }
  return found;
}

/**
 * The messages with every Uint8Array replaced by a tagged hex string: the same
 * strict comparison, without the test runner walking 100k-element arrays one
 * element at a time. A field that is not a Uint8Array cannot pass for one.
 */
function comparable(value: unknown): unknown {
  if (value instanceof Uint8Array) return `Uint8Array(${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')})`;
  if (Array.isArray(value)) return value.map(comparable);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, comparable(field)]));
  }
  return value;
}

function sameBuffers(a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean {
  return a.length === b.length && a.every((buffer, i) => Buffer.from(buffer).equals(Buffer.from(b[i] ?? [])));
}

function randomBytesFrom(random: RandomSource, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i += 1) out[i] = Math.floor(random() * 256);
  return out;
}

function randomInt(random: RandomSource, below: number): number {
  return Math.floor(random() * below);
}

function header(length: number): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  out.writeUInt32BE(length, 0);
  return out;
}

// ----------------------------------------------------------------- harness

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `condition` holds; the bound only turns a hang into a clear failure, it is no performance claim. */
async function waitFor(what: string, condition: () => boolean, attempts = 3_000): Promise<void> {
  for (let i = 0; i < attempts; i += 1) {
    if (condition()) return;
    await sleep(10);
  }
  throw new Error(`gave up waiting for ${what}`);
}

interface TestNode {
  readonly id: NodeId;
  readonly transport: TcpTransport;
  readonly batches: Message[][];
  readonly logs: string[];
  readonly address: TcpAddress;
  messages(): Message[];
}

interface NodeOptions {
  readonly port?: number;
  readonly clusterId?: string;
  readonly secret?: Uint8Array;
  readonly tls?: TcpTransportOptions['tls'];
  readonly limits?: TcpTransportLimits;
  /** Don't listen: a node that only dials. */
  readonly dialOnly?: boolean;
}

async function startNode(id: NodeId, peerIds: readonly NodeId[], options: NodeOptions = {}): Promise<TestNode> {
  const logs: string[] = [];
  const transport = createTcpTransport({
    selfId: id,
    listen: { host: HOST, port: options.port ?? 0 },
    peers: Object.fromEntries(peerIds.map((peer) => [peer, NOT_YET])),
    clusterId: options.clusterId ?? CLUSTER,
    secret: options.secret ?? SECRET,
    tls: options.tls,
    log: (line) => logs.push(line),
    limits: { ...TEST_LIMITS, ...options.limits },
    seed: 42,
  });
  cleanups.push(() => transport.closeAsync());
  const batches: Message[][] = [];
  transport.onReceive((messages) => batches.push([...messages]));
  const address = options.dialOnly ? NOT_YET : await transport.listen();
  return { id, transport, batches, logs, address, messages: () => batches.flat() };
}

/** A full mesh of transports that know each other's real ports. */
async function startCluster(ids: readonly NodeId[], options: (id: NodeId) => NodeOptions = () => ({})): Promise<Map<NodeId, TestNode>> {
  const nodes = new Map<NodeId, TestNode>();
  for (const id of ids)
    nodes.set(
      id,
      await startNode(
        id,
        ids.filter((other) => other !== id),
        options(id),
      ),
    );
  for (const node of nodes.values()) {
    for (const peer of node.transport.peers) node.transport.setPeerAddress(peer, get(nodes, peer).address);
  }
  return nodes;
}

function get<K, V>(map: ReadonlyMap<K, V>, key: K): V {
  const value = map.get(key);
  if (value === undefined) throw new Error(`missing ${String(key)}`);
  return value;
}

/** Both directions of every pair authenticated. */
function meshReady(nodes: ReadonlyMap<NodeId, TestNode>): boolean {
  for (const node of nodes.values()) {
    for (const status of Object.values(node.transport.peerStatus())) {
      if (status.outbound !== 'ready' || !status.inboundConnected) return false;
    }
  }
  return true;
}

/** A loopback port nothing listens on (bound, then released). */
async function freeTcpPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function logged(node: TestNode, fragment: string): boolean {
  return node.logs.some((line) => line.includes(fragment));
}

// ------------------------------------------------------- raw socket helpers

function connectRaw(address: TcpAddress): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    // No Nagle: a small write after an unacknowledged one would wait for a delayed ACK (~40 ms).
    const socket = net.connect({ host: address.host, port: address.port, noDelay: true }, () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Resolves when the socket has closed (whoever closed it); errors such as ECONNRESET are expected here. */
function closedOf(socket: net.Socket): Promise<void> {
  socket.on('error', () => {});
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

/** Frames arriving on a raw socket, one promise at a time; null when the socket closed first. */
function frameReader(socket: net.Socket): () => Promise<Uint8Array | null> {
  const decoder = new FrameDecoder(MAX_HANDSHAKE_FRAME_BYTES);
  const waiting: ((frame: Uint8Array | null) => void)[] = [];
  const ready: Uint8Array[] = [];
  let ended = false;
  socket.on('data', (chunk: Buffer) => {
    decoder.push(chunk);
    for (let next = decoder.next(); next.ok && next.frame !== null; next = decoder.next()) {
      const resolve = waiting.shift();
      if (resolve) resolve(next.frame);
      else ready.push(next.frame);
    }
  });
  socket.on('close', () => {
    ended = true;
    for (const resolve of waiting.splice(0)) resolve(null);
  });
  return () => {
    const frame = ready.shift();
    if (frame !== undefined) return Promise.resolve(frame);
    if (ended) return Promise.resolve(null);
    return new Promise((resolve) => waiting.push(resolve));
  };
}

/** Dials `address` and runs the dialer's side of the handshake as `as`; the socket is then authenticated. */
async function authenticateRaw(address: TcpAddress, as: NodeId, listener: NodeId): Promise<net.Socket> {
  const socket = await connectRaw(address);
  socket.on('error', () => {});
  const nextFrame = frameReader(socket);
  const nonce = newNonce();
  socket.write(encodeHandshakeFrame(makeHello(KEYS, as, listener, nonce)));
  const frame = await nextFrame();
  if (frame === null) throw new Error('listener closed instead of welcoming');
  const payload = decodeHandshakePayload(frame);
  if (!payload.ok) throw new Error(payload.reason);
  const welcome = checkWelcome(KEYS, payload.value, as, listener, nonce);
  if (!welcome.ok) throw new Error(welcome.reason);
  socket.write(encodeHandshakeFrame(makeConfirm(KEYS, as, listener, nonce, welcome.value.nonce)));
  return socket;
}

/**
 * A stand-in peer that speaks the listener's side of the handshake by hand:
 * with `honest` false its welcome carries a random proof; once a dialer is
 * authenticated, `onAuthenticated` gets the socket (to pause it, count bytes...).
 */
async function fakePeer(
  selfId: NodeId,
  options: { honest: boolean; onAuthenticated?: (socket: net.Socket) => void },
): Promise<{ address: TcpAddress; helloCount: () => number }> {
  let hellos = 0;
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    const nextFrame = frameReader(socket);
    void (async () => {
      const helloFrame = await nextFrame();
      if (helloFrame === null) return;
      const payload = decodeHandshakePayload(helloFrame);
      const hello = payload.ok ? checkHello(KEYS, payload.value, selfId, () => true) : payload;
      if (!hello.ok) throw new Error(`fake peer got a bad hello: ${hello.reason}`);
      hellos += 1;
      const listenerNonce = newNonce();
      const welcome = makeWelcome(KEYS, selfId, hello.value.from, hello.value.nonce, listenerNonce);
      const sent = options.honest ? welcome : { ...welcome, proof: newNonce() };
      socket.write(encodeHandshakeFrame(sent));
      if (!options.honest) return;
      // The confirm travels with whatever data follows; the test owns the socket from here.
      socket.removeAllListeners('data');
      options.onAuthenticated?.(socket);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  const bound = server.address();
  if (bound === null || typeof bound !== 'object') throw new Error('no address');
  return { address: { host: HOST, port: bound.port }, helloCount: () => hellos };
}

/** A port with nothing listening on it (bound once, then released). */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const bound = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (bound === null || typeof bound !== 'object') throw new Error('no address');
  return bound.port;
}

// ====================================================================== tests

describe('tcp transport: delivery', () => {
  it('three transports exchange every Message variant exactly', async () => {
    const ids = ['n1', 'n2', 'n3'];
    const nodes = await startCluster(ids);
    const sent = new Map<string, Message[]>();
    for (const from of ids) {
      const outgoing: Message[] = [];
      for (const to of ids.filter((id) => id !== from)) {
        const variants = everyVariant(from, to);
        sent.set(`${from}->${to}`, variants);
        outgoing.push(...variants);
      }
      // One send per node with everything for both peers, interleaved by peer.
      get(nodes, from).transport.send(outgoing);
    }
    await waitFor('every node to receive a batch from each peer', () => [...nodes.values()].every((node) => node.batches.length === 2));
    for (const node of nodes.values()) {
      for (const batch of node.batches) {
        const from = batch[0]?.from ?? '?';
        const expected = get(sent, `${from}->${node.id}`);
        expect(comparable(batch)).toStrictEqual(comparable(expected));
        const sentBytes = allBytesFields(expected);
        const receivedBytes = allBytesFields(batch);
        expect(receivedBytes.every((data) => data instanceof Uint8Array)).toBe(true);
        expect(sameBuffers(receivedBytes, sentBytes)).toBe(true);
      }
      const stats = node.transport.stats();
      expect(stats.sentBatches).toBe(2);
      expect(stats.receivedBatches).toBe(2);
      expect(stats.sentMessages).toBe(2 * everyVariant('a', 'b').length);
      expect(stats.receivedMessages).toBe(stats.sentMessages);
      expect(stats.droppedMessages).toBe(0);
      expect(stats.refusedConnections).toBe(0);
    }
  });

  it('writes one frame per peer per send and delivers frames in order', async () => {
    const nodes = await startCluster(['n1', 'n2', 'n3']);
    await waitFor('the mesh to connect', () => meshReady(nodes));
    const n1 = get(nodes, 'n1').transport;
    const toN2 = Array.from({ length: 50 }, (_, round) => heartbeat('n1', 'n2', round));
    const toN3 = Array.from({ length: 30 }, (_, round) => heartbeat('n1', 'n3', round));
    n1.send(toN2.flatMap((message, i) => [message, toN3[i]].filter((m): m is Message => m !== undefined)));
    expect(n1.stats().sentBatches).toBe(2);
    for (let round = 100; round < 110; round += 1) n1.send([heartbeat('n1', 'n2', round)]);
    expect(n1.stats().sentBatches).toBe(12);

    const n2 = get(nodes, 'n2');
    const n3 = get(nodes, 'n3');
    await waitFor('n2 to receive 11 frames', () => n2.batches.length === 11);
    await waitFor('n3 to receive 1 frame', () => n3.batches.length === 1);
    expect(n2.batches[0]?.map(roundOf)).toEqual([...Array(50).keys()]);
    expect(n2.batches.slice(1).map((batch) => batch.map(roundOf))).toEqual(Array.from({ length: 10 }, (_, i) => [100 + i]));
    expect(n3.batches[0]?.map(roundOf)).toEqual([...Array(30).keys()]);
    expect(n2.transport.stats().receivedBatches).toBe(11);
    // sentBytes is what went on the wire: exactly the frames as encoded.
    const expectedBytes =
      encodeBatchFrame(toN2).byteLength +
      encodeBatchFrame(toN3).byteLength +
      Array.from({ length: 10 }, (_, i) => encodeBatchFrame([heartbeat('n1', 'n2', 100 + i)]).byteLength).reduce((a, b) => a + b, 0);
    expect(n1.stats().sentBytes).toBe(expectedBytes);
  });

  it('queues while connecting, so the first messages after start are not lost', async () => {
    const nodes = await startCluster(['n1', 'n2']);
    // No wait for the handshake: the link is 'connecting' and queues.
    get(nodes, 'n1').transport.send([heartbeat('n1', 'n2', 1)]);
    expect(get(nodes, 'n1').transport.peerStatus().n2?.queuedMessages).toBe(1);
    await waitFor('n2 to receive it', () => get(nodes, 'n2').messages().length === 1);
    expect(get(nodes, 'n2').messages().map(roundOf)).toEqual([1]);
  });

  it('drops, counts and logs messages to unknown peers, batches over the frame limit, and sends after close', async () => {
    const nodes = await startCluster(['n1', 'n2'], () => ({ limits: { maxFrameBytes: 64 * 1024 } }));
    await waitFor('the mesh to connect', () => meshReady(nodes));
    const n1 = get(nodes, 'n1');
    const huge = appendEntries('n1', 'n2', 1, 2, 64 * 1024);
    n1.transport.send([heartbeat('n1', 'n9', 1), huge]);
    expect(n1.transport.stats().droppedMessages).toBe(2);
    expect(logged(n1, 'over the 65536-byte frame limit')).toBe(true);
    n1.transport.send([heartbeat('n1', 'n2', 2)]);
    await waitFor('the small message to arrive', () => get(nodes, 'n2').messages().length === 1);
    expect(get(nodes, 'n2').messages().map(roundOf)).toEqual([2]);

    await n1.transport.closeAsync();
    n1.transport.close(); // idempotent
    n1.transport.send([heartbeat('n1', 'n2', 3)]);
    expect(n1.transport.stats().droppedMessages).toBe(3);
    await expect(n1.transport.listen()).rejects.toThrow(/closed/);
  });

  it('sends messages from a node that restarted, and to it, once it is back on the same port', async () => {
    const nodes = await startCluster(['n1', 'n2']);
    await waitFor('the mesh to connect', () => meshReady(nodes));
    const n1 = get(nodes, 'n1');
    const oldN2 = get(nodes, 'n2');
    n1.transport.send([heartbeat('n1', 'n2', 1)]);
    await waitFor('the first heartbeat', () => oldN2.messages().length === 1);

    await oldN2.transport.closeAsync();
    await waitFor('n1 to notice n2 is gone', () => n1.transport.peerStatus().n2?.outbound !== 'ready');
    // While n2 is down, n1's sends are dropped and counted, never queued without bound.
    n1.transport.send([heartbeat('n1', 'n2', 2)]);

    const newN2 = await startNode('n2', ['n1'], { port: oldN2.address.port });
    newN2.transport.setPeerAddress('n1', n1.address);
    // Keep sending (as Raft would) until the reconnected link carries one.
    let round = 100;
    await waitFor('a heartbeat to reach the restarted n2', () => {
      n1.transport.send([heartbeat('n1', 'n2', round++)]);
      return newN2.messages().length > 0;
    });
    newN2.transport.send([heartbeat('n2', 'n1', 7)]);
    await waitFor('the restarted n2 to reach n1', () => n1.messages().some((m) => m.from === 'n2' && roundOf(m) === 7));
    expect(n1.transport.stats().reconnects).toBeGreaterThanOrEqual(1);
    expect(logged(n1, 'reconnected to n2')).toBe(true);
    expect(newN2.messages().every((m) => roundOf(m) >= 100)).toBe(true);
    await waitFor('n1 to accept the restarted n2', () => n1.transport.peerStatus().n2?.inboundConnected === true);
  });
});

describe('tcp transport: crash evidence', () => {
  it('reports a peer gone, once, when its working connection closes and a redial is refused', async () => {
    const nodes = await startCluster(['n1', 'n2']);
    await waitFor('the mesh to connect', () => meshReady(nodes));
    const n1 = get(nodes, 'n1');
    const gone: NodeId[] = [];
    n1.transport.onPeerGone?.((peer) => gone.push(peer));
    await get(nodes, 'n2').transport.closeAsync(); // as its process dying would: sockets closed, port released
    await waitFor('n1 to report n2 gone', () => gone.length > 0);
    await waitFor('a few more refused dials', () => (n1.transport.peerStatus().n2?.consecutiveFailures ?? 0) >= 3);
    expect(gone).toEqual(['n2']);
    expect(logged(n1, 'n2 is gone: its connection closed and a redial was refused')).toBe(true);
  });

  it('reports nothing for a peer it never reached, nor for a connection it closed itself', async () => {
    const lonely = await startNode('n1', ['n2']);
    const gone: NodeId[] = [];
    lonely.transport.onPeerGone?.((peer) => gone.push(peer));
    const closedPort = await freeTcpPort();
    lonely.transport.setPeerAddress('n2', { host: HOST, port: closedPort });
    await waitFor('refused dials', () => (lonely.transport.peerStatus().n2?.consecutiveFailures ?? 0) >= 3);
    expect(gone).toEqual([]);

    const nodes = await startCluster(['a', 'b']);
    await waitFor('the mesh to connect', () => meshReady(nodes));
    const a = get(nodes, 'a');
    a.transport.onPeerGone?.((peer) => gone.push(peer));
    await a.transport.closeAsync();
    await sleep(100);
    expect(gone).toEqual([]);
  });
});

describe('tcp transport: a peer coming back', () => {
  it('a link waiting out a long backoff dials at once when the peer connects to us', async () => {
    // A backoff far longer than this test may run: only the peer's own connection can end it.
    const slow: TcpTransportLimits = { minBackoffMs: 600_000, maxBackoffMs: 600_000 };
    const nodes = await startCluster(['n1', 'n2'], () => ({ limits: slow }));
    await waitFor('the mesh to connect', () => meshReady(nodes));
    const n1 = get(nodes, 'n1');
    const oldN2 = get(nodes, 'n2');
    await oldN2.transport.closeAsync();
    await waitFor('n1 to back off from n2', () => n1.transport.peerStatus().n2?.outbound === 'backoff');

    const newN2 = await startNode('n2', ['n1'], { port: oldN2.address.port, limits: slow });
    newN2.transport.setPeerAddress('n1', n1.address);
    await waitFor('n1 to accept the restarted n2', () => n1.transport.peerStatus().n2?.inboundConnected === true);
    await waitFor('n1 to redial n2', () => n1.transport.peerStatus().n2?.outbound === 'ready');
    n1.transport.send([heartbeat('n1', 'n2', 9)]);
    await waitFor('a heartbeat to reach the restarted n2', () => newN2.messages().some((m) => roundOf(m) === 9));
  });
});

describe('tcp transport: handshake', () => {
  it('refuses a wrong secret, another cluster id and an unknown node id, logging why, while the others keep working', async () => {
    const nodes = await startCluster(['n1', 'n2', 'n3']);
    await waitFor('the mesh to connect', () => meshReady(nodes));
    const n1 = get(nodes, 'n1');
    const impostors = [
      await startNode('n2', ['n1'], { dialOnly: true, secret: Buffer.from('not the secret, though long enough') }),
      await startNode('n3', ['n1'], { dialOnly: true, clusterId: 'cluster-b' }),
      await startNode('n9', ['n1'], { dialOnly: true }),
    ];
    for (const impostor of impostors) impostor.transport.setPeerAddress('n1', n1.address);
    let round = 1000;
    await waitFor('n1 to refuse all three', () => {
      for (const impostor of impostors) impostor.transport.send([heartbeat(impostor.id, 'n1', round++)]);
      return logged(n1, 'bad hello proof from "n2" (wrong secret)') && logged(n1, 'cluster id "cluster-b" is not ours') && logged(n1, 'unknown node id "n9"');
    });
    expect(n1.transport.stats().refusedConnections).toBeGreaterThanOrEqual(3);
    for (const impostor of impostors) {
      expect(impostor.transport.stats().connects).toBe(0);
      expect(impostor.transport.stats().sentMessages).toBe(0);
      expect(logged(impostor, 'dial to n1')).toBe(true);
    }
    // The real peers still get through, and nothing an impostor sent was delivered.
    get(nodes, 'n2').transport.send([heartbeat('n2', 'n1', 1)]);
    get(nodes, 'n3').transport.send([heartbeat('n3', 'n1', 2)]);
    await waitFor('the real peers to reach n1', () => n1.messages().length === 2);
    expect(n1.messages().map(roundOf).sort()).toEqual([1, 2]);
    expect(n1.transport.peerStatus().n2?.inboundConnected).toBe(true);
  });

  it('refuses a listener that cannot prove the secret, and sends it nothing', async () => {
    const n1 = await startNode('n1', ['n2']);
    const fake = await fakePeer('n2', { honest: false });
    n1.transport.setPeerAddress('n2', fake.address);
    await waitFor('n1 to refuse the fake welcome', () => logged(n1, 'bad welcome proof'));
    n1.transport.send([heartbeat('n1', 'n2', 1)]);
    expect(n1.transport.stats().refusedConnections).toBeGreaterThanOrEqual(1);
    expect(n1.transport.stats().connects).toBe(0);
    expect(n1.transport.stats().sentMessages).toBe(0);
    expect(n1.transport.peerStatus().n2?.outbound).not.toBe('ready');
  });

  it('drops messages whose from or to does not match the authenticated connection', async () => {
    const n1 = await startNode('n1', ['n2', 'n3']);
    const socket = await authenticateRaw(n1.address, 'n2', 'n1');
    await waitFor('n1 to accept the raw n2', () => n1.transport.peerStatus().n2?.inboundConnected === true);
    socket.write(encodeBatchFrame([heartbeat('n3', 'n1', 1), heartbeat('n2', 'n3', 2), heartbeat('n2', 'n1', 3)]));
    await waitFor('the genuine message', () => n1.messages().length === 1);
    expect(n1.messages().map(roundOf)).toEqual([3]);
    expect(n1.transport.stats().droppedReceivedMessages).toBe(2);
    expect(logged(n1, 'dropped 2 message(s) from n2 not sent by n2 to n1')).toBe(true);
    socket.destroy();
  });

  it('closes a connection that says nothing within the handshake timeout', async () => {
    const n1 = await startNode('n1', ['n2'], { limits: { handshakeTimeoutMs: 50 } });
    const socket = await connectRaw(n1.address);
    await closedOf(socket);
    expect(logged(n1, 'no handshake within 50 ms')).toBe(true);
    expect(n1.transport.stats().refusedConnections).toBe(1);
  });

  it('closes connections beyond the pending-handshake limit on arrival', async () => {
    const n1 = await startNode('n1', ['n2'], { limits: { maxPendingHandshakes: 2 } });
    const held = [await connectRaw(n1.address), await connectRaw(n1.address)];
    const third = await connectRaw(n1.address);
    await closedOf(third);
    expect(logged(n1, '2 handshakes already pending')).toBe(true);
    for (const socket of held) socket.destroy();
    // A real peer still gets in once the strangers are gone.
    await waitFor('the pending slots to free up', () => n1.transport.stats().refusedConnections === 3);
    const n2 = await startNode('n2', ['n1'], { dialOnly: true });
    n2.transport.setPeerAddress('n1', n1.address);
    n2.transport.send([heartbeat('n2', 'n1', 1)]);
    await waitFor('n2 to reach n1', () => n1.messages().length === 1);
  });
});

describe('tcp transport: bounded queues', () => {
  it('drops and counts for a peer that is down, holding nothing', async () => {
    const maxQueuedMessagesPerPeer = 16;
    const n1 = await startNode('n1', ['n2'], { dialOnly: true, limits: { maxQueuedMessagesPerPeer } });
    n1.transport.setPeerAddress('n2', { host: HOST, port: await deadPort() });
    await waitFor('the first dial to fail', () => n1.transport.peerStatus().n2?.outbound === 'backoff');
    for (let i = 0; i < 2_000; i += 1) {
      n1.transport.send([appendEntries('n1', 'n2', i, 4, 1024)]);
      // Dropped at once in backoff; queued (within the limit) only while a redial is in flight.
      expect(n1.transport.peerStatus().n2?.queuedMessages ?? 0).toBeLessThanOrEqual(maxQueuedMessagesPerPeer);
      if (i % 100 === 0) await sleep(1); // let dials and backoff timers run
    }
    expect(n1.transport.stats().connectAttempts).toBeGreaterThanOrEqual(2);
    expect(logged(n1, 'dial to n2')).toBe(true);
    await n1.transport.closeAsync();
    const stats = n1.transport.stats();
    expect(stats.sentMessages).toBe(0);
    expect(stats.droppedMessages).toBe(2_000);
  });

  it('bounds the queue to a peer that stops reading, then drains it when the peer reads again', async () => {
    const maxQueuedBytesPerPeer = 1024 * 1024;
    const maxQueuedMessagesPerPeer = 64;
    const n1 = await startNode('n1', ['n2'], { dialOnly: true, limits: { maxQueuedBytesPerPeer, maxQueuedMessagesPerPeer } });
    let stalled: net.Socket | null = null;
    let receivedBytes = 0;
    const fake = await fakePeer('n2', {
      honest: true,
      onAuthenticated: (socket) => {
        stalled = socket;
        socket.on('data', (chunk: Buffer) => {
          receivedBytes += chunk.byteLength;
        });
        socket.pause(); // reads nothing: the kernel buffers fill, then our socket pushes back
      },
    });
    n1.transport.setPeerAddress('n2', fake.address);
    await waitFor('the link to be ready', () => n1.transport.peerStatus().n2?.outbound === 'ready');

    const entryBytes = 64 * 1024;
    let peakQueuedBytes = 0;
    let sends = 0;
    // 64 KiB per send: after a few MiB of kernel buffers the queue fills and drops begin.
    for (; sends < 4_000 && n1.transport.stats().droppedMessages < 200; sends += 1) {
      n1.transport.send([appendEntries('n1', 'n2', sends, 1, entryBytes)]);
      const status = n1.transport.peerStatus().n2;
      expect(status?.queuedMessages ?? 0).toBeLessThanOrEqual(maxQueuedMessagesPerPeer);
      expect(status?.queuedBytes ?? 0).toBeLessThanOrEqual(maxQueuedBytesPerPeer);
      peakQueuedBytes = Math.max(peakQueuedBytes, status?.queuedBytes ?? 0);
      await new Promise((resolve) => setImmediate(resolve)); // let the socket flush what it can
    }
    const stats = n1.transport.stats();
    expect(stats.droppedMessages).toBeGreaterThanOrEqual(200);
    expect(peakQueuedBytes).toBeGreaterThan(0);
    // Everything is accounted for: written, queued, or dropped.
    expect(stats.sentMessages + (n1.transport.peerStatus().n2?.queuedMessages ?? 0) + stats.droppedMessages).toBe(sends);

    expect(stalled).not.toBeNull();
    (stalled as net.Socket | null)?.resume();
    await waitFor('the queue to drain once the peer reads', () => n1.transport.peerStatus().n2?.queuedMessages === 0);
    await waitFor('the peer to read everything written', () => receivedBytes >= n1.transport.stats().sentBytes);
    expect(n1.transport.stats().sentMessages + n1.transport.stats().droppedMessages).toBe(sends);
  });
  it('redials a peer that has read nothing for writeStallTimeoutMs', async () => {
    const writeStallTimeoutMs = 300;
    const n1 = await startNode('n1', ['n2'], { dialOnly: true, limits: { writeStallTimeoutMs } });
    const fake = await fakePeer('n2', { honest: true, onAuthenticated: (socket) => socket.pause() });
    n1.transport.setPeerAddress('n2', fake.address);
    await waitFor('the link to be ready', () => n1.transport.peerStatus().n2?.outbound === 'ready');
    let index = 0;
    await waitFor('n1 to give up on the stalled connection', () => {
      n1.transport.send([appendEntries('n1', 'n2', index++, 1, 64 * 1024)]);
      return logged(n1, `the peer read nothing for ${writeStallTimeoutMs} ms`);
    });
    await waitFor('a fresh connection', () => n1.transport.stats().reconnects >= 1);
    expect(fake.helloCount()).toBeGreaterThanOrEqual(2);
  });
});

describe('tcp transport: mutual TLS', () => {
  // Certificates come from test/fixtures/tcp-certs.ts (node:crypto only), so no openssl binary is needed.
  const clusterCa = createTestCa('replikit test cluster CA');
  const otherCa = createTestCa('some other CA');
  const tlsFor = (id: NodeId, ca = clusterCa): NonNullable<TcpTransportOptions['tls']> => ({
    ...ca.issue(id),
    ca: clusterCa.cert,
  });

  it('exchanges messages over TLS and refuses a certificate from another CA and a plaintext dialer', async () => {
    const nodes = await startCluster(['n1', 'n2', 'n3'], (id) => ({ tls: tlsFor(id) }));
    await waitFor('the TLS mesh to connect', () => meshReady(nodes));
    const n1 = get(nodes, 'n1');
    for (const from of ['n2', 'n3']) get(nodes, from).transport.send(everyVariant(from, 'n1'));
    await waitFor('n1 to receive both batches', () => n1.batches.length === 2);
    for (const batch of n1.batches) expect(comparable(batch)).toStrictEqual(comparable(everyVariant(batch[0]?.from ?? '?', 'n1')));

    // Right secret, wrong CA: the TLS layer refuses before our handshake starts.
    const foreign = await startNode('n2', ['n1'], { dialOnly: true, tls: { ...otherCa.issue('n2'), ca: clusterCa.cert } });
    foreign.transport.setPeerAddress('n1', n1.address);
    // Right secret, no TLS at all.
    const plaintext = await startNode('n3', ['n1'], { dialOnly: true });
    plaintext.transport.setPeerAddress('n1', n1.address);
    await waitFor('n1 to refuse both at the TLS layer', () => n1.logs.filter((l) => l.includes('refused TLS connection')).length >= 2);
    expect(foreign.transport.stats().connects).toBe(0);
    expect(plaintext.transport.stats().connects).toBe(0);

    // A TLS listener whose certificate our CA did not sign is not dialed into either.
    const rogue = await startNode('n1', ['n2'], { tls: { ...otherCa.issue('n1'), ca: otherCa.cert } });
    const n2 = get(nodes, 'n2');
    n2.transport.setPeerAddress('n1', rogue.address);
    await waitFor('n2 to fail dialing the rogue listener', () => logged(n2, `dial to n1 at ${HOST}:${rogue.address.port} failed`));
    expect(rogue.transport.stats().acceptedConnections).toBe(0);

    // The real mesh still works.
    n2.transport.setPeerAddress('n1', n1.address);
    n2.transport.send([heartbeat('n2', 'n1', 5)]);
    get(nodes, 'n3').transport.send([heartbeat('n3', 'n1', 6)]);
    await waitFor('both heartbeats', () => n1.messages().filter((m) => m.type === 'Heartbeat').length >= 2);
  });
});

describe('tcp transport: fuzz', () => {
  // Connections at once: latency-bound, so more overlap is faster; stays under the pending-handshake limit.
  const SLOTS = 32;
  const fuzzerIds = Array.from({ length: SLOTS }, (_, i) => `fuzzer-${i}`);
  const packr = new Packr({ useRecords: false });

  type Case =
    | { readonly kind: 'raw'; readonly chunks: Buffer[] }
    | { readonly kind: 'after-hello'; readonly garbage: Buffer }
    | { readonly kind: 'after-handshake'; readonly garbage: Buffer };

  /** Hostile byte sequences for a connection that has not authenticated. */
  function strangerBytes(random: RandomSource, listener: NodeId): Buffer {
    const valid = makeHello(KEYS, 'fuzzer-0', listener, newNonce());
    switch (randomInt(random, 9)) {
      case 0:
        return randomBytesFrom(random, randomInt(random, 600));
      case 1: {
        // A truncated frame: the header promises more than ever comes.
        const length = 1 + randomInt(random, MAX_HANDSHAKE_FRAME_BYTES);
        return Buffer.concat([header(length), randomBytesFrom(random, randomInt(random, length))]);
      }
      case 2:
        // Huge or "negative" (as int32) lengths.
        return Buffer.concat([
          header(MAX_HANDSHAKE_FRAME_BYTES + 1 + randomInt(random, 0xffff_ffff - MAX_HANDSHAKE_FRAME_BYTES)),
          randomBytesFrom(random, randomInt(random, 64)),
        ]);
      case 3:
        return Buffer.concat([header(0), randomBytesFrom(random, randomInt(random, 16))]);
      case 4: {
        // A valid frame of garbage msgpack.
        const payload = randomBytesFrom(random, 1 + randomInt(random, 300));
        return encodeFrame(payload);
      }
      case 5: {
        // Valid msgpack of the wrong shape.
        const shapes: unknown[] = [
          42,
          'hello',
          null,
          [valid],
          { ...valid, kind: 'welcome' },
          { ...valid, version: 2 },
          { ...valid, nonce: 'abc' },
          { ...valid, from: 'x'.repeat(1000) },
          { ...valid, proof: valid.proof.subarray(1) },
          { kind: 'confirm', proof: valid.proof },
        ];
        return encodeFrame(packr.pack(shapes[randomInt(random, shapes.length)]));
      }
      case 6: {
        // A hello with one byte of its proof or nonce flipped.
        const field = random() < 0.5 ? 'proof' : 'nonce';
        const mutated = Buffer.from(valid[field]);
        const at = randomInt(random, mutated.length);
        mutated[at] = (mutated[at] ?? 0) ^ (1 + randomInt(random, 255));
        return encodeHandshakeFrame({ ...valid, [field]: mutated });
      }
      case 7:
        // A replayed hello is fine, but then the confirm is garbage.
        return Buffer.concat([encodeHandshakeFrame(valid), encodeFrame(randomBytesFrom(random, 1 + randomInt(random, 100)))]);
      default:
        return Buffer.alloc(0); // connect and hang up
    }
  }

  /** Hostile bytes after a real handshake: everything here must close the connection as a protocol error. */
  function authenticatedGarbage(random: RandomSource): Buffer {
    switch (randomInt(random, 6)) {
      case 0:
        return randomBytesFrom(random, 1 + randomInt(random, 600));
      case 1:
        return Buffer.concat([header(64 * 1024 * 1024 + 1 + randomInt(random, 1_000_000)), randomBytesFrom(random, 8)]);
      case 2:
        return encodeFrame(randomBytesFrom(random, 1 + randomInt(random, 2_000)));
      case 3: {
        // A real batch with bytes flipped: either undecodable, not messages, or truncated.
        const frame = encodeBatchFrame(everyVariant('fuzzer-0', 'n1').slice(0, 3));
        const at = FRAME_HEADER_BYTES + randomInt(random, 40);
        frame[at] = (frame[at] ?? 0) ^ 0xff;
        return frame.subarray(0, frame.length - 1 - randomInt(random, 10));
      }
      case 4: {
        const shapes: unknown[] = [
          [],
          [1, 2, 3],
          { type: 'Heartbeat' },
          [{ ...heartbeat('fuzzer-0', 'n1', 1), term: -1 }],
          [{ type: 'Nope', from: 'a', to: 'b', term: 1 }],
        ];
        return encodeFrame(packr.pack(shapes[randomInt(random, shapes.length)]));
      }
      default:
        return header(0);
    }
  }

  async function runCase(address: TcpAddress, slot: number, fuzzCase: Case, random: RandomSource): Promise<void> {
    const fuzzerId = fuzzerIds[slot] ?? 'fuzzer-0';
    let socket: net.Socket;
    if (fuzzCase.kind === 'after-handshake') {
      socket = await authenticateRaw(address, fuzzerId, 'n1');
    } else {
      socket = await connectRaw(address);
      socket.on('error', () => {});
      // Read (and ignore) what the listener says: a paused socket would never see the listener's close.
      socket.resume();
      if (fuzzCase.kind === 'after-hello') socket.write(encodeHandshakeFrame(makeHello(KEYS, fuzzerId, 'n1', newNonce())));
    }
    const closed = closedOf(socket);
    const chunks = fuzzCase.kind === 'raw' ? fuzzCase.chunks : [fuzzCase.garbage];
    for (const chunk of chunks) {
      if (chunk.length > 0 && !socket.destroyed) socket.write(chunk);
      if (random() < 0.2) await new Promise((resolve) => setImmediate(resolve));
    }
    if (!socket.destroyed) socket.end(); // so a truncated frame ends instead of waiting for the timeout
    await closed;
  }

  function splitRandomly(random: RandomSource, data: Buffer): Buffer[] {
    const chunks: Buffer[] = [];
    let at = 0;
    while (at < data.length && chunks.length < 64) {
      const size = 1 + randomInt(random, Math.max(1, data.length - at));
      chunks.push(data.subarray(at, at + size));
      at += size;
    }
    if (at < data.length) chunks.push(data.subarray(at));
    return chunks;
  }

  it('survives thousands of hostile connections, refusing each, and still delivers from a legitimate peer', async () => {
    const CASES = 2_000;
    // The fuzzers are known node ids, so cases that complete a real handshake reach the data path.
    const target = await startNode('n1', ['n2', ...fuzzerIds]);
    const n2 = await startNode('n2', ['n1']);
    n2.transport.setPeerAddress('n1', target.address);
    target.transport.setPeerAddress('n2', n2.address);
    n2.transport.send([heartbeat('n2', 'n1', 1)]);
    await waitFor('n2 to reach n1 before the fuzz', () => target.messages().length === 1);

    const random = createSeededRandom(20261122);
    const before = target.transport.stats();
    let expectedProtocolErrors = 0;
    for (let first = 0; first < CASES; first += SLOTS) {
      const group: Promise<void>[] = [];
      for (let slot = 0; slot < SLOTS && first + slot < CASES; slot += 1) {
        const pick = random();
        let fuzzCase: Case;
        if (pick < 0.6) fuzzCase = { kind: 'raw', chunks: splitRandomly(random, strangerBytes(random, 'n1')) };
        else if (pick < 0.7) fuzzCase = { kind: 'after-hello', garbage: randomBytesFrom(random, 1 + randomInt(random, 200)) };
        else {
          fuzzCase = { kind: 'after-handshake', garbage: authenticatedGarbage(random) };
          expectedProtocolErrors += 1;
        }
        group.push(runCase(target.address, slot, fuzzCase, random));
      }
      await Promise.all(group);
    }
    await waitFor('every fuzz connection to be accounted for', () => {
      const stats = target.transport.stats();
      return stats.refusedConnections + stats.protocolErrors - before.refusedConnections - before.protocolErrors === CASES;
    });
    const after = target.transport.stats();
    expect(after.protocolErrors - before.protocolErrors).toBe(expectedProtocolErrors);
    expect(after.refusedConnections - before.refusedConnections).toBe(CASES - expectedProtocolErrors);
    expect(after.acceptedConnections - before.acceptedConnections).toBe(expectedProtocolErrors);
    // Nothing a fuzzer sent was delivered, and n2's connection lived through it all.
    expect(after.receivedMessages).toBe(1);
    expect(target.transport.peerStatus().n2?.inboundConnected).toBe(true);

    n2.transport.send(everyVariant('n2', 'n1'));
    await waitFor('the legitimate batch after the fuzz', () => target.batches.length === 2);
    expect(comparable(target.batches[1])).toStrictEqual(comparable(everyVariant('n2', 'n1')));
    expect(target.messages().every((message) => message.from === 'n2')).toBe(true);
  });

  it('decodes frames as a pure function: split anywhere, same frames; garbage gives an error, never a throw', () => {
    const random = createSeededRandom(7);
    for (let run = 0; run < 2_000; run += 1) {
      const max = 1 + randomInt(random, 200);
      const payloads = Array.from({ length: randomInt(random, 6) }, () => randomBytesFrom(random, 1 + randomInt(random, max)));
      const stream = Buffer.concat([
        ...payloads.map((payload) => encodeFrame(payload)),
        // Then either nothing, a partial frame, or hostile bytes.
        randomBytesFrom(random, randomInt(random, 3) === 0 ? randomInt(random, 40) : 0),
      ]);
      const whole = decodeFrames(stream, max);
      expect(sameBuffers(whole.frames.slice(0, payloads.length), payloads)).toBe(true);

      const decoder = new FrameDecoder(max);
      const frames: Uint8Array[] = [];
      let error: string | null = null;
      for (const chunk of splitRandomly(random, stream)) {
        decoder.push(chunk);
        for (let step = 0; step < stream.length + 1; step += 1) {
          const next = decoder.next();
          if (!next.ok) {
            error = next.error.kind;
            break;
          }
          if (next.frame === null) break;
          frames.push(next.frame);
        }
        if (error !== null) break;
      }
      expect(sameBuffers(frames, whole.frames)).toBe(true);
      expect(error).toBe(whole.error?.kind ?? null);
      if (whole.error === null) {
        expect(decoder.bufferedBytes).toBe(whole.incompleteBytes);
        expect(whole.incompleteBytes).toBeLessThan(stream.length + 1);
      }
    }
    // The boundaries: a length right at the limit is fine, one over is refused on the header alone.
    expect(decodeFrames(Buffer.concat([header(10), Buffer.alloc(10)]), 10).frames).toHaveLength(1);
    expect(decodeFrames(header(11), 10).error).toEqual({ kind: 'frame-too-large', lengthBytes: 11, maxFrameBytes: 10 });
    expect(decodeFrames(header(0xffff_ffff), 10).error?.kind).toBe('frame-too-large');
    expect(decodeFrames(header(0), 10).error).toEqual({ kind: 'empty-frame' });
  });

  it('decodes batches and handshakes totally: hostile payloads are refused with a reason, never thrown', () => {
    const random = createSeededRandom(99);
    const valid = encodeBatchFrame(everyVariant('a', 'b')).subarray(FRAME_HEADER_BYTES);
    let refused = 0;
    for (let run = 0; run < 5_000; run += 1) {
      let payload: Buffer;
      if (run % 2 === 0) {
        payload = randomBytesFrom(random, 1 + randomInt(random, 500));
      } else {
        // Mutations of a real batch reach deeper into the decoder than random bytes.
        payload = Buffer.from(valid.subarray(0, 1 + randomInt(random, valid.length)));
        for (let flips = 1 + randomInt(random, 4); flips > 0; flips -= 1) {
          const at = randomInt(random, payload.length);
          payload[at] = randomInt(random, 256);
        }
      }
      const batch = decodeBatch(payload);
      if (batch.ok) expect(batch.messages.every(isMessage)).toBe(true);
      else refused += 1;
      const handshake = decodeHandshakePayload(payload);
      if (handshake.ok) {
        expect(checkHello(KEYS, handshake.value, 'n1', () => true).ok).toBe(false);
        expect(checkWelcome(KEYS, handshake.value, 'n1', 'n2', newNonce()).ok).toBe(false);
      }
    }
    expect(refused).toBeGreaterThan(4_000);
    const decoded = decodeBatch(valid);
    expect(decoded.ok && comparable(decoded.messages)).toStrictEqual(comparable(everyVariant('a', 'b')));
  });
});

describe('tcp transport: backoff', () => {
  it('doubles from min to max with jitter in [base/2, base), replayable from a seed', () => {
    const limits = { minBackoffMs: 50, maxBackoffMs: 2_000 };
    const schedule = (seed: number): number[] => {
      const random = createSeededRandom(seed);
      return Array.from({ length: 12 }, (_, failures) => backoffDelayMs(failures, limits, random));
    };
    const delays = schedule(1);
    for (const [failures, delay] of delays.entries()) {
      const base = Math.min(2_000, 50 * 2 ** failures);
      expect(delay).toBeGreaterThanOrEqual(base / 2);
      expect(delay).toBeLessThan(base);
    }
    expect(schedule(1)).toEqual(delays);
    expect(schedule(2)).not.toEqual(delays);
    expect(backoffDelayMs(100_000, limits, () => 0.999)).toBeLessThan(2_000);
  });
});
