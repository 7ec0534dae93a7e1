// `npm start`: a three-node cluster in one process, narrated. The nodes run
// the real core (and the XState role machine) over a perfect simulated network
// that delivers every message on the next tick; each node's "disk" keeps only
// what its ready loop persisted, so a crash loses exactly what a real one
// would. The story: an election, a few writes, the leader crashes, a new
// election, the committed writes are all still there, the old leader returns
// as a follower. Timers only pace the printing, so a person can follow it.

import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { RaftCore, type Message, type NodeId, type Role } from '../src/core/index.js';
import { applyToMap, decodeCommand, encodeCommand, valuesEqual } from '../src/kv/index.js';
import { CoreDisk } from '../test/support/core-disk.js';

export interface DemoOptions {
  /** Sleep between lines so a person can watch (default true). */
  readonly pace?: boolean;
  /** Decides every node's election timeouts, so a seed replays the same story (default DEFAULT_SEED). */
  readonly seed?: number;
  /** ANSI colors and symbols (default: stdout is a terminal and NO_COLOR is unset). */
  readonly color?: boolean;
  readonly print?: (line: string) => void;
}

export interface DemoWrite {
  readonly index: number;
  readonly term: number;
  readonly key: string;
  readonly value: unknown;
}

export interface DemoSummary {
  readonly seed: number;
  readonly firstLeader: { readonly id: NodeId; readonly term: number };
  readonly secondLeader: { readonly id: NodeId; readonly term: number };
  /** What the first leader saw commit before it crashed. */
  readonly committedWrites: readonly DemoWrite[];
  /** Every command in the new leader's own log, through its commit index. */
  readonly newLeaderLog: readonly DemoWrite[];
  /** The new leader's key-value state machine after it applied its log. */
  readonly newLeaderValues: Readonly<Record<string, unknown>>;
  /** The restarted old leader follows the new one. */
  readonly oldLeaderRejoined: boolean;
  readonly ticks: number;
}

const NODE_IDS: readonly NodeId[] = ['n1', 'n2', 'n3'];
const WRITES: readonly (readonly [string, unknown])[] = [
  ['color', 'blue'],
  ['answer', 42],
  ['greeting', 'hello, raft'],
];
/** A phase that needs longer than this on a perfect network is a bug: fail instead of hanging. */
const MAX_PHASE_TICKS = 500;
/** About 6 s in all for the default seed: slow enough to read, short enough to watch. */
const LINE_PAUSE_MS = 150;
const PHASE_PAUSE_MS = 450;
/**
 * A clean first election and a second one in which two followers time out
 * close together. Many seeds show split votes instead: one tick of network
 * delay is large next to a 10-tick spread of election timeouts.
 */
export const DEFAULT_SEED = 3;

// ------------------------------------------------------------------ cluster

interface DemoNode {
  readonly id: NodeId;
  readonly disk: CoreDisk;
  core: RaftCore | null;
  kv: Map<string, unknown>;
  inbox: Message[];
  starts: number;
}

type DemoEvent =
  | { readonly type: 'role'; readonly id: NodeId; readonly role: Role; readonly term: number }
  | {
      readonly type: 'vote';
      readonly from: NodeId;
      readonly to: NodeId;
      readonly preVote: boolean;
      readonly granted: boolean;
      readonly term: number;
      /** The voter as it answered: whom it voted for this term, its role, the leader it hears. */
      readonly votedFor: NodeId | null;
      readonly voterRole: Role;
      readonly voterLeader: NodeId | null;
    }
  | { readonly type: 'follows'; readonly id: NodeId; readonly leaderId: NodeId; readonly term: number }
  | { readonly type: 'applied'; readonly id: NodeId; readonly write: DemoWrite };

class DemoCluster {
  tick = 0;
  private inFlight: Message[] = [];
  readonly nodes: DemoNode[];

  constructor(private readonly seed: number) {
    const bootstrap = { voters: [...NODE_IDS], learners: [] };
    this.nodes = NODE_IDS.map((id) => ({ id, disk: new CoreDisk(bootstrap), core: null, kv: new Map(), inbox: [], starts: 0 }));
    for (const node of this.nodes) this.start(node);
  }

  node(id: NodeId): DemoNode {
    const node = this.nodes.find((candidate) => candidate.id === id);
    if (!node) throw new Error(`no node ${id}`);
    return node;
  }

