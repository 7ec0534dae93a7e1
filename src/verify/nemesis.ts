// The nemesis: on a seeded schedule, one fault at a time, each followed by its
// recovery and a bounded wait for the cluster to agree on a leader again.
// Faults never overlap, so a quorum cluster of n nodes only ever loses one
// node (or one side of a partition) at a time: any anomaly is the store's.
//
// Partitions use the nodes' own transport fault controls (--chaos: each node
// drops its links to the nodes outside its group), not the kernel's network.

import type { Random } from '../core/random.js';
import type { ClientLoad } from './clients.js';
import type { ClusterTarget, ProcessControl } from './cluster-target.js';
import { currentLeader, describeView, viewCluster, waitForAgreedLeader, waitForLeader, waitForView } from './cluster-view.js';
import { corruptLogTail } from './corrupt-tail.js';
import type { HistoryRecorder } from './history-recorder.js';
import {
  CATCH_UP_TIMEOUT_MS,
  FAULT_HOLD_MAX_MS,
  FAULT_HOLD_MIN_MS,
  LEADER_TARGET_PROBABILITY,
  MAX_FAULTS,
  QUIET_MAX_MS,
  QUIET_MIN_MS,
  RECOVERY_TIMEOUT_MS,
  SETTLE_AFTER_STOP_MS,
} from './limits.js';
import { adminRequest, type NodeStatusSnapshot } from './node-api.js';
import type { NemesisName } from './nemesis-names.js';
import { sleep } from './sleep.js';

/** Writes run unpaced this long when a leader is about to be killed (the kill ends the burst earlier: reads only then). */
const BURST_MS = 3_000;
/** The kill comes no sooner than this into the burst, and once this many writes were acknowledged in the leader's term, or after the max. */
const BURST_MIN_BEFORE_KILL_MS = 100;
const BURST_ACKS_WANTED = 5;
const BURST_WAIT_MAX_MS = 2_000;
/** A killed leader sometimes loses its links first (always when the mode allows loss). */
const ISOLATE_BEFORE_KILL_PROBABILITY = 0.5;
/** Where loss is allowed, writes go on this long after the cut, then only reads. */
const ISOLATED_WRITES_MS = 50;
/** Otherwise an isolated leader is killed this long after the cut. */
const ISOLATION_BEFORE_KILL_MS = 300;
/** Around an isolated kill, clients only read for this long (see ClientLoad.readOnly). */
const READ_ONLY_AROUND_KILL_MS = 4_000;
/** Before the kill, writes already in flight get at most this long to be answered. */
const IN_FLIGHT_WAIT_MS = 300;
/** The shortest quiet before a fault where the mode allows loss. */
const QUIET_MIN_FAVOURING_LOSS_MS = 300;
/** Between looks at the clients' counters. */
const POLL_MS = 10;
/** Before a fault, wait at most this for every node to answer; else the fault is skipped. */
const WHOLE_CLUSTER_WAIT_MS = 5_000;
/** Before choosing a victim, wait at most this for some node to lead. */
const LEADER_WAIT_MS = 5_000;
/** Admin calls that may meet a leader change or a pending membership change are retried this many times. */
const ADMIN_ATTEMPTS = 10;
const ADMIN_RETRY_PAUSE_MS = 300;
/** Membership changes need a cluster this large: removing one voter must leave a majority able to commit. */
const MIN_VOTERS_FOR_REMOVAL = 3;

export interface FaultRecord {
  readonly kind: NemesisName;
  /** The node hit (for a partition: the groups). */
  readonly target: string;
  /** History clock (ms since the campaign began). */
  readonly startMs: number;
  endMs: number;
  /** The fault took the leader away (killed, paused, cut off, removed or handed over). */
  readonly hitLeader: boolean;
  readonly leaderBefore: string | null;
  /** What was done, in words, and what came of it. */
  notes: string[];
  /** What went wrong: a node that did not recover, an admin call refused. These are findings. */
  problems: string[];
  /** After recovery, how long until the cluster agreed on a leader (null: it did not within the bound). */
  settledAfterMs: number | null;
}

