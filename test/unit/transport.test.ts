import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppendEntries, Message, MessageType, NodeId } from '../../src/core/types.js';
import {
  createFaultyTransport,
  createMessagePortTransport,
  createSeededRandom,
  MAX_DELAYED_MESSAGES,
  type MessagePortTransportOptions,
  type ReceiveHandler,
  type Transport,
  type TransportStats,
  type WireEncoding,
} from '../../src/transport/index.js';
import { PeerRouter } from '../../src/transport/peer-router.js';

const ENCODINGS: readonly WireEncoding[] = ['clone', 'msgpack'];

// ------------------------------------------------------------------ fixtures

function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

type SamplesOfEveryVariant = { readonly [T in MessageType]: readonly Extract<Message, { type: T }>[] };

/**
 * Every Message variant, with the awkward values: empty arrays, views, big
 * numbers. Keyed by type, so a variant added to the core fails to compile here
 * until it has a sample.
 */
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
          // A view into a larger buffer must arrive as exactly its own bytes.
          { index: 43, term: 7, kind: 'command', data: backing.subarray(10, 20) },
          { index: 44, term: 7, kind: 'command', data: new Uint8Array(0) },
          { index: 45, term: 7, kind: 'noop' },
          { index: 46, term: 7, kind: 'config', membership: { voters: ['n1', 'n2', 'n3'], learners: [] } },
        ],
      },
      // A heartbeat-shaped append: `entries: []` must stay an empty array.
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
          data: Uint8Array.from({ length: 1000 }, (_, i) => i % 251),
        },
      },
    ],
    TimeoutNow: [{ type: 'TimeoutNow', from, to, term: 9 }],
  };
  return Object.values(samples).flat();
}

function appendEntries(from: NodeId, to: NodeId, index: number, payloadBytes = 0): AppendEntries {
  return {
    type: 'AppendEntries',
    from,
    to,
    term: 1,
    prevLogIndex: index - 1,
    prevLogTerm: 1,
    leaderCommit: 0,
    entries: [{ index, term: 1, kind: 'command', data: new Uint8Array(payloadBytes).fill(index % 256) }],
  };
}

function heartbeat(from: NodeId, to: NodeId, round: number): Message {
  return { type: 'Heartbeat', from, to, term: 1, commit: 0, round };
}

function roundOf(message: Message): number {
  if (message.type !== 'Heartbeat') throw new Error(`expected a Heartbeat, got ${message.type}`);
  return message.round;
}

/** Every Uint8Array in a received message must really be one (Buffer is a subclass: fine). */
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

// ----------------------------------------------------------------- harness