  /** A (re)start from the node's own disk: the state machine replays the committed log. */
  start(node: DemoNode): void {
    node.starts += 1;
    node.kv = new Map();
    const seed = this.seed * 1_000 + NODE_IDS.indexOf(node.id) * 10 + node.starts;
    node.core = new RaftCore({ id: node.id, seed }, node.disk.load());
  }

  crash(node: DemoNode): void {
    node.core = null;
    node.kv = new Map();
    node.inbox = [];
  }

  /** One tick: deliver last tick's messages, tick every live node, run its ready loop. */
  step(): DemoEvent[] {
    this.tick += 1;
    for (const message of this.inFlight.splice(0)) {
      const target = this.node(message.to);
      if (target.core) target.inbox.push(message); // a crashed node hears nothing
    }
    const events: DemoEvent[] = [];
    for (const node of this.nodes) if (node.core) this.turn(node, node.core, events);
    return events;
  }

  private turn(node: DemoNode, core: RaftCore, events: DemoEvent[]): void {
    core.tick();
    for (const message of node.inbox.splice(0)) core.step(message);
    while (core.hasReady()) {
      const ready = core.ready();
      node.disk.persist(ready.hardState, ready.snapshot, ready.entries);
      for (const message of ready.messages) {
        this.inFlight.push(message);
        if (message.type === 'RequestVoteResponse') {
          const { from, to, preVote, granted, term } = message;
          const { vote, role, leaderId } = core.status();
          events.push({ type: 'vote', from, to, preVote, granted, term, votedFor: vote, voterRole: role, voterLeader: leaderId });
        }
      }
      for (const entry of ready.committed) {
        if (entry.kind !== 'command' || !entry.data) continue;
        const command = decodeCommand(entry.data);
        applyToMap(node.kv, command);
        const value = command.op === 'put' ? command.value : undefined;
        events.push({ type: 'applied', id: node.id, write: { index: entry.index, term: entry.term, key: command.key, value } });
      }
      const { softState } = ready;
      const term = core.status().term;
      core.advance(ready);
      if (softState) {
        events.push({ type: 'role', id: node.id, role: softState.role, term });
        if (softState.leaderId !== null && softState.leaderId !== node.id) {
          events.push({ type: 'follows', id: node.id, leaderId: softState.leaderId, term });
        }
      }
    }
  }
}

// ---------------------------------------------------------------- narration

interface Style {
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly good: (text: string) => string;
  readonly bad: (text: string) => string;
  readonly node: (id: NodeId) => string;
  readonly star: string;
  readonly check: string;
  readonly cross: string;
  readonly arrow: string;
}

function makeStyle(color: boolean): Style {
  const sgr = (open: number, close: number) => (text: string) => (color ? `\x1b[${open}m${text}\x1b[${close}m` : text);
  const nodeColors = [sgr(36, 39), sgr(35, 39), sgr(33, 39)];
  return {
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    good: sgr(32, 39),
    bad: sgr(31, 39),
    node: (id) => (nodeColors[NODE_IDS.indexOf(id)] ?? String)(id),
    // Plain output stays ASCII: CI logs and pipes do not all speak UTF-8.
    star: color ? '★' : '*',
    check: color ? '✓' : 'ok',
    cross: color ? '✖' : 'X',
    arrow: color ? '→' : '->',
  };
}

class Narrator {
  private pending: string[] = [];

  constructor(
    private readonly style: Style,
    private readonly print: (line: string) => void,
    private readonly pace: boolean,
  ) {}

  /** A line of the story at `tick`. */
  say(tick: number, text: string): void {
    this.pending.push(`  ${this.style.dim(`t=${String(tick).padStart(3, '0')}`)}  ${text}`);
  }

  /** A line outside the timeline. */
  note(text: string): void {
    this.pending.push(text);
  }

  async phase(title: string): Promise<void> {
    await this.flush();
    this.print('');
    this.print(this.style.bold(title));
    if (this.pace) await sleep(PHASE_PAUSE_MS);
  }

  async flush(): Promise<void> {
    for (const line of this.pending.splice(0)) {
      this.print(line);
      if (this.pace) await sleep(LINE_PAUSE_MS);
    }
  }
}