export interface NemesisOptions {
  readonly target: ClusterTarget;
  readonly nemeses: readonly NemesisName[];
  readonly random: Random;
  readonly history: HistoryRecorder;
  readonly load: ClientLoad;
  /**
   * The mode allows losing acknowledged writes (async, semi-sync): kills always
   * aim at the leader, its links cut first, so a loss the mode allows shows.
   */
  readonly favourLoss: boolean;
  /** No fault starts after this (history clock); recovery of the last one may run past it. */
  readonly endMs: number;
  readonly log: (line: string) => void;
}

export class Nemesis {
  readonly faults: FaultRecord[] = [];
  /** Faults not injected because a node was down already: the cluster was not whole. */
  readonly skipped: { readonly atMs: number; readonly kind: NemesisName; readonly down: readonly string[] }[] = [];
  /** Log records corrupt-tail damaged, by node: the campaign checks at the end that they were repaired. */
  readonly damagedRecords = new Map<string, number[]>();
  private stopped = false;
  private readonly killed = new Set<string>();
  private readonly paused = new Set<string>();
  private partitioned = false;
  private readonly removed = new Set<string>();

  constructor(private readonly options: NemesisOptions) {}

  stop(): void {
    this.stopped = true;
  }

  async run(): Promise<void> {
    const { random, history, endMs, nemeses } = this.options;
    try {
      // Rounds of every fault kind in a seeded order: a short run still sees each kind.
      let round: NemesisName[] = [];
      for (let count = 0; count < MAX_FAULTS && !this.stopped; count++) {
        // Where loss is allowed, little quiet: a short run should get several tries at a leader kill.
        const quietMinMs = this.options.favourLoss ? QUIET_MIN_FAVOURING_LOSS_MS : QUIET_MIN_MS;
        await sleep(quietMinMs + random.next() * (QUIET_MAX_MS - quietMinMs));
        const holdMs = FAULT_HOLD_MIN_MS + random.next() * (FAULT_HOLD_MAX_MS - FAULT_HOLD_MIN_MS);
        if (this.stopped || history.now() + holdMs > endMs) break;
        if (round.length === 0) round = shuffled(nemeses, random);
        const kind = round.pop() as NemesisName;
        // One fault at a time means one on a whole cluster: a node that is already down (left down by its
        // host, say) plus a new fault could take a majority away, and the run would test the nemesis.
        const whole = await waitForView(this.options.target, WHOLE_CLUSTER_WAIT_MS, (view) => [...view.values()].every((status) => status !== null));
        if (!whole) {
          const down = [...(await viewCluster(this.options.target)).entries()].filter(([, status]) => status === null).map(([id]) => id);
          this.options.log(`nemesis: no ${kind}: ${down.join(', ') || 'a node'} not answering (down without a fault)`);
          this.skipped.push({ atMs: history.now(), kind, down });
          continue;
        }
        let fault: FaultRecord | null;
        try {
          fault = await this.inject(kind, holdMs);
        } catch (error) {
          // A step that threw (a process that would not die, a disk that would not open): a finding, and the run goes on.
          const now = history.now();
          fault = { ...this.begin(kind, '?', null, false), startMs: now, endMs: now, problems: [`the fault failed: ${(error as Error).message}`] };
        }
        if (fault) {
          this.faults.push(fault);
          this.options.log(`nemesis: ${describeFault(fault)}`);
        }
      }
    } finally {
      await this.recoverEverything();
    }
  }

  private async inject(kind: NemesisName, holdMs: number): Promise<FaultRecord | null> {
    // Faults aimed at the leader are the telling ones: give a mid-election cluster a moment to have one.
    const leader = await waitForLeader(this.options.target, LEADER_WAIT_MS);
    // Killing a follower cannot show a loss the mode allows; try again next round.
    if (!leader && kind === 'kill' && this.options.favourLoss) return null;
    switch (kind) {
      case 'kill':
        return this.kill(leader, holdMs);
      case 'pause':
        return this.pause(leader, holdMs);
      case 'partition':
        return this.partition(leader, holdMs);
      case 'transfer':
        return this.transfer(leader);
      case 'membership':
        return this.membership(leader, holdMs);
      case 'corrupt-tail':
        return this.corruptTail(leader);
    }
  }

  private begin(kind: NemesisName, target: string, leader: NodeStatusSnapshot | null, hitLeader: boolean): FaultRecord {
    return {
      kind,
      target,
      startMs: this.options.history.now(),
      endMs: Number.NaN,
      hitLeader,
      leaderBefore: leader?.nodeId ?? null,
      notes: [],
      problems: [],
      settledAfterMs: null,
    };
  }