const cleanups: (() => void | Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Inbox {
  readonly batches: Message[][];
  /** Resolves once `ready(batches)` holds; a batch that never comes fails by test timeout, not by a timing threshold. */
  until(ready: (batches: readonly Message[][]) => boolean): Promise<void>;
  messages(): Message[];
}

function inboxOf(transport: Transport): Inbox {
  const batches: Message[][] = [];
  const waiters = new Set<() => void>();
  transport.onReceive((messages) => {
    batches.push([...messages]);
    for (const check of [...waiters]) check();
  });
  return {
    batches,
    messages: () => batches.flat(),
    until(ready) {
      return new Promise((resolve) => {
        const check = (): void => {
          if (!ready(batches)) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** A full mesh of message-port transports over real MessageChannels in this thread. */
function mesh(ids: readonly NodeId[], options: MessagePortTransportOptions = {}): Map<NodeId, Transport> {
  const ports = new Map<NodeId, Map<NodeId, MessagePort>>(ids.map((id) => [id, new Map()]));
  for (const [i, a] of ids.entries()) {
    for (const b of ids.slice(i + 1)) {
      const { port1, port2 } = new MessageChannel();
      ports.get(a)?.set(b, port1);
      ports.get(b)?.set(a, port2);
    }
  }
  const transports = new Map<NodeId, Transport>();
  for (const id of ids) {
    const transport = createMessagePortTransport(id, ports.get(id) ?? new Map(), options);
    transports.set(id, transport);
    cleanups.push(() => transport.close());
  }
  return transports;
}

function get<K, V>(map: ReadonlyMap<K, V>, key: K): V {
  const value = map.get(key);
  if (value === undefined) throw new Error(`missing ${String(key)}`);
  return value;
}

/** Two transports on one real MessageChannel, with the ports, for tests that watch the wire. */
function pair(options: MessagePortTransportOptions = {}): {
  a: Transport;
  b: Transport;
  portA: MessagePort;
  portB: MessagePort;
} {
  const { port1: portA, port2: portB } = new MessageChannel();
  const a = createMessagePortTransport('a', new Map([['b', portA]]), options);
  const b = createMessagePortTransport('b', new Map([['a', portB]]), options);
  cleanups.push(
    () => a.close(),
    () => b.close(),
  );
  return { a, b, portA, portB };
}

/**
 * Resolves when `port` receives an ack covering `consumedMessages`. Register it
 * after the transport's receiver: listeners run in order, so by then the
 * transport has applied the ack. (White-box: acks are not part of Transport.)
 */
function ackArrives(port: MessagePort, consumedMessages: number): Promise<void> {
  return new Promise((resolve) => {
    const listener = (frame: { kind?: string; consumedMessages?: number }): void => {
      if (frame.kind !== 'ack' || frame.consumedMessages !== consumedMessages) return;
      port.off('message', listener);
      resolve();
    };
    port.on('message', listener);
  });
}

/** Waits, turn by turn, until `condition` holds; never for a fixed time. */
async function eventually(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

/** A synchronous in-memory Transport that records what the wrapper hands it. */
function recordingTransport(peers: readonly NodeId[]): Transport & {
  readonly sent: Message[][];
  deliver(messages: readonly Message[]): void;
} {
  const sent: Message[][] = [];
  let handler: ReceiveHandler | null = null;
  return {
    sent,
    peers,
    send: (messages) => void sent.push([...messages]),
    onReceive: (receiver) => void (handler = receiver),
    deliver: (messages) => handler?.(messages),
    close: () => undefined,
    stats: (): TransportStats => ({
      sentMessages: sent.flat().length,
      sentBatches: sent.length,
      sentBytes: 0,
      receivedMessages: 0,
      receivedBatches: 0,
      droppedMessages: 0,
    }),
  };
}

// ------------------------------------------------------------------- tests

describe('seeded random', () => {
  it('is reproducible from its seed and stays in [0, 1)', () => {
    const a = createSeededRandom(42);
    const b = createSeededRandom(42);
    const c = createSeededRandom(43);
    const fromA = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(fromA);
    expect(Array.from({ length: 1000 }, () => c())).not.toEqual(fromA);
    for (const value of fromA) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
  });
});

describe.each(ENCODINGS)('message-port transport (%s)', (encoding) => {
  it('round-trips every Message variant exactly', async () => {
    const nodes = mesh(['a', 'b'], { encoding });
    inboxOf(get(nodes, 'a'));
    const inbox = inboxOf(get(nodes, 'b'));
    const sent = everyVariant('a', 'b');

    get(nodes, 'a').send(sent);
    await inbox.until((batches) => batches.length === 1);

    const [received] = inbox.batches;
    expect(received).toStrictEqual(sent);
    const sentBytes = allBytesFields(sent);
    const receivedBytes = allBytesFields(received ?? []);
    expect(receivedBytes).toHaveLength(sentBytes.length);
    for (const [i, data] of receivedBytes.entries()) {
      expect(data).toBeInstanceOf(Uint8Array);
      expect([...data]).toEqual([...(sentBytes[i] ?? [])]);
    }
  });

  it('keeps null and undefined values as they were', async () => {
    const nodes = mesh(['a', 'b'], { encoding });
    const inbox = inboxOf(get(nodes, 'b'));
    // No Message variant has a nullable field today; the codecs must still not
    // turn null into undefined (or drop it) when one appears.
    const withNull = { ...heartbeat('a', 'b', 1), vote: null } as unknown as Message;
    const withUndefinedData: Message = {
      ...appendEntries('a', 'b', 1),
      entries: [{ index: 1, term: 1, kind: 'noop', data: undefined }],
    };

    get(nodes, 'a').send([withNull, withUndefinedData]);
    await inbox.until((batches) => batches.length === 1);

    expect(inbox.batches[0]).toStrictEqual([withNull, withUndefinedData]);
  });

  it('sends all messages for one peer in one send as one batch, per peer', async () => {
    const nodes = mesh(['a', 'b', 'c'], { encoding });
    const toB = inboxOf(get(nodes, 'b'));
    const toC = inboxOf(get(nodes, 'c'));
    const messages: Message[] = [];
    for (let round = 0; round < 50; round += 1) {
      messages.push(heartbeat('a', 'b', round));
      if (round < 30) messages.push(heartbeat('a', 'c', round));
    }

    get(nodes, 'a').send(messages);
    await toB.until((batches) => batches.length === 1);
    await toC.until((batches) => batches.length === 1);

    expect(toB.batches).toHaveLength(1);
    expect(toB.batches[0]?.map(roundOf)).toEqual([...Array(50).keys()]);
    expect(toC.batches).toHaveLength(1);
    expect(toC.batches[0]?.map(roundOf)).toEqual([...Array(30).keys()]);
    const stats = get(nodes, 'a').stats();
    expect(stats).toMatchObject({ sentMessages: 80, sentBatches: 2, droppedMessages: 0 });
    expect(stats.sentBytes > 0).toBe(encoding === 'msgpack');
    expect(get(nodes, 'b').stats()).toMatchObject({ receivedMessages: 50, receivedBatches: 1 });
  });

  it('caps messages per batch and counts the rest as dropped', async () => {
    const nodes = mesh(['a', 'b'], { encoding, maxMessagesPerBatch: 8 });
    const inbox = inboxOf(get(nodes, 'b'));

    get(nodes, 'a').send(Array.from({ length: 20 }, (_, round) => heartbeat('a', 'b', round)));
    await inbox.until((batches) => batches.length === 1);

    expect(inbox.batches[0]?.map(roundOf)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(get(nodes, 'a').stats()).toMatchObject({ sentMessages: 8, droppedMessages: 12 });
  });

  it('drops and counts instead of queueing for a peer that does not consume', async () => {
    const { a, b, portA } = pair({ encoding, maxMessagesPerBatch: 4, maxInFlightMessagesPerPeer: 10 });
    inboxOf(a); // a must listen to hear b's acks

    // b has not registered a receiver, so nothing sent to it is consumed.
    for (let round = 0; round < 100; round += 1) a.send([heartbeat('a', 'b', round)]);
    expect(a.stats()).toMatchObject({ sentMessages: 10, droppedMessages: 90 });

    // Once b consumes, its acks reopen the window.
    const acked = ackArrives(portA, 10);
    const inbox = inboxOf(b);
    await acked;
    a.send([heartbeat('a', 'b', 100)]);
    await inbox.until((batches) => batches.length === 11);
    expect(inbox.messages().map(roundOf)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 100]);
    expect(a.stats()).toMatchObject({ sentMessages: 11, droppedMessages: 90 });
  });

  it('bounds in-flight bytes, but still sends one oversized batch to an idle peer', async () => {
    const maxInFlightBytesPerPeer = 2000;
    const { a, b, portA } = pair({ encoding, maxInFlightBytesPerPeer });
    inboxOf(a);

    a.send([appendEntries('a', 'b', 1, 5000)]); // larger than the window, but b is idle: sent
    a.send([appendEntries('a', 'b', 2, 100)]); // window full: dropped
    expect(a.stats()).toMatchObject({ sentMessages: 1, droppedMessages: 1 });
    const bytesOfFirst = a.stats().sentBytes;

    const acked = ackArrives(portA, 1);
    inboxOf(b);
    await acked;
    for (let index = 3; index < 103; index += 1) a.send([appendEntries('a', 'b', index, 300)]);
    const stats = a.stats();
    expect(stats.sentMessages + stats.droppedMessages).toBe(102);
    expect(stats.sentMessages).toBeGreaterThan(2);
    expect(stats.sentMessages).toBeLessThanOrEqual(1 + Math.floor(maxInFlightBytesPerPeer / 300));
    expect(stats.sentBytes - bytesOfFirst).toBeLessThanOrEqual(encoding === 'msgpack' ? maxInFlightBytesPerPeer : 0);
  });

  it('drops and counts messages to unknown peers and to peers whose channel closed', async () => {
    const { port1, port2 } = new MessageChannel();
    const a = createMessagePortTransport('a', new Map([['b', port1]]), { encoding });
    cleanups.push(() => a.close());
    expect(a.peers).toEqual(['b']);

    a.send([heartbeat('a', 'nobody', 1)]);
    expect(a.stats()).toMatchObject({ sentMessages: 0, droppedMessages: 1 });

    const closedSeen = new Promise((resolve) => port1.once('close', resolve));
    port2.close();
    await closedSeen;
    a.send([heartbeat('a', 'b', 2)]);
    expect(a.stats()).toMatchObject({ sentMessages: 0, droppedMessages: 2 });
  });

  it('closes its ports on close, and counts sends after close as dropped', async () => {
    const { port1, port2 } = new MessageChannel();
    const a = createMessagePortTransport('a', new Map([['b', port1]]), { encoding });
    const peerSawClose = new Promise((resolve) => port2.once('close', resolve));

    a.close();
    await peerSawClose;
    a.send([heartbeat('a', 'b', 1)]);
    expect(a.stats()).toMatchObject({ sentMessages: 0, droppedMessages: 1 });
  });

  it('talks to a real worker thread through a transferred port', async () => {
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(new URL('../fixtures/transport-echo-worker.mjs', import.meta.url), {
      workerData: { port: port2 },
      transferList: [port2],
    });
    const observedKinds: string[] = [];
    worker.on('message', (note: { observedKind: string }) => observedKinds.push(note.observedKind));
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    cleanups.push(() => worker.terminate());
    // A window far smaller than the traffic: it only drains if acks cross the thread boundary too.
    const a = createMessagePortTransport('a', new Map([['echo', port1]]), {
      encoding,
      maxMessagesPerBatch: 16,
      maxInFlightMessagesPerPeer: 48,
    });
    const inbox = inboxOf(a);

    const sent = everyVariant('a', 'echo');
    a.send(sent);
    await inbox.until((batches) => batches.length === 1);
    expect(inbox.batches[0]).toStrictEqual(sent);

    for (let round = 0; round < 40; round += 1) {
      a.send(Array.from({ length: 10 }, (_, i) => heartbeat('a', 'echo', round * 10 + i)));
      await inbox.until((batches) => batches.length === round + 2);
    }
    expect(inbox.messages().slice(sent.length).map(roundOf)).toEqual([...Array(400).keys()]);
    expect(a.stats()).toMatchObject({ sentBatches: 41, droppedMessages: 0 });
    // The worker's notes travel on another channel, so they may trail the echoes.
    await eventually(() => observedKinds.includes('ack'));
    expect(observedKinds).toContain(encoding === 'msgpack' ? 'packed-batch' : 'cloned-batch');

    // Closing our end closes the channel, and a worker with nothing else to do exits.
    a.close();
    await exited;
  });
});

describe('message-port transport, msgpack wire', () => {
  it('transfers the packed buffer instead of copying it', async () => {
    const { port1, port2 } = new MessageChannel();
    const transferred: ArrayBuffer[] = [];
    const post = port1.postMessage.bind(port1);
    port1.postMessage = (value: unknown, transferList?: readonly ArrayBuffer[]) => {
      transferred.push(...(transferList ?? []));
      post(value, transferList as never);
    };
    const a = createMessagePortTransport('a', new Map([['b', port1]]), { encoding: 'msgpack' });
    const b = createMessagePortTransport('b', new Map([['a', port2]]), { encoding: 'msgpack' });
    cleanups.push(
      () => a.close(),
      () => b.close(),
    );
    const inbox = inboxOf(b);

    a.send([appendEntries('a', 'b', 1, 100)]);
    await inbox.until((batches) => batches.length === 1);

    expect(transferred).toHaveLength(1);
    expect(transferred[0]?.byteLength).toBe(0); // detached: it moved to the receiver
    // Decoded payloads are views into the one received buffer (documented in msgpack-codec.ts).
    const [data] = allBytesFields(inbox.messages());
    expect(data).toBeInstanceOf(Uint8Array);
    expect([...(data ?? [])]).toEqual(new Array(100).fill(1));
  });
});

describe('crash evidence', () => {
  it('a port closed by its other end (its worker exited) reports that peer gone; one closed here does not', async () => {
    const toB = new MessageChannel();
    const toC = new MessageChannel();
    const a = createMessagePortTransport(
      'a',
      new Map([
        ['b', toB.port1],
        ['c', toC.port1],
      ]),
    );
    const gone: NodeId[] = [];
    a.onPeerGone?.((peer) => gone.push(peer));
    const closed = new Promise((resolve) => toB.port1.once('close', resolve));
    toB.port2.close();
    await closed;
    expect(gone).toEqual(['b']);
    const peerSawClose = new Promise((resolve) => toC.port2.once('close', resolve));
    a.close();
    await peerSawClose;
    expect(gone).toEqual(['b']);
  });

  it('the router reports only its current channel to a peer, not one it replaced on a restart', async () => {
    const router = new PeerRouter();
    const gone: NodeId[] = [];
    router.onPeerGone((peer) => gone.push(peer));
    const first = new MessageChannel();
    router.setPeer('b', createMessagePortTransport('a', new Map([['b', first.port1]])));
    const second = new MessageChannel();
    const firstClosed = new Promise((resolve) => first.port2.once('close', resolve));
    router.setPeer('b', createMessagePortTransport('a', new Map([['b', second.port1]])));
    await firstClosed;
    expect(gone).toEqual([]);
    const secondClosed = new Promise((resolve) => second.port1.once('close', resolve));
    second.port2.close();
    await secondClosed;
    expect(gone).toEqual(['b']);
    router.close();
  });

  it('the faulty wrapper hides the crash of a peer it partitions away, as a real partition would', () => {
    let report: ((peer: NodeId) => void) | null = null;
    const inner: Transport = { ...recordingTransport(['b', 'c']), onPeerGone: (handler) => void (report = handler) };
    const faulty = createFaultyTransport(inner, { seed: 1 });
    const gone: NodeId[] = [];
    faulty.onPeerGone((peer: NodeId) => gone.push(peer));
    faulty.partition(['b']);
    const reportGone = report as unknown as (peer: NodeId) => void;
    reportGone('b');
    reportGone('c');
    expect(gone).toEqual(['c']);
  });
});

describe('faulty transport', () => {
  /** Sends heartbeat round 999 around the faults; once it arrives, anything sent before it through the faults would have too (ports are FIFO). */
  async function sentinel(from: Transport, to: Inbox, fromId: NodeId, toId: NodeId): Promise<void> {
    from.send([heartbeat(fromId, toId, 999)]);
    await to.until((batches) => batches.flat().some((message) => roundOf(message) === 999));
  }

  it('drops everything at dropRate 1, and counts it', async () => {
    const nodes = mesh(['a', 'b']);
    const a = get(nodes, 'a');
    const faulty = createFaultyTransport(a, { seed: 1, faults: { dropRate: 1 } });
    const inbox = inboxOf(get(nodes, 'b'));

    for (let round = 0; round < 20; round += 1) faulty.send([heartbeat('a', 'b', round)]);
    await sentinel(a, inbox, 'a', 'b');

    expect(inbox.messages().map(roundOf)).toEqual([999]);
    expect(faulty.stats().droppedMessages).toBe(20);
    expect(faulty.faultStats().droppedByChance).toBe(20);
  });

  it('partitions both directions, and heal restores both', async () => {
    const nodes = mesh(['a', 'b', 'c']);
    const a = createFaultyTransport(get(nodes, 'a'), { seed: 1 });
    const b = get(nodes, 'b');
    const c = get(nodes, 'c');
    const atA = inboxOf(a);
    const atB = inboxOf(b);
    const atC = inboxOf(c);

    a.partition(['b']);
    expect(a.blockedPeers()).toEqual(['b']);
    a.send([heartbeat('a', 'b', 1), heartbeat('a', 'c', 1)]);
    b.send([heartbeat('b', 'a', 1)]);
    c.send([heartbeat('c', 'a', 1)]);
    await atC.until((batches) => batches.length === 1);
    await atA.until((batches) => batches.length === 1);
    // b's message did reach a's port, and was dropped above it:
    await eventually(() => get(nodes, 'a').stats().receivedMessages === 2);
    await sentinel(get(nodes, 'a'), atB, 'a', 'b');

    expect(atA.messages()).toEqual([heartbeat('c', 'a', 1)]);
    expect(atB.messages()).toEqual([heartbeat('a', 'b', 999)]);
    expect(a.faultStats().droppedByPartition).toBe(2);

    a.heal();
    expect(a.blockedPeers()).toEqual([]);
    a.send([heartbeat('a', 'b', 2)]);
    b.send([heartbeat('b', 'a', 2)]);
    await atB.until((batches) => batches.flat().some((m) => roundOf(m) === 2));
    await atA.until((batches) => batches.flat().some((m) => m.from === 'b'));
    expect(atA.messages()).toContainEqual(heartbeat('b', 'a', 2));
  });

  it('delays: a message sent later around the faults arrives first', async () => {
    const nodes = mesh(['a', 'b']);
    const a = get(nodes, 'a');
    const faulty = createFaultyTransport(a, { seed: 1, faults: { delayMs: 20 } });
    const inbox = inboxOf(get(nodes, 'b'));

    faulty.send([heartbeat('a', 'b', 1)]);
    expect(faulty.faultStats().delayedNow).toBe(1);
    a.send([heartbeat('a', 'b', 2)]);
    await inbox.until((batches) => batches.length === 2);

    expect(inbox.messages().map(roundOf)).toEqual([2, 1]);
    expect(faulty.faultStats().delayedNow).toBe(0);
  });

  it('with jitter and duplication, every message still arrives, duplicates twice', async () => {
    const nodes = mesh(['a', 'b']);
    const faulty = createFaultyTransport(get(nodes, 'a'), {
      seed: 7,
      faults: { jitterMs: 5, duplicateRate: 1 },
    });
    const inbox = inboxOf(get(nodes, 'b'));

    faulty.send(Array.from({ length: 30 }, (_, round) => heartbeat('a', 'b', round)));
    await inbox.until((batches) => batches.flat().length === 60);

    const rounds = inbox
      .messages()
      .map(roundOf)
      .sort((x, y) => x - y);
    expect(rounds).toEqual([...Array(30).keys()].flatMap((round) => [round, round]));
    expect(faulty.faultStats().duplicated).toBe(30);
  });

  it('gives the same drop pattern for the same seed, and a different one for another seed', () => {
    const pattern = (seed: number, jitterMs: number): number[] => {
      const inner = recordingTransport(['b']);
      const faulty = createFaultyTransport(inner, { seed, faults: { dropRate: 0.5 } });
      for (let round = 0; round < 200; round += 1) faulty.send([heartbeat('a', 'b', round)]);
      // Turning on jitter afterwards must not change which earlier messages were dropped.
      faulty.setFaults({ jitterMs });
      faulty.close();
      return inner.sent.flat().map(roundOf);
    };

    const first = pattern(12345, 0);
    expect(first.length).toBeGreaterThan(50);
    expect(first.length).toBeLessThan(150);
    expect(pattern(12345, 0)).toEqual(first);
    expect(pattern(54321, 0)).not.toEqual(first);
  });

  it('keeps the drop pattern when other faults change', () => {
    const delivered = (duplicateRate: number): number[] => {
      const inner = recordingTransport(['b']);
      const faulty = createFaultyTransport(inner, { seed: 99, faults: { dropRate: 0.3, duplicateRate } });
      for (let round = 0; round < 100; round += 1) faulty.send([heartbeat('a', 'b', round)]);
      return [...new Set(inner.sent.flat().map(roundOf))];
    };
    expect(delivered(0.5)).toEqual(delivered(0));
  });

  it('bounds the delayed messages it holds, and drops them on close', () => {
    const inner = recordingTransport(['b']);
    const faulty = createFaultyTransport(inner, { seed: 3, faults: { delayMs: 3_600_000 } });

    faulty.send(Array.from({ length: MAX_DELAYED_MESSAGES + 5 }, (_, round) => heartbeat('a', 'b', round)));
    expect(faulty.faultStats()).toMatchObject({ delayedNow: MAX_DELAYED_MESSAGES, droppedDelayed: 5 });

    faulty.close();
    expect(faulty.faultStats()).toMatchObject({ delayedNow: 0, droppedDelayed: MAX_DELAYED_MESSAGES + 5 });
    expect(faulty.stats().droppedMessages).toBe(MAX_DELAYED_MESSAGES + 5);
    expect(inner.sent).toEqual([]);
  });

  it('partitions on receive without a port: filters what the inner transport delivers', () => {
    const inner = recordingTransport(['b', 'c']);
    const faulty = createFaultyTransport(inner, { seed: 3 });
    const received: Message[] = [];
    faulty.onReceive((messages) => received.push(...messages));

    faulty.partition(['b']);
    inner.deliver([heartbeat('b', 'a', 1), heartbeat('c', 'a', 1)]);
    inner.deliver([heartbeat('b', 'a', 2)]);
    faulty.heal();
    inner.deliver([heartbeat('b', 'a', 3)]);

    expect(received).toEqual([heartbeat('c', 'a', 1), heartbeat('b', 'a', 3)]);
    expect(faulty.faultStats().droppedByPartition).toBe(2);
  });

  it('refuses fault settings outside their range', () => {
    const faulty = createFaultyTransport(recordingTransport([]), { seed: 1 });
    expect(() => faulty.setFaults({ dropRate: 1.5 })).toThrow(/dropRate/);
    expect(() => faulty.setFaults({ delayMs: -1 })).toThrow(/delayMs/);
    faulty.setFaults({ dropRate: 0.25 });
    faulty.setFaults({ delayMs: 10 });
    expect(faulty.faults()).toEqual({ dropRate: 0.25, delayMs: 10, jitterMs: 0, duplicateRate: 0 });
  });
});