/** What an event means to a person watching; silent for the ones that would only repeat. */
function describe(event: DemoEvent, style: Style): string | null {
  const n = style.node;
  switch (event.type) {
    case 'role':
      switch (event.role) {
        case 'pre-candidate':
          return `${n(event.id)} heard from no leader: election timeout. Pre-vote first: "would you vote for me in term ${event.term + 1}?"`;
        case 'candidate':
          return `${n(event.id)} won the pre-vote ${style.arrow} candidate in term ${event.term}, votes for itself, asks for votes`;
        case 'leader':
          return style.bold(`${style.star} ${n(event.id)} is the leader of term ${event.term}`);
        case 'follower':
          return null;
      }
      return null;
    case 'vote': {
      const what = event.preVote ? 'pre-vote' : `vote in term ${event.term}`;
      if (event.granted) return `${n(event.from)} ${style.arrow} ${n(event.to)}  ${what}: ${style.good('yes')}`;
      return `${n(event.from)} ${style.arrow} ${n(event.to)}  ${what}: ${style.bad('no')} ${style.dim(`(${whyNot(event)})`)}`;
    }
    case 'follows':
    case 'applied':
      return null;
  }
}

/** The core's reasons to refuse, in the order it checks them, as the voter's state shows them. */
function whyNot(vote: Extract<DemoEvent, { type: 'vote' }>): string {
  if (!vote.preVote && vote.votedFor !== null && vote.votedFor !== vote.to) {
    if (vote.votedFor === vote.from) return `it already voted for itself in term ${vote.term}: a split vote`;
    return `it already voted for ${vote.votedFor} in term ${vote.term}`;
  }
  if (vote.voterRole === 'leader') return `it is the leader of term ${vote.term}`;
  if (vote.voterRole === 'candidate' || vote.voterRole === 'pre-candidate') return `it is campaigning itself, in term ${vote.term}`;
  if (vote.voterLeader !== null) return `it still hears from leader ${vote.voterLeader}`;
  return 'its log is further along';
}

// --------------------------------------------------------------------- story