  /** Ends a fault: stamps its end, then waits (bounded) for the cluster to agree on a leader. */
  private async settle(fault: FaultRecord): Promise<FaultRecord> {
    fault.endMs = this.options.history.now();
    const timeoutMs = this.stopped ? SETTLE_AFTER_STOP_MS : RECOVERY_TIMEOUT_MS;
    const settled = await waitForAgreedLeader(this.options.target, timeoutMs);
    if (settled === null)
      fault.problems.push(`no leader agreed on within ${timeoutMs} ms after recovery: ${describeView(await viewCluster(this.options.target))}`);
    else fault.settledAfterMs = this.options.history.now() - fault.endMs;
    return fault;
  }

  private processes(): ProcessControl {
    const processes = this.options.target.processes;
    if (!processes) throw new Error('this nemesis needs process control (a cluster launched by verify)');
    return processes;
  }

  /** The leader with LEADER_TARGET_PROBABILITY (when there is one), else any node. */
  private pickVictim(leader: NodeStatusSnapshot | null, candidates: readonly string[] = this.options.target.nodeIds): string {
    const { random } = this.options;
    if (leader && candidates.includes(leader.nodeId) && random.chance(LEADER_TARGET_PROBABILITY)) return leader.nodeId;
    return random.pick(candidates);
  }

  private async kill(leader: NodeStatusSnapshot | null, holdMs: number): Promise<FaultRecord | null> {
    const processes = this.processes();
    const { random, target, favourLoss, load, history } = this.options;
    // Where the mode allows loss, always the leader: that is where acknowledged writes can be lost.
    const victim = favourLoss && leader ? leader.nodeId : this.pickVictim(leader);
    const hitLeader = leader !== null && victim === leader.nodeId;
    const isolate = hitLeader && (favourLoss || random.chance(ISOLATE_BEFORE_KILL_PROBABILITY));
    const notes: string[] = [];
    if (hitLeader) {
      // A burst of writes, and the kill only once the leader is acknowledging them: a kill of a leader
      // that answers nothing at that moment (mid-stall on a loaded host) shows nothing.
      const burstAtMs = history.now();
      load.burst(BURST_MS);
      await sleep(BURST_MIN_BEFORE_KILL_MS);
      const acked = await this.waitForAcks(burstAtMs, leader.term, BURST_ACKS_WANTED, BURST_WAIT_MAX_MS);
      if (acked === 0 && favourLoss) {
        // Stalled or no longer leading: its kill could show no loss. The next round tries again.
        load.endBurst();
        this.options.log(`nemesis: no kill: ${victim} acknowledged no write of a ${BURST_WAIT_MAX_MS} ms burst in term ${leader.term}`);
        return null;
      }
      notes.push(`during a write burst (${acked} acknowledged in term ${leader.term} before the kill${isolate ? ' began' : ''})`);
    }
    const fault = this.begin('kill', victim, leader, hitLeader);
    if (isolate && leader) {
      // Its network dies first, then the process: what it acknowledges meanwhile reaches no follower. Cutting
      // at the victim alone isolates it both ways (its transport drops what it sends and what it receives), and
      // its restarted process comes back with whole links. It acknowledges for at most about an election
      // timeout, until check-quorum (or its host's lease watchdog) deposes it; writes still in flight then go
      // to the new leader and would bury the loss, so where the mode allows loss the clients stop writing
      // shortly after the cut.
      const cutAtMs = history.now();
      this.partitioned = true;
      const others = target.nodeIds.filter((id) => id !== victim);
      const cut = await adminRequest(target.urlOf(victim), 'POST', '/admin/partition', { groups: [[victim], others] }, target.token);
      if (!cut.ok) fault.problems.push(`isolating ${victim} was refused: ${cut.status ?? 'no answer'} ${cut.text.slice(0, 200)}`);
      if (favourLoss) {
        await sleep(ISOLATED_WRITES_MS);
        // The reads after the failover then see whether the acknowledged writes survived, before new writes bury them.
        // (Only where loss is allowed: a read-only window would hide how soon writes come back.)
        load.readOnly(READ_ONLY_AROUND_KILL_MS);
        const quietBy = performance.now() + IN_FLIGHT_WAIT_MS;
        while (load.writesInFlight > 0 && performance.now() < quietBy) await sleep(POLL_MS);
      } else {
        await sleep(ISOLATION_BEFORE_KILL_MS);
      }
      const alone = load.okWritesSince(cutAtMs, leader.term);
      notes.push(
        `its links cut ${Math.round(history.now() - cutAtMs)} ms before the kill; ${alone} writes acknowledged in its term since the cut began` +
          (favourLoss ? `; reads only for ${READ_ONLY_AROUND_KILL_MS} ms` : ''),
      );
      if (favourLoss && alone === 0) {
        // It answered nothing on its own: killing it could show no loss. Heal it and try again next round.
        const healed = await adminRequest(target.urlOf(victim), 'POST', '/admin/heal', {}, target.token);
        if (healed.ok) this.partitioned = false;
        else fault.problems.push(`healing ${victim} was refused: ${healed.status ?? 'no answer'} ${healed.text.slice(0, 200)}`);
        load.readOnly(0);
        fault.notes.push(`isolated ${victim} (the leader, ${notes.join('; ')}); not killed since it acknowledged nothing alone: healed`);
        return this.settle(fault);
      }
    }
    load.endBurst();
    this.killed.add(victim);
    await processes.kill(victim);
    // A cut lives in the process's transport: it died with it.
    if (isolate) this.partitioned = false;
    fault.notes.push(`kill -9 ${victim}${hitLeader ? ` (the leader, ${notes.join('; ')})` : ''}`);
    await sleep(holdMs);
    try {
      await processes.start(victim);
      this.killed.delete(victim);
      fault.notes.push(`restarted ${victim}`);
    } catch (error) {
      fault.problems.push(`${victim} did not restart: ${(error as Error).message}`);
    }
    return this.settle(fault);
  }

  /** Waits (bounded) until `wanted` writes were acknowledged in `term` after `sinceMs`; returns how many were. */
  private async waitForAcks(sinceMs: number, term: number, wanted: number, maxWaitMs: number): Promise<number> {
    const { load } = this.options;
    const until = performance.now() + maxWaitMs;
    while (load.okWritesSince(sinceMs, term) < wanted && performance.now() < until) await sleep(POLL_MS);
    return load.okWritesSince(sinceMs, term);
  }

  private async pause(leader: NodeStatusSnapshot | null, holdMs: number): Promise<FaultRecord> {
    const processes = this.processes();
    const victim = this.pickVictim(leader);
    const fault = this.begin('pause', victim, leader, victim === leader?.nodeId);
    this.paused.add(victim);
    processes.pause(victim);
    fault.notes.push(`SIGSTOP ${victim}`);
    await sleep(holdMs);
    processes.resume(victim);
    this.paused.delete(victim);
    fault.notes.push(`SIGCONT ${victim}`);
    return this.settle(fault);
  }

  private async partition(leader: NodeStatusSnapshot | null, holdMs: number): Promise<FaultRecord> {
    const { random, target } = this.options;
    const ids = target.nodeIds;
    let groups: string[][];
    if (leader && random.chance(LEADER_TARGET_PROBABILITY)) {
      groups = [[leader.nodeId], ids.filter((id) => id !== leader.nodeId)];
    } else {
      // Random halves: a shuffle, cut at a random point that leaves both sides non-empty.
      const order = shuffled(ids, random);
      const cut = 1 + random.int(order.length - 1);
      groups = [order.slice(0, cut), order.slice(cut)];
    }
    const majority = Math.floor(target.nodeIds.length / 2) + 1;
    const leaderGroup = leader ? groups.find((group) => group.includes(leader.nodeId)) : undefined;
    const hitLeader = leaderGroup !== undefined && leaderGroup.length < majority;
    const fault = this.begin('partition', groups.map((group) => `[${group.join(' ')}]`).join(' | '), leader, hitLeader);
    this.partitioned = true;
    const refused = await this.everyNode('POST', '/admin/partition', { groups });
    fault.notes.push(`partition ${fault.target} through the nodes' transport fault controls`);
    if (refused.length > 0) fault.problems.push(`partition refused by ${refused.join('; ')}`);
    await sleep(holdMs);
    const unhealed = await this.everyNode('POST', '/admin/heal', {});
    if (unhealed.length === 0) this.partitioned = false;
    else fault.problems.push(`heal refused by ${unhealed.join('; ')}`);
    fault.notes.push('healed');
    return this.settle(fault);
  }