export async function runElectionDemo(options: DemoOptions = {}): Promise<DemoSummary> {
  const seed = options.seed ?? DEFAULT_SEED;
  const style = makeStyle(options.color ?? (process.stdout.isTTY === true && !process.env['NO_COLOR']));
  const narrator = new Narrator(style, options.print ?? ((line) => console.log(line)), options.pace ?? true);
  const cluster = new DemoCluster(seed);
  const n = style.node;
  const committedWrites: DemoWrite[] = [];

  /** Ticks until `done` says so, narrating as it goes; `onEvent` sees every event first. */
  const runUntil = async (what: string, done: () => boolean, onEvent: (event: DemoEvent) => void = () => {}) => {
    for (let ticks = 0; !done(); ticks++) {
      if (ticks >= MAX_PHASE_TICKS) throw new Error(`seed ${seed}: no ${what} after ${MAX_PHASE_TICKS} ticks`);
      for (const event of cluster.step()) {
        onEvent(event);
        const text = describe(event, style);
        if (text !== null) narrator.say(cluster.tick, text);
      }
      await narrator.flush();
    }
  };
  const leaderOf = (candidates: readonly DemoNode[]) => {
    const leader = candidates.find((node) => node.core?.role === 'leader');
    const status = leader?.core?.status();
    // A leader counts once it committed an entry of its own term: from then on it can serve.
    return leader && status && status.appliedIndex === status.lastIndex ? { node: leader, term: status.term } : null;
  };

  narrator.note(style.bold(`replikit election demo: ${NODE_IDS.length} nodes in one process (seed ${seed})`));
  narrator.note(style.dim('Each node runs the Raft core; a message arrives one tick after it is sent.'));
  await narrator.phase('1. Everyone starts as a follower. Who times out first?');
  await runUntil('first leader', () => leaderOf(cluster.nodes) !== null);
  const first = leaderOf(cluster.nodes) as NonNullable<ReturnType<typeof leaderOf>>;

  await narrator.phase(`2. Clients write through ${first.node.id}; a write is committed once a majority holds it`);
  for (const [key, value] of WRITES) {
    const core = first.node.core as RaftCore;
    const result = core.propose(encodeCommand({ op: 'put', key, value }));
    if (!result.ok) throw new Error(`seed ${seed}: write refused: ${result.reason}`);
    const index = result.index;
    await runUntil(
      `commit of index ${index}`,
      () => committedWrites.some((write) => write.index === index),
      (event) => {
        if (event.type !== 'applied' || event.id !== first.node.id) return;
        committedWrites.push(event.write);
        narrator.say(
          cluster.tick,
          `${style.good(style.check)} put ${event.write.key} = ${JSON.stringify(event.write.value)}  committed at index ${event.write.index} (term ${event.write.term})`,
        );
      },
    );
  }

  await narrator.phase(`3. ${first.node.id}, the leader, crashes`);
  cluster.crash(first.node);
  narrator.say(cluster.tick, style.bad(`${style.cross} ${n(first.node.id)} is gone: its memory is lost, its disk survives`));
  narrator.say(cluster.tick, style.dim(`the others hear no heartbeats; each waits out its own randomized election timeout`));
  const survivors = cluster.nodes.filter((node) => node !== first.node);
  await runUntil('second leader', () => leaderOf(survivors) !== null);
  const second = leaderOf(survivors) as NonNullable<ReturnType<typeof leaderOf>>;

  await narrator.phase(`4. Are the committed writes still there? ${second.node.id}'s own log and state:`);
  const newLeaderLog = commandsInLog(second.node.core as RaftCore);
  let kept = 0;
  for (const write of committedWrites) {
    const held = newLeaderLog.find((entry) => entry.index === write.index);
    const same = held !== undefined && held.term === write.term && held.key === write.key && valuesEqual(held.value, write.value);
    const current = second.node.kv.get(write.key);
    if (same) kept++;
    const mark = same ? style.good(style.check) : style.bad(style.cross);
    narrator.note(`  ${mark} index ${write.index} (term ${write.term}) is in ${second.node.id}'s log; its state has ${write.key} = ${JSON.stringify(current)}`);
  }

  await narrator.phase(`5. ${first.node.id} restarts from its disk`);
  cluster.start(first.node);
  let rejoined = false;
  await runUntil(
    `${first.node.id} rejoining`,
    () => rejoined,
    (event) => {
      if (event.type !== 'follows' || event.id !== first.node.id || event.leaderId !== second.node.id) return;
      rejoined = true;
      narrator.say(cluster.tick, `${n(event.id)} hears from ${n(event.leaderId)} in term ${event.term} and follows it`);
    },
  );

  narrator.note('');
  narrator.note(
    style.bold(
      `leader ${first.node.id} (term ${first.term}) ${style.arrow} crash ${style.arrow} leader ${second.node.id} (term ${second.term}); ` +
        `${kept} of ${committedWrites.length} committed writes on the new leader. ${cluster.tick} ticks.`,
    ),
  );
  await narrator.flush();

  return {
    seed,
    firstLeader: { id: first.node.id, term: first.term },
    secondLeader: { id: second.node.id, term: second.term },
    committedWrites,
    newLeaderLog,
    newLeaderValues: Object.fromEntries(second.node.kv),
    oldLeaderRejoined: rejoined,
    ticks: cluster.tick,
  };
}

/** Decoded from the node's log itself, not from what it reported applying. */
function commandsInLog(core: RaftCore): DemoWrite[] {
  const { firstIndex, commitIndex } = core.status();
  const writes: DemoWrite[] = [];
  for (let index = firstIndex; index <= commitIndex; index++) {
    const entry = core.entryAt(index);
    if (entry?.kind !== 'command' || !entry.data) continue;
    const command = decodeCommand(entry.data);
    writes.push({ index, term: entry.term, key: command.key, value: command.op === 'put' ? command.value : undefined });
  }
  return writes;
}

/** `--seed N` replays another story; anything else is refused, since there is nothing to ask. */
function seedFromArgs(argv: readonly string[]): number {
  const { values } = parseArgs({ args: [...argv], options: { seed: { type: 'string' } }, strict: true });
  if (values.seed === undefined) return DEFAULT_SEED;
  if (!/^\d{1,9}$/.test(values.seed)) throw new RangeError(`--seed must be a non-negative integer, got ${JSON.stringify(values.seed)}`);
  return Number(values.seed);
}

// Run only as a program (`npm start`), never when a test imports this file.
const invokedPath = process.argv[1];
if (invokedPath !== undefined && import.meta.url === pathToFileURL(invokedPath).href) {
  try {
    await runElectionDemo({ seed: seedFromArgs(process.argv.slice(2)) });
  } catch (error) {
    console.error(`election-demo: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