  private async transfer(leader: NodeStatusSnapshot | null): Promise<FaultRecord | null> {
    if (!leader) return null;
    const others = leader.voters.filter((id) => id !== leader.nodeId);
    if (others.length === 0) return null;
    const to = this.options.random.pick(others);
    const fault = this.begin('transfer', `${leader.nodeId}->${to}`, leader, true);
    const answer = await adminRequest(this.options.target.urlOf(leader.nodeId), 'POST', '/admin/transfer-leadership', { to }, this.options.target.token);
    if (answer.ok) fault.notes.push(`leadership ${leader.nodeId} -> ${to}`);
    else fault.notes.push(`transfer ${leader.nodeId} -> ${to} refused (${answer.status ?? 'no answer'}: ${answer.text.slice(0, 200)})`);
    const moved = await waitForView(this.options.target, RECOVERY_TIMEOUT_MS, (view) => {
      const now = [...view.values()].find((status) => status?.role === 'leader' && status.term > leader.term);
      return now !== undefined;
    });
    fault.notes.push(moved ? 'a new term has a leader' : `no new leader within ${RECOVERY_TIMEOUT_MS} ms`);
    return this.settle(fault);
  }

  private async membership(leader: NodeStatusSnapshot | null, holdMs: number): Promise<FaultRecord | null> {
    if (!leader || leader.voters.length < MIN_VOTERS_FOR_REMOVAL || leader.learners.length > 0) return null;
    const victim = this.pickVictim(leader, leader.voters);
    const fault = this.begin('membership', victim, leader, victim === leader.nodeId);
    const removed = await this.toLeader('DELETE', `/admin/members/${encodeURIComponent(victim)}`);
    if (!removed.ok) {
      fault.problems.push(`removing ${victim} was refused: ${removed.text}`);
      return this.settle(fault);
    }
    this.removed.add(victim);
    fault.notes.push(`removed voter ${victim}`);
    await sleep(holdMs);
    const added = await this.toLeader('POST', '/admin/members', { id: victim });
    if (!added.ok) {
      fault.problems.push(`adding ${victim} back was refused: ${added.text}`);
      return this.settle(fault);
    }
    fault.notes.push(`added ${victim} back as a learner`);
    const promoted = await this.waitForVoter(victim);
    if (promoted) {
      this.removed.delete(victim);
      fault.notes.push(`${victim} is a voter again`);
    } else {
      fault.problems.push(`${victim} was not promoted back to voter within ${CATCH_UP_TIMEOUT_MS} ms`);
    }
    return this.settle(fault);
  }

  private async corruptTail(leader: NodeStatusSnapshot | null): Promise<FaultRecord | null> {
    const processes = this.processes();
    // A follower: the rest of the cluster, leader included, holds a majority copy of everything committed.
    const followers = this.options.target.nodeIds.filter((id) => id !== leader?.nodeId);
    if (!leader || followers.length === 0) return null;
    const victim = this.options.random.pick(followers);
    const fault = this.begin('corrupt-tail', victim, leader, false);
    this.killed.add(victim);
    await processes.kill(victim);
    let lastIndexBefore = 0;
    try {
      const damage = await corruptLogTail(processes.dataDirOf(victim), this.options.random);
      lastIndexBefore = damage.lastIndex;
      this.damagedRecords.set(victim, [...(this.damagedRecords.get(victim) ?? []), ...damage.damaged]);
      fault.notes.push(
        damage.damaged.length === 0
          ? `kill -9 ${victim}; its log was empty, nothing to damage`
          : `kill -9 ${victim}; flipped bytes in log records ${damage.damaged.join(', ')} (its last was ${damage.lastIndex})`,
      );
    } catch (error) {
      fault.problems.push(`could not damage ${victim}'s log: ${(error as Error).message}`);
    }
    try {
      await processes.start(victim);
      this.killed.delete(victim);
    } catch (error) {
      fault.problems.push(`${victim} did not restart on its damaged log: ${(error as Error).message}`);
      return this.settle(fault);
    }
    // Repaired from peers: it holds at least what it had, and has applied what the leader had committed.
    const startedMs = performance.now();
    const target = (await currentLeader(this.options.target))?.commitIndex ?? 0;
    const caughtUp = await waitForView(this.options.target, CATCH_UP_TIMEOUT_MS, (view) => {
      const status = view.get(victim);
      return status !== null && status !== undefined && status.lastIndex >= lastIndexBefore && status.appliedIndex >= target;
    });
    if (caughtUp) fault.notes.push(`${victim} restarted and caught up from its peers in ${Math.round(performance.now() - startedMs)} ms`);
    else fault.problems.push(`${victim} did not catch up (index ${lastIndexBefore}, commit ${target}) within ${CATCH_UP_TIMEOUT_MS} ms of restarting`);
    return this.settle(fault);
  }

  private async waitForVoter(id: string): Promise<boolean> {
    return waitForView(this.options.target, CATCH_UP_TIMEOUT_MS, (view) => {
      const leader = [...view.values()].find((status) => status?.role === 'leader');
      return leader?.voters.includes(id) === true;
    });
  }

  /** An admin call to whoever leads now, retried across leader changes. */
  private async toLeader(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<{ ok: boolean; text: string }> {
    let last = 'no leader';
    for (let attempt = 0; attempt < ADMIN_ATTEMPTS; attempt++) {
      const leader = await currentLeader(this.options.target);
      if (leader) {
        const answer = await adminRequest(this.options.target.urlOf(leader.nodeId), method, path, body, this.options.target.token);
        if (answer.ok) return { ok: true, text: answer.text };
        last = `${leader.nodeId} answered ${answer.status ?? 'nothing'}: ${answer.text.slice(0, 200)}`;
        // A missing route will not appear; other refusals ("a membership change is pending", "not the leader") pass.
        if (answer.status === 404) break;
      }
      await sleep(ADMIN_RETRY_PAUSE_MS);
    }
    return { ok: false, text: last };
  }

  /** Sends one admin call to every node, retrying each a few times; the refusals, as "node: reason". */
  private async everyNode(method: 'POST', path: string, body: unknown, ids: readonly string[] = this.options.target.nodeIds): Promise<string[]> {
    const { target } = this.options;
    const refusals = await Promise.all(
      ids.map(async (id) => {
        let last = '';
        for (let attempt = 0; attempt < ADMIN_ATTEMPTS; attempt++) {
          const answer = await adminRequest(target.urlOf(id), method, path, body, target.token);
          if (answer.ok) return null;
          last = `${id}: ${answer.status ?? 'no answer'} ${answer.text.slice(0, 200)}`;
          if (answer.status === 404) break;
          await sleep(ADMIN_RETRY_PAUSE_MS);
        }
        return last;
      }),
    );
    return refusals.filter((refusal): refusal is string => refusal !== null);
  }

  /** Whatever a fault left behind (the run ended, or a step threw): resumed, restarted, healed, re-added. */
  private async recoverEverything(): Promise<void> {
    const processes = this.options.target.processes;
    for (const id of this.paused) processes?.resume(id);
    this.paused.clear();
    for (const id of [...this.killed]) {
      try {
        if (processes && !processes.isRunning(id)) await processes.start(id);
        this.killed.delete(id);
      } catch (error) {
        this.options.log(`nemesis: ${id} did not restart at the end: ${(error as Error).message}`);
      }
    }
    if (this.partitioned) {
      const unhealed = await this.everyNode('POST', '/admin/heal', {});
      if (unhealed.length > 0) this.options.log(`nemesis: heal refused at the end by ${unhealed.join('; ')}`);
      this.partitioned = false;
    }
    for (const id of [...this.removed]) {
      const view = await viewCluster(this.options.target);
      const leader = [...view.values()].find((status) => status?.role === 'leader');
      if (leader?.voters.includes(id)) {
        this.removed.delete(id);
        continue;
      }
      if (!leader?.learners.includes(id)) await this.toLeader('POST', '/admin/members', { id });
      if (await this.waitForVoter(id)) this.removed.delete(id);
      else this.options.log(`nemesis: ${id} is not a voter again at the end`);
    }
  }
}

function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

export function describeFault(fault: FaultRecord): string {
  const at = `${(fault.startMs / 1000).toFixed(2)}-${(fault.endMs / 1000).toFixed(2)} s`;
  const problems = fault.problems.length > 0 ? `; PROBLEMS: ${fault.problems.join('; ')}` : '';
  return `${at} ${fault.kind} ${fault.target}: ${fault.notes.join('; ')}${problems}`;
}
