// The replication core: Raft as a deterministic state machine with no I/O,
// in the shape of etcd-io/raft's RawNode. The runtime drives it with
// tick() / step() / propose() / readIndex(), takes ready(), persists its
// entries and hard state, sends its messages, applies its committed entries,
// and calls advance(). The node's role lives in the XState role machine
// (machines/); this class runs the effects the machine names.

import { createXStateRoleDriver, type RoleAction, type RoleDriver, type RoleEvent, type RoleState } from '../../machines/index.js';
import { assert, unreachable } from '../ground/assert.js';
import { resolveCoreConfig, validateWritePolicy, type CoreConfig, type CoreConfigInput, type WritePolicy } from './config.js';
import { ElectionPatience } from './election-patience.js';
import { ForwardedReads } from './forwarded-reads.js';
import { applyMembershipChange, isVoter } from './membership.js';
import type { Progress } from './progress.js';
import * as messages from './messages.js';
import { MembershipLog } from './membership-log.js';
import { ProgressTracker } from './tracker.js';
import { RaftLog } from './raft-log.js';
import { createRandom, type Random } from './random.js';
import { ReadBarrier } from './read-barrier.js';
import type {
  AppendEntries,
  AppendEntriesResponse,
  CoreStatus,
  Entry,
  FollowerProgress,
  HardState,
  Heartbeat,
  HeartbeatResponse,
  InstallSnapshot,
  Membership,
  MembershipChange,
  Message,
  NodeId,
  PersistedState,
  ProposeResult,
  ReadIndexRequest,
  ReadIndexResponse,
  ReadState,
  Ready,
  RejectReason,
  RoleCause,
  RequestVote,
  RequestVoteResponse,
  Role,
  Snapshot,
  SoftState,
  WriteAck,
  WriteOptions,
} from './types.js';
import { WriteAcks, type ReplicationView } from './write-acks.js';

export type CommandResult =
  { readonly ok: true } | { readonly ok: false; readonly reason: RejectReason | 'invalid-request'; readonly leaderId: NodeId | null; readonly detail?: string };

export interface CoreStartOptions {
  /** What the state machine already applied (it may be ahead of the snapshot). */
  readonly appliedIndex?: number;
}

/** What a role steps: everything but votes and forwarded-read answers, which every role handles alike. */
type RoleMessage = Exclude<Message, RequestVote | ReadIndexResponse>;

/** A snapshot is large and slow to land: wait this many stall periods before sending it again. */
const SNAPSHOT_STALL_FACTOR = 4;

export function emptyPersistedState(voters: readonly NodeId[]): PersistedState {
  return {
    hardState: { term: 0, vote: null, commit: 0 },
    snapshot: null,
    entries: [],
    bootstrap: { voters: [...voters], learners: [] },
  };
}

export class RaftCore {
  readonly id: NodeId;
  private readonly config: CoreConfig;
  private readonly random: Random;
  private readonly driver: RoleDriver;
  private roleState: RoleState;

  private term = 0;
  private vote: NodeId | null = null;
  private leaderId: NodeId | null = null;
  private readonly log = new RaftLog();

  /** The membership in force, from the config entries in the log. */
  private readonly memberships: MembershipLog;
  private snapshot: Snapshot | null = null;
  private snapshotToInstall: Snapshot | null = null;

  private nowTick = 0;
  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  /** This wait's random part, drawn when the election timer is reset; the base is the patience's. */
  private electionJitterDrawTicks = 0;
  private readonly patience: ElectionPatience;
  /** Why the node holds its role (SoftState.cause), and the cause of the campaign it runs or won. */
  private roleCause: RoleCause = { kind: 'start' };
  private campaignCause: RoleCause = { kind: 'start' };
  /** This pre-candidate granted a better claim's pre-vote (see outranksPreCandidate): it will not run itself. */
  private yieldedTo: NodeId | null = null;
  private campaignIsTransfer = false;
  /** How a message of this term is stepped in the current role; set by the role's entry action. */
  private stepByRole: (message: RoleMessage) => void = (message) => this.stepFollower(message);
  /** This node has followed a leader since it started (see inLease). */
  private leaderFollowedSinceStart = false;
  /**
   * The leader crash evidence named, in the term it led. What it sent before it died may still be in
   * flight; taken for a live leader, it would end the campaign the evidence started (and make this
   * node shield a dead leader again). Such messages are dropped, as lost ones would be, for one
   * election timeout; a restarted incarnation can only lead a later term, which is never dropped.
   */
  private deadLeader: { readonly id: NodeId; readonly term: number; readonly untilTick: number } | null = null;

  /** Each member's progress (leader) and the votes of a campaign; every quorum question is asked of it. */
  private readonly tracker: ProgressTracker;
  private transferee: NodeId | null = null;
  /**
   * Set once this leader sent TimeoutNow: from then on, followers may vote for
   * the transfer target despite having just acknowledged us, so their acks no
   * longer back a lease. Cleared only by a new leadership.
   */
  private leaseRevoked = false;
  private needsBroadcast = false;
  /** The commit index moved: followers should hear it this turn, not at the next heartbeat. */
  private needsCommitBroadcast = false;
  private writeAcks: WriteAcks;
  private reads: ReadBarrier;
  private readonly failedAcks: WriteAck[] = [];
  private readonly droppedReads: number[] = [];
  /** A follower's reads sent to its leader for a read index. */
  private readonly forwardedReads: ForwardedReads;
  /** Forwarded reads the leader answered: released in the next Ready. */
  private readonly forwardedReleased: ReadState[] = [];
  /**
   * On the leader, reads forwarded by followers sit in the same read barrier as its own, under
   * negative ids (the runtime's are positive), mapped back to who asked and their id.
   */
  private readonly remoteReadOrigins = new Map<number, { readonly from: NodeId; readonly requestId: number }>();
  private nextRemoteReadId = -1;

  private outbox: Message[] = [];
  private persistedHardState: HardState;
  private reportedSoftState: SoftState;
  private readyInFlight: Ready | null = null;

  constructor(input: CoreConfigInput, persisted: PersistedState, options: CoreStartOptions = {}) {
    this.config = resolveCoreConfig(input);
    this.id = this.config.id;
    this.random = createRandom(this.config.seed);
    this.tracker = new ProgressTracker(this.id);
    this.driver = this.config.roleDriver ?? createXStateRoleDriver();
    this.roleState = this.driver.initial();

    const { hardState, snapshot, entries } = persisted;
    this.term = hardState.term;
    this.vote = hardState.vote;
    this.snapshot = snapshot;

    // The stored commit may trail what was applied: a commit-only change is never persisted on its
    // own (see hardStateChanged), and whatever the state machine applied was committed.
    this.log.load(snapshot?.meta ?? null, entries, Math.max(hardState.commit, options.appliedIndex ?? 0));
    const applied = Math.min(Math.max(options.appliedIndex ?? 0, this.log.firstIndex() - 1), this.log.committed);
    this.log.appliedTo(applied);
    this.memberships = new MembershipLog(
      snapshot?.meta.membership ?? persisted.bootstrap,
      this.log.configIndexesFrom(this.log.firstIndex()),
      this.log.lastIndex(),
      (index) => this.log.entry(index),
    );

    this.writeAcks = new WriteAcks(this.config.maxPendingWrites);
    this.reads = new ReadBarrier(this.config.maxPendingReads);
    this.forwardedReads = new ForwardedReads(this.config.maxPendingReads);
    this.patience = new ElectionPatience(this.config.electionTimeoutTicks, this.config.maxElectionTimeoutTicks);
    this.persistedHardState = { term: this.term, vote: this.vote, commit: this.log.committed };
    this.reportedSoftState = { role: 'follower', leaderId: null, cause: this.roleCause };
    this.resetElectionTimer();
  }

  // ------------------------------------------------------------ the driving API

  /**
   * Let `ticks` ticks pass. More than one is how a driver that stalled catches up: time (the
   * lease, write and read timeouts) moves by all of them, but each timer fires at most once, and
   * the leader's check-quorum judges the whole stretch as one window. The messages the driver
   * stepped just before (what arrived during the stall) count for that window, so a leader that
   * was itself too busy to listen is not deposed by its own stall, while one that heard from no
   * quorum in all that time still steps down.
   */
  tick(ticks = 1): void {
    this.assertBetweenReadies();
    assert(Number.isInteger(ticks) && ticks >= 1, `tick(${ticks}): ticks must be a positive integer`);
    this.nowTick += ticks;
    if (this.role === 'leader') this.tickLeader(ticks);
    else this.tickElection(ticks);
    this.resendDueForwardedReads();
    this.dropStaleForwardedReads();
  }

  step(message: Message): void {
    this.assertBetweenReadies();
    if (message.to !== this.id) return;
    this.stepMessage(message);
    this.dropStaleForwardedReads();
  }

  /**
   * Evidence, not silence: `peer`'s thread or process is gone (its channel closed and it could not
   * be reached again). A follower whose leader it was campaigns at once, and no longer shields that
   * leader with stickiness. The runtime hands this over in the order it arrived among the messages,
   * so evidence about an old incarnation can never be applied after the new one was heard.
   */
  peerCrashed(peer: NodeId): void {
    this.assertBetweenReadies();
    if (peer === this.id || this.role !== 'follower' || this.leaderId !== peer) return;
    this.deadLeader = { id: peer, term: this.term, untilTick: this.nowTick + this.config.electionTimeoutTicks };
    this.leaderId = null;
    this.patience.forgetLeader();
    this.campaignIsTransfer = false;
    const promotable = isVoter(this.membership, this.id);
    this.fire({ type: 'LEADER_CRASHED', preVote: this.config.preVote, promotable }, { kind: 'leader-crashed', leaderId: peer });
    this.countVotes();
    this.dropStaleForwardedReads();
  }

  private stepMessage(message: Message): void {
    if (this.isFromDeadLeader(message)) return;
    if (message.term > this.term) {
      if (!this.acceptHigherTerm(message)) return;
    } else if (message.term < this.term) {
      this.answerStaleTerm(message);
      return;
    }
    // Every role answers votes, and settles the reads it forwarded; the rest is the role's, as in
    // etcd-io/raft's stepLeader / stepCandidate / stepFollower, chosen by the role's entry action.
    if (message.type === 'RequestVote') return this.handleRequestVote(message);
    if (message.type === 'ReadIndexResponse') return this.handleReadIndexResponse(message);
    this.stepByRole(message);
  }

  private stepFollower(message: RoleMessage): void {
    switch (message.type) {
      case 'AppendEntries':
      case 'Heartbeat':
      case 'InstallSnapshot':
        return this.stepFromLeader(message);
      case 'TimeoutNow':
        return this.campaign({ kind: 'transfer', from: message.from });
      case 'ReadIndexRequest':
        return this.sendReadIndexResponse(message.from, message.requestId, null);
      case 'RequestVoteResponse':
      case 'AppendEntriesResponse':
      case 'HeartbeatResponse':
        return; // answers to a role this node no longer holds
      default:
        unreachable(message, 'a message a follower does not handle');
    }
  }

  /** A pre-candidate or candidate. */
  private stepCandidate(message: RoleMessage): void {
    switch (message.type) {
      case 'RequestVoteResponse':
        return this.handleVoteResponse(message);
      case 'AppendEntries':
      case 'Heartbeat':
      case 'InstallSnapshot':
        return this.stepFromLeader(message);
      case 'TimeoutNow':
        return this.campaign({ kind: 'transfer', from: message.from });
      case 'ReadIndexRequest':
        return this.sendReadIndexResponse(message.from, message.requestId, null);
      case 'AppendEntriesResponse':
      case 'HeartbeatResponse':
        return;
      default:
        unreachable(message, 'a message a candidate does not handle');
    }
  }

  private stepLeader(message: RoleMessage): void {
    switch (message.type) {
      case 'AppendEntriesResponse':
        return this.handleAppendResponse(message);
      case 'HeartbeatResponse':
        return this.handleHeartbeatResponse(message);
      case 'ReadIndexRequest':
        return this.handleReadIndexRequest(message);
      case 'AppendEntries':
      case 'Heartbeat':
      case 'InstallSnapshot':
        return this.stepFromLeader(message); // another leader of this term: followLeader asserts it cannot be
      case 'TimeoutNow':
        return this.campaign({ kind: 'transfer', from: message.from }); // the role machine ignores it in a leader
      case 'RequestVoteResponse':
        return;
      default:
        unreachable(message, 'a message a leader does not handle');
    }
  }

  /** A message only a leader of this term sends. */
  private stepFromLeader(message: AppendEntries | Heartbeat | InstallSnapshot): void {
    this.followLeader(message.from);
    if (message.type === 'AppendEntries') this.handleAppendEntries(message);
    else if (message.type === 'Heartbeat') this.handleHeartbeat(message);
    else this.handleInstallSnapshot(message);
  }

  /** A client write; the leader appends it and says where. */
  propose(data: Uint8Array, options: WriteOptions = {}): ProposeResult {
    this.assertBetweenReadies();
    const refused = this.refuseUnlessLeader();
    if (refused) return refused;
    if (data.byteLength > this.config.maxEntryBytes) return this.reject('entry-too-large');
    if (this.writeAcks.isFull()) return this.reject('too-many-pending');
    const policy = this.writePolicy(options);
    const entry: Entry = { index: this.log.lastIndex() + 1, term: this.term, kind: 'command', data };
    this.appendAsLeader(entry);
    this.writeAcks.add(entry.index, entry.term, policy, this.nowTick);
    return { ok: true, index: entry.index, term: entry.term };
  }

  /** One membership change at a time; a learner catches up before it is promoted. */
  proposeMembership(change: MembershipChange): ProposeResult {
    this.assertBetweenReadies();
    const refused = this.refuseUnlessLeader();
    if (refused) return refused;
    if (this.hasPendingMembershipChange() || !this.committedInTerm()) {
      // Ongaro's fix: no change before the leader commits an entry of its own term.
      return this.reject('membership-change-pending');
    }
    const result = applyMembershipChange(this.membership, change);
    if (!result.ok) return { ok: false, reason: 'invalid-membership-change', leaderId: this.leaderId };
    const entry: Entry = {
      index: this.log.lastIndex() + 1,
      term: this.term,
      kind: 'config',
      membership: result.membership,
    };
    this.appendAsLeader(entry);
    return { ok: true, index: entry.index, term: entry.term };
  }

  /**
   * A read barrier. The answer comes later as a ReadState in ready(): once the
   * state machine has applied its index, reading is linearizable. With
   * `lease`, a leader whose lease holds answers without a round trip.
   */
  readIndex(requestId: number, options: { lease?: boolean } = {}): CommandResult {
    this.assertBetweenReadies();
    assert(Number.isSafeInteger(requestId) && requestId > 0, `read id ${requestId} is a positive integer`);
    if (this.role !== 'leader') return this.forwardReadIndex(requestId, options.lease === true);
    const refused = this.refuseUnlessLeader();
    if (refused) return refused;
    if (this.reads.isFull()) return this.reject('too-many-pending');
    this.registerRead(requestId, options.lease === true);
    return { ok: true };
  }

  /** A follower asks its leader; the answer comes back as a ReadState like the leader's own. */
  private forwardReadIndex(requestId: number, lease: boolean): CommandResult {
    const leaderId = this.leaderId;
    if (this.role !== 'follower' || leaderId === null) return this.reject('not-leader');
    if (this.forwardedReads.isFull()) return this.reject('too-many-pending');
    if (this.config.plantedBug === 'follower-read-local') {
      this.forwardedReleased.push({ requestId, index: this.log.committed });
      return { ok: true };
    }
    this.forwardedReads.add(requestId, lease, leaderId, this.nowTick);
    this.sendReadIndexRequest(leaderId, requestId, lease);
    return { ok: true };
  }

  private registerRead(barrierId: number, lease: boolean): void {
    if (!this.committedInTerm()) {
      this.reads.waitForTermCommit(barrierId);
    } else if ((lease && this.leaseValid()) || this.membership.voters.length === 1) {
      this.reads.releaseNow(barrierId, this.log.committed);
    } else {
      this.reads.add(barrierId, this.log.committed);
    }
  }

  transferLeadership(to: NodeId): CommandResult {
    this.assertBetweenReadies();
    if (this.role !== 'leader') return this.reject('not-leader');
    if (to === this.id) return { ok: true };
    if (!isVoter(this.membership, to)) {
      return { ok: false, reason: 'invalid-request', leaderId: this.id, detail: `${to} is not a voter` };
    }
    if (this.transferee !== null) return this.reject('transfer-in-progress');
    this.transferee = to;
    this.electionElapsed = 0; // the transfer must finish within one election timeout
    this.fire({ type: 'TRANSFER_LEADERSHIP' }, this.roleCause);
    const progress = this.tracker.of(to);
    if (progress.match === this.log.lastIndex()) this.sendTimeoutNow(to);
    else this.sendAppend(to, false);
    return { ok: true };
  }

  /**
   * The state machine took a snapshot at `index` (already applied): forget the
   * log through it. Returns the snapshot for the runtime to persist together
   * with the compaction.
   */
  compact(index: number, data: Uint8Array): Snapshot | null {
    this.assertBetweenReadies();
    assert(index <= this.log.applied, `snapshot at ${index} beyond applied ${this.log.applied}`);
    if (index <= this.log.firstIndex() - 1) return null;
    const term = this.log.term(index);
    assert(term !== undefined, `no term for snapshot index ${index}`);
    const snapshot: Snapshot = { meta: { index, term, membership: this.memberships.at(index) }, data };
    this.memberships.compactedTo(index);
    this.log.compactTo(index);
    this.snapshot = snapshot;
    return snapshot;
  }

  hasReady(): boolean {
    if (this.readyInFlight) return false;
    return (
      this.outbox.length > 0 ||
      this.needsBroadcast ||
      this.log.unstableEntries().length > 0 ||
      this.log.committed > this.log.applied ||
      this.snapshotToInstall !== null ||
      this.reads.needsRound() ||
      this.reads.hasReleased() ||
      this.forwardedReleased.length > 0 ||
      this.failedAcks.length > 0 ||
      this.droppedReads.length > 0 ||
      (this.role === 'leader' && this.writeAcks.hasDue(this.replicationView(), this.nowTick)) ||
      this.hardStateChanged() ||
      this.softStateChanged()
    );
  }

  ready(): Ready {
    this.assertBetweenReadies();
    if (this.role === 'leader') {
      if (this.needsBroadcast || this.needsCommitBroadcast) this.broadcastAppend();
      if (this.reads.needsRound()) this.broadcastHeartbeat();
    }
    const acks = this.role === 'leader' ? this.writeAcks.collect(this.replicationView(), this.nowTick) : [];
    const hardState: HardState = { term: this.term, vote: this.vote, commit: this.log.committed };
    const softState: SoftState = { role: this.role, leaderId: this.leaderId, cause: this.roleCause };
    const readStates = this.answerRemoteReads(this.reads.take());
    const ready: Ready = {
      ...(this.hardStateChanged() ? { hardState } : {}),
      entries: this.log.unstableEntries(),
      ...(this.snapshotToInstall ? { snapshot: this.snapshotToInstall } : {}),
      messages: this.outbox,
      committed: this.log.nextCommitted(this.config.maxCommittedPerReady),
      readStates: this.forwardedReleased.length > 0 ? [...readStates, ...this.forwardedReleased.splice(0)] : readStates,
      droppedReads: this.droppedReads.splice(0),
      acks: this.failedAcks.length > 0 ? [...this.failedAcks.splice(0), ...acks] : acks,
      ...(this.softStateChanged() ? { softState } : {}),
    };
    this.outbox = [];
    this.readyInFlight = ready;
    return ready;
  }

  /** The runtime persisted, sent and applied everything in `ready`. */
  advance(ready: Ready): void {
    assert(ready === this.readyInFlight, 'advance() with a Ready that is not the one in flight');
    this.readyInFlight = null;
    if (ready.hardState) this.persistedHardState = ready.hardState;
    if (ready.snapshot) this.snapshotToInstall = null;
    const lastEntry = ready.entries[ready.entries.length - 1];
    if (lastEntry) this.log.stableTo(lastEntry.index, lastEntry.term);
    const lastCommitted = ready.committed[ready.committed.length - 1];
    if (lastCommitted) this.log.appliedTo(lastCommitted.index);
    if (ready.softState) this.reportedSoftState = ready.softState;
  }

  get role(): Role {
    return this.roleState.role;
  }

  // Cheap reads for the runtime's every turn; status() builds a whole snapshot.
  get currentTerm(): number {
    return this.term;
  }

  get knownLeader(): NodeId | null {
    return this.leaderId;
  }

  get commitIndex(): number {
    return this.log.committed;
  }

  get appliedIndex(): number {
    return this.log.applied;
  }

  status(): CoreStatus {
    const progress: Record<NodeId, FollowerProgress> = {};
    for (const [id, pr] of this.tracker.entries()) {
      progress[id] = {
        matchIndex: pr.match,
        nextIndex: pr.next,
        lastHeardTicksAgo: this.nowTick - pr.lastHeardTick,
        learner: pr.learner,
      };
    }
    return {
      id: this.id,
      role: this.role,
      term: this.term,
      vote: this.vote,
      leaderId: this.leaderId,
      commitIndex: this.log.committed,
      appliedIndex: this.log.applied,
      lastIndex: this.log.lastIndex(),
      firstIndex: this.log.firstIndex(),
      membership: this.membership,
      progress,
      leaseValid: this.leaseValid(),
      leaseRemainingTicks: this.leaseRemainingTicks(),
      electionWaitTicks: this.patience.waitTicks(this.nowTick),
      largestLeaderGapTicks: this.patience.largestRecentGapTicks(this.nowTick),
      cause: this.roleCause,
    };
  }

  /** The latest snapshot this node holds (taken locally or installed from a leader). */
  latestSnapshot(): Snapshot | null {
    return this.snapshot;
  }

  /** The log entry at `index`, if it is still in memory. */
  entryAt(index: number): Entry | undefined {
    return this.log.entry(index);
  }

  // --------------------------------------------------------------- role machine

  /**
   * `cause` says why, for the record: a campaign's cause is kept until it ends, and a node that
   * wins carries it as leader (SoftState.cause), so every leader change can say what caused it.
   */
  private fire(event: RoleEvent, cause: RoleCause): void {
    const step = this.driver.send(this.roleState, event);
    this.roleState = step.state;
    if (step.changed || step.actions.length > 0) {
      const campaigning = this.role === 'pre-candidate' || this.role === 'candidate';
      if (campaigning && event.type !== 'PRE_VOTE_QUORUM') this.campaignCause = cause;
      this.roleCause = campaigning || this.role === 'leader' ? this.campaignCause : cause;
    }
    for (const action of step.actions) this.runRoleAction(action);
  }

  private runRoleAction(action: RoleAction): void {
    switch (action) {
      case 'becomeFollower':
        return this.enterFollower();
      case 'becomePreCandidate':
        return this.enterPreCandidate();
      case 'becomeCandidate':
        return this.enterCandidate();
      case 'becomeLeader':
        return this.enterLeader();
      case 'beginTransfer':
        return;
      case 'endTransfer':
        this.transferee = null;
        return;
      default:
        unreachable(action, 'unknown role action');
    }
  }

  private enterFollower(): void {
    this.stepByRole = (message) => this.stepFollower(message);
    this.resetElectionTimer();
    this.tracker.clearVotes();
    this.leaveLeadership();
  }

  /** Idempotent: a node that never led has nothing pending. */
  private leaveLeadership(): void {
    // Stepping down on its own (check-quorum, removal), it knows of no leader.
    if (this.leaderId === this.id) this.leaderId = null;
    this.failedAcks.push(...this.writeAcks.failAll());
    for (const barrierId of this.reads.dropAll()) {
      if (barrierId > 0) this.droppedReads.push(barrierId);
      else this.answerRemoteRead(barrierId, null);
    }
    this.tracker.clear();
    this.transferee = null;
    this.needsBroadcast = false;
    this.needsCommitBroadcast = false;
  }

  private enterPreCandidate(): void {
    this.stepByRole = (message) => this.stepCandidate(message);
    this.resetElectionTimer();
    this.leaderId = null;
    this.patience.forgetLeader();
    this.yieldedTo = null;
    this.requestVotes(true);
  }

  private enterCandidate(): void {
    this.stepByRole = (message) => this.stepCandidate(message);
    this.resetElectionTimer();
    this.term += 1;
    this.vote = this.id;
    this.leaderId = null;
    this.patience.forgetLeader();
    this.requestVotes(false);
  }

  private enterLeader(): void {
    this.stepByRole = (message) => this.stepLeader(message);
    this.leaderId = this.id;
    this.transferee = null;
    this.leaseRevoked = false;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.writeAcks = new WriteAcks(this.config.maxPendingWrites);
    this.reads = new ReadBarrier(this.config.maxPendingReads);
    this.tracker.reset(this.membership, this.log.lastIndex(), this.nowTick);
    // A no-op of the new term lets the leader commit (and so serve reads) at once (§8).
    this.appendAsLeader({ index: this.log.lastIndex() + 1, term: this.term, kind: 'noop' });
  }

  // ------------------------------------------------------------------ elections

  private tickElection(ticks: number): void {
    this.electionElapsed += ticks;
    if (this.electionElapsed >= this.electionWaitTicks()) {
      const silenceTicks = this.electionElapsed;
      this.electionElapsed = 0;
      this.campaign({ kind: 'election-timeout', silenceTicks });
    }
  }

  /** Silence this node sits out before it campaigns: its patience plus this wait's jitter. */
  private electionWaitTicks(): number {
    return this.patience.waitTicks(this.nowTick) + this.electionJitterDrawTicks;
  }

  private campaign(cause: RoleCause & { kind: 'election-timeout' | 'transfer' }): void {
    const promotable = isVoter(this.membership, this.id);
    const transfer = cause.kind === 'transfer';
    this.campaignIsTransfer = transfer;
    if (transfer) this.fire({ type: 'TIMEOUT_NOW', promotable }, cause);
    else this.fire({ type: 'ELECTION_TIMEOUT', preVote: this.config.preVote, promotable }, cause);
    this.countVotes();
  }

  private requestVotes(preVote: boolean): void {
    this.tracker.resetVotes();
    for (const voter of this.membership.voters) {
      if (voter !== this.id) this.sendVoteRequest(voter, preVote);
    }
  }

  private sendPreVoteRequest(to: NodeId): void {
    if (isVoter(this.membership, to)) this.sendVoteRequest(to, true);
  }

  private sendVoteRequest(to: NodeId, preVote: boolean): void {
    const term = preVote ? this.term + 1 : this.term;
    this.send(messages.voteRequest(this.to(to, term), preVote, this.campaignIsTransfer, this.log.lastIndex(), this.log.lastTerm()));
  }

  private isFromDeadLeader(message: Message): boolean {
    const dead = this.deadLeader;
    if (dead === null) return false;
    if (this.nowTick >= dead.untilTick) {
      this.deadLeader = null;
      return false;
    }
    return message.from === dead.id && message.term <= dead.term;
  }

  private countVotes(): void {
    const role = this.role;
    if (role !== 'pre-candidate' && role !== 'candidate') return;
    const result = this.tracker.tallyVotes(this.membership.voters);
    // Having backed a better pre-candidate, it waits for that one's RequestVote (or its own next timeout).
    if (result === 'won' && !(role === 'pre-candidate' && this.yieldedTo !== null)) {
      this.fire({ type: role === 'pre-candidate' ? 'PRE_VOTE_QUORUM' : 'VOTE_QUORUM' }, this.campaignCause);
      // Winning the pre-vote starts the real election, which a single voter wins at once.
      if (role === 'pre-candidate') this.countVotes();
    } else if (result === 'lost' && role === 'pre-candidate') {
      this.fire({ type: 'PRE_VOTE_REJECTED' }, { kind: 'pre-vote-rejected' });
    }
  }

  /** A follower that recently heard from a leader ignores campaigns (leader stickiness). */
  private inLease(): boolean {
    if (!this.config.checkQuorum) return false;
    if (this.leaderId !== null && this.electionElapsed < this.config.electionTimeoutTicks) return true;
    // A node that just started may have acknowledged a lease before it crashed. Once it has followed
    // a leader since (of its persisted term or later), that lease is settled: that leader's or
    // superseded by it. So the rule no longer applies; else crash evidence about the leader it
    // followed would be ignored by a recently restarted node, and the election would wait out a timeout.
    return !this.leaderFollowedSinceStart && this.nowTick < this.config.electionTimeoutTicks;
  }

  private acceptHigherTerm(message: Message): boolean {
    if (message.type === 'RequestVote') {
      if (!message.transfer && this.inLease()) return false;
      if (message.preVote) return true; // a pre-vote never changes anyone's term
    }
    if (message.type === 'RequestVoteResponse' && message.preVote && message.granted) return true;
    const fromLeader = message.type === 'AppendEntries' || message.type === 'Heartbeat' || message.type === 'InstallSnapshot';
    this.becomeFollowerAt(message.term, fromLeader ? message.from : null, message.from);
    return true;
  }

  private answerStaleTerm(message: Message): void {
    if (message.type === 'AppendEntries' || message.type === 'Heartbeat') {
      // A deposed leader that cannot hear the new one: our term makes it step down.
      this.send(messages.appendRejected(this.to(message.from), 0, 0, 0));
    } else if (message.type === 'RequestVote' && message.preVote) {
      this.send(messages.voteResponse(this.to(message.from), true, false));
    } else if (message.type === 'ReadIndexRequest') {
      // Our newer term tells the asker its leader is gone; it asks again once it knows the new one.
      this.sendReadIndexResponse(message.from, message.requestId, null);
    }
  }

  private becomeFollowerAt(term: number, leaderId: NodeId | null, from: NodeId): void {
    if (term > this.term) {
      this.term = term;
      this.vote = null;
    }
    this.leaderId = leaderId;
    this.patience.forgetLeader();
    this.fire({ type: 'HIGHER_TERM' }, { kind: 'higher-term', from, term });
  }

  private followLeader(leaderId: NodeId): void {
    assert(this.role !== 'leader', `two leaders in term ${this.term}: ${this.id} and ${leaderId}`);
    if (this.role !== 'follower') this.fire({ type: 'LEADER_SEEN' }, { kind: 'leader-seen', leaderId });
    this.leaderId = leaderId;
    this.leaderFollowedSinceStart = true;
    this.electionElapsed = 0;
    this.patience.contact(leaderId, this.nowTick);
  }

  private handleRequestVote(message: RequestVote): void {
    const canVote =
      this.config.plantedBug === 'vote-twice' ||
      this.vote === message.from ||
      (this.vote === null && this.leaderId === null) ||
      (message.preVote && message.term > this.term);
    const outranked = this.outranksPreCandidate(message);
    const granted = canVote && this.log.isUpToDate(message.lastLogIndex, message.lastLogTerm) && !outranked;
    if (granted && !message.preVote) {
      this.vote = message.from;
      this.electionElapsed = 0;
    }
    if (granted && message.preVote && this.role === 'pre-candidate') this.yieldedTo = message.from;
    this.send(messages.voteResponse(this.to(message.from, granted ? message.term : this.term), message.preVote, granted));
    // Its campaign is alive now (the sender no longer heard a leader either): ask again rather than
    // wait a whole timeout on refusals it may have collected before.
    if (outranked) this.requestVotes(true);
    // Another campaigner we have no answer from may have ignored our request while it still heard a
    // leader: it campaigns now, so ask it again.
    else if (message.preVote && this.role === 'pre-candidate' && !this.tracker.hasVoteFrom(message.from)) this.sendPreVoteRequest(message.from);
  }

  /**
   * Two pre-candidates whose pre-votes cross would grant each other, both become candidates, and
   * split the vote: a whole election timeout lost. While pre-campaigning, a node refuses the
   * pre-vote of one whose claim is no better than its own (log no newer, lower id); the better one
   * asks again at once (handleRequestVote) and wins. A pre-candidate that grants a pre-vote yields:
   * it does not run itself in that round (countVotes), and votes for the other when its
   * RequestVote comes. Only a pre-vote is refused, so safety is untouched; the best claim among
   * pre-candidates is refused by none of them, so an election still ends.
   */
  private outranksPreCandidate(message: RequestVote): boolean {
    if (!message.preVote || this.role !== 'pre-candidate') return false;
    return !this.log.isNewer(message.lastLogIndex, message.lastLogTerm) && message.from < this.id;
  }

  private handleVoteResponse(message: RequestVoteResponse): void {
    // A pre-candidate counts pre-votes, a candidate real ones: an answer to the other kind is stale.
    if (message.preVote !== (this.role === 'pre-candidate')) return;
    if (!isVoter(this.membership, message.from)) return;
    this.tracker.recordVote(message.from, message.granted);
    this.countVotes();
  }

  // ---------------------------------------------------------- follower: the log

  private handleAppendEntries(message: AppendEntries): void {
    if (message.prevLogIndex < this.log.committed) {
      this.acceptAppend(message.from, this.log.committed);
      return;
    }
    if (!this.log.matchTerm(message.prevLogIndex, message.prevLogTerm)) {
      let hint = Math.min(message.prevLogIndex, this.log.lastIndex());
      // Entries of terms newer than the leader's prevLogTerm cannot match: skip them in one go.
      while (hint > this.log.committed && (this.log.term(hint) ?? 0) > message.prevLogTerm) hint--;
      this.send(messages.appendRejected(this.to(message.from), message.prevLogIndex, hint, this.log.term(hint) ?? 0));
      return;
    }
    this.appendFromLeader(message.entries);
    const lastNewIndex = message.prevLogIndex + message.entries.length;
    this.log.commitTo(Math.min(message.leaderCommit, lastNewIndex));
    this.acceptAppend(message.from, lastNewIndex);
  }

  private appendFromLeader(entries: readonly Entry[]): void {
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i];
      assert(entry, `entry ${i} of ${entries.length}`);
      const existingTerm = this.log.term(entry.index);
      if (existingTerm === entry.term) continue;
      if (existingTerm !== undefined) {
        if (this.config.plantedBug === 'no-truncate') continue;
        this.truncateLogFrom(entry.index);
      }
      for (const newer of entries.slice(i)) this.appendToLog(newer);
      return;
    }
  }

  /** The follower holds the leader's log through `matchIndex`. */
  private acceptAppend(to: NodeId, matchIndex: number): void {
    this.send(messages.appendAccepted(this.to(to), matchIndex));
  }

  private handleHeartbeat(message: Heartbeat): void {
    this.log.commitTo(Math.min(message.commit, this.log.lastIndex()));
    this.send(messages.heartbeatResponse(this.to(message.from), message.round, this.log.lastIndex()));
  }

  private handleInstallSnapshot(message: InstallSnapshot): void {
    const { meta } = message.snapshot;
    if (meta.index <= this.log.committed) {
      this.acceptAppend(message.from, this.log.committed);
      return;
    }
    if (this.log.matchTerm(meta.index, meta.term)) {
      // We already hold the entry: committing through it is enough.
      this.log.commitTo(meta.index);
      this.acceptAppend(message.from, meta.index);
      return;
    }
    this.log.restore(meta);
    this.snapshot = message.snapshot;
    this.snapshotToInstall = message.snapshot;
    this.memberships.restored(meta.membership);
    this.acceptAppend(message.from, meta.index);
  }

  // ------------------------------------------------------ reads from followers

  /** On the leader: a follower's read joins the read barrier under a negative id of our own. */
  private handleReadIndexRequest(message: ReadIndexRequest): void {
    assert(this.role === 'leader', 'only a leader takes a read index request');
    if (this.reads.isFull() || this.remoteReadOrigins.size >= this.config.maxPendingReads) return; // it asks again
    // Unlike the leader's own reads, a follower's is served during a transfer: the heartbeat round
    // still proves no newer leader committed anything (a voter that moved on answers with its
    // newer term instead of an acknowledgement), and the lease is off while transferring.
    const barrierId = this.nextRemoteReadId--;
    this.remoteReadOrigins.set(barrierId, { from: message.from, requestId: message.requestId });
    this.registerRead(barrierId, message.lease);
  }

  /** On a follower: the leader's answer releases (or drops) the read it forwarded. */
  private handleReadIndexResponse(message: ReadIndexResponse): void {
    if (!message.ok && message.from === this.leaderId) {
      // Our leader says it leads no more (it stepped down in this term, so no one else can lead it):
      // forget it, so reads wait for the next leader instead of asking this one again and again.
      this.leaderId = null;
      this.patience.forgetLeader();
    }
    if (!this.forwardedReads.settle(message.requestId, message.from)) return;
    if (message.ok && message.from === this.leaderId) this.forwardedReleased.push({ requestId: message.requestId, index: message.index });
    else this.droppedReads.push(message.requestId);
  }

  /** The released reads that are the leader's own; followers' are answered with their index. */
  private answerRemoteReads(released: ReadState[]): ReadState[] {
    if (this.remoteReadOrigins.size === 0) return released;
    const own: ReadState[] = [];
    for (const read of released) {
      if (read.requestId > 0) own.push(read);
      else this.answerRemoteRead(read.requestId, read.index);
    }
    return own;
  }

  /** `index` null: this node could not serve it (no leader any more). */
  private answerRemoteRead(barrierId: number, index: number | null): void {
    const origin = this.remoteReadOrigins.get(barrierId);
    assert(origin, `no origin for forwarded read ${barrierId}`);
    this.remoteReadOrigins.delete(barrierId);
    this.sendReadIndexResponse(origin.from, origin.requestId, index);
  }

  private sendReadIndexResponse(to: NodeId, requestId: number, index: number | null): void {
    this.send(messages.readIndexResponse(this.to(to), requestId, index));
  }

  private sendReadIndexRequest(to: NodeId, requestId: number, lease: boolean): void {
    this.send(messages.readIndexRequest(this.to(to), requestId, lease));
  }

  /** A request or its answer was lost: ask again, a few times, then let the runtime decide. */
  private resendDueForwardedReads(): void {
    if (this.forwardedReads.size === 0) return;
    const timeoutTicks = Math.max(2 * this.config.heartbeatIntervalTicks, Math.ceil(this.config.electionTimeoutTicks / 2));
    const { resend, dropped } = this.forwardedReads.due(this.nowTick, timeoutTicks);
    for (const read of resend) this.sendReadIndexRequest(read.leaderId, read.requestId, read.lease);
    this.droppedReads.push(...dropped);
  }

  /** After every input: forwarded reads wait only on the leader this follower still follows. */
  private dropStaleForwardedReads(): void {
    if (this.forwardedReads.size === 0) return;
    this.droppedReads.push(...this.forwardedReads.dropUnlessSentTo(this.role === 'follower' ? this.leaderId : null));
  }

  // ------------------------------------------------------- leader: replication

  private tickLeader(ticks: number): void {
    this.heartbeatElapsed += ticks;
    this.electionElapsed += ticks;
    if (this.electionElapsed >= this.config.electionTimeoutTicks) {
      this.electionElapsed = 0;
      if (this.config.checkQuorum && !this.quorumRecentlyActive()) {
        this.fire({ type: 'CHECK_QUORUM_FAILED' }, { kind: 'check-quorum' });
        return;
      }
      this.tracker.resetRecentActive();
      if (this.transferee !== null) this.fire({ type: 'TRANSFER_ENDED' }, this.roleCause);
    }
    if (this.heartbeatElapsed >= this.config.heartbeatIntervalTicks) {
      this.heartbeatElapsed = 0;
      this.broadcastHeartbeat();
    }
    this.reprobeStalledFollowers();
    if (this.config.autoPromoteLearners) this.promoteCaughtUpLearner();
  }

  private quorumRecentlyActive(): boolean {
    return this.tracker.quorumRecentlyActive(this.membership.voters);
  }

  /** Messages get lost: a follower that stopped moving while behind is probed afresh. */
  private reprobeStalledFollowers(): void {
    const lastIndex = this.log.lastIndex();
    for (const [id, progress] of this.tracker.entries()) {
      if (progress.match >= lastIndex) continue;
      const stallTicks = progress.state === 'snapshot' ? this.config.replicationStallTicks * SNAPSHOT_STALL_FACTOR : this.config.replicationStallTicks;
      if (this.nowTick - progress.lastProgressTick < stallTicks) continue;
      progress.becomeProbe();
      progress.lastProgressTick = this.nowTick;
      this.sendAppend(id, true);
    }
  }

  private promoteCaughtUpLearner(): void {
    if (this.hasPendingMembershipChange() || !this.committedInTerm() || this.transferee !== null) return;
    for (const learner of this.membership.learners) {
      const progress = this.tracker.get(learner);
      if (!progress || progress.match === 0) continue;
      if (progress.match + this.config.learnerPromoteLagEntries >= this.log.lastIndex()) {
        this.proposeMembership({ type: 'promote', node: learner });
        return;
      }
    }
  }

  private appendAsLeader(entry: Entry): void {
    this.appendToLog(entry);
    this.needsBroadcast = true;
    // The leader's own log is always the longest, so growing it moves the
    // quorum index only when it is the only voter, or when a new membership
    // changes what a quorum is.
    if (this.membership.voters.length === 1 || entry.kind === 'config') this.maybeCommit();
  }

  /** New entries to everyone, and the new commit index to anyone who has not heard it. */
  private broadcastAppend(): void {
    this.needsBroadcast = false;
    this.needsCommitBroadcast = false;
    for (const [id, progress] of this.tracker.entries()) {
      this.replicateTo(id);
      if (progress.sentCommit < this.log.committed) this.sendAppend(id, true);
    }
  }

  /** Send as much as the follower's window allows. */
  private replicateTo(id: NodeId): void {
    while (this.sendAppend(id, false)) {
      if (this.tracker.of(id).state !== 'replicate') break;
    }
  }

  /** One append (or a snapshot) to `id`; false when nothing was sent. */
  private sendAppend(id: NodeId, allowEmpty: boolean): boolean {
    const progress = this.tracker.get(id);
    if (!progress || progress.isPaused(this.config.maxInflightAppends)) return false;
    const prevLogIndex = progress.next - 1;
    const prevLogTerm = this.log.term(prevLogIndex);
    if (prevLogTerm === undefined) return this.sendSnapshot(id, progress);
    const lastIndex = this.log.lastIndex();
    const entries = progress.next <= lastIndex ? this.log.slice(progress.next, lastIndex, this.config.maxEntriesPerAppend, this.config.maxAppendBytes) : [];
    if (entries.length === 0 && !allowEmpty) return false;
    this.send(messages.appendEntries(this.to(id), prevLogIndex, prevLogTerm, entries, this.log.committed));
    progress.sentEntries(prevLogIndex + entries.length, entries.length);
    progress.sentCommit = this.log.committed;
    return entries.length > 0;
  }

  private sendSnapshot(id: NodeId, progress: Progress): boolean {
    const snapshot = this.snapshot;
    assert(snapshot, `log compacted below ${progress.next} but no snapshot to send ${id}`);
    progress.becomeSnapshot(snapshot.meta.index);
    this.send({ type: 'InstallSnapshot', ...this.to(id), snapshot });
    return false;
  }

  private sendTimeoutNow(to: NodeId): void {
    this.leaseRevoked = true;
    this.send({ type: 'TimeoutNow', ...this.to(to) });
  }

  private broadcastHeartbeat(): void {
    const round = this.reads.startRound(this.nowTick);
    for (const [id, progress] of this.tracker.entries()) {
      // Never tells a follower to commit what it may not hold.
      this.send(messages.heartbeat(this.to(id), Math.min(progress.match, this.log.committed), round));
    }
    if (this.membership.voters.length === 1) this.reads.quorumAcked(round);
  }

  private handleAppendResponse(message: AppendEntriesResponse): void {
    assert(this.role === 'leader', 'only a leader takes append responses');
    const progress = this.tracker.get(message.from);
    if (!progress) return;
    this.heardFrom(progress);
    if (!message.success) {
      const nextGuess = this.lastIndexAtOrBelowTerm(message.hintIndex, message.hintTerm) + 1;
      if (progress.maybeDecreaseTo(message.rejectedIndex, nextGuess)) this.sendAppend(message.from, true);
      return;
    }
    if (!progress.maybeUpdate(message.matchIndex, this.nowTick)) return;
    if (progress.state === 'probe') progress.becomeReplicate();
    else if (progress.state === 'snapshot' && progress.match >= progress.pendingSnapshotIndex) progress.becomeReplicate();
    if (this.maybeCommit()) this.needsCommitBroadcast = true;
    this.replicateTo(message.from);
    if (message.from === this.transferee && progress.match === this.log.lastIndex()) this.sendTimeoutNow(message.from);
  }

  private handleHeartbeatResponse(message: HeartbeatResponse): void {
    assert(this.role === 'leader', 'only a leader takes heartbeat responses');
    const progress = this.tracker.get(message.from);
    if (!progress) return;
    this.heardFrom(progress);
    progress.ackedRound = Math.max(progress.ackedRound, message.round);
    this.reads.quorumAcked(this.quorumAckedRound());
    if (progress.match < this.log.lastIndex() && progress.state === 'probe') {
      progress.probeSent = false;
      this.sendAppend(message.from, true);
    }
  }

  private heardFrom(progress: Progress): void {
    progress.recentActive = true;
    progress.lastHeardTick = this.nowTick;
  }

  private quorumAckedRound(): number {
    return this.tracker.quorumAckedRound(this.membership.voters, this.reads.round);
  }

  /** The largest index at or below `index` whose term is at most `term` (etcd's findConflictByTerm). */
  private lastIndexAtOrBelowTerm(index: number, term: number): number {
    let candidate = Math.min(index, this.log.lastIndex());
    while (candidate > 0) {
      const candidateTerm = this.log.term(candidate);
      if (candidateTerm === undefined || candidateTerm <= term) break;
      candidate--;
    }
    return candidate;
  }

  private maybeCommit(): boolean {
    const quorumIndex = this.tracker.committed(this.membership.voters, this.log.lastIndex());
    if (quorumIndex <= this.log.committed) return false;
    // Raft §5.4.2: only entries of the current term commit by counting replicas.
    if (this.config.plantedBug !== 'commit-old-term' && this.log.term(quorumIndex) !== this.term) return false;
    this.log.commitTo(quorumIndex);
    if (this.committedInTerm()) this.reads.termCommitted(this.log.committed);
    if (!isVoter(this.membership, this.id) && !this.hasPendingMembershipChange()) {
      // The change that removed this leader has committed: it hands over by stepping down.
      this.fire({ type: 'STEP_DOWN' }, { kind: 'removed' });
    }
    return true;
  }

  private replicationView(): ReplicationView {
    return { commitIndex: this.log.committed, followerMatches: () => this.followerMatches() };
  }

  private followerMatches(): number[] {
    return this.tracker.followerMatches(this.membership.voters);
  }

  /** Safe to serve a read locally: a majority heard from us less than an election timeout ago. */
  private leaseValid(): boolean {
    return this.leaseRemainingTicks() > 0;
  }

  /** Ticks until the lease lapses without renewal; 0 when there is none. A lone voter's never lapses. */
  leaseRemainingTicks(): number {
    if (this.role !== 'leader' || this.transferee !== null || this.leaseRevoked || !this.config.checkQuorum) return 0;
    if (this.membership.voters.length === 1) return isVoter(this.membership, this.id) ? Number.MAX_SAFE_INTEGER : 0;
    const sentTick = this.reads.quorumAckedSentTick();
    if (sentTick === undefined) return 0;
    return Math.max(0, sentTick + this.config.electionTimeoutTicks - this.config.leaseDriftTicks - this.nowTick);
  }

  // ------------------------------------------------------------------- the log

  private appendToLog(entry: Entry): void {
    this.log.append(entry);
    if (this.memberships.appended(entry)) this.membershipChanged();
  }

  private truncateLogFrom(index: number): void {
    this.log.truncateFrom(index);
    if (this.memberships.truncatedFrom(index, this.log.lastIndex())) this.membershipChanged();
  }

  private get membership(): Membership {
    return this.memberships.inForce;
  }

  private membershipChanged(): void {
    if (this.role === 'leader') this.tracker.reconcile(this.membership, this.log.lastIndex(), this.nowTick);
  }

  private hasPendingMembershipChange(): boolean {
    return this.memberships.hasUncommittedChange(this.log.committed);
  }

  private committedInTerm(): boolean {
    return this.log.term(this.log.committed) === this.term;
  }

  // --------------------------------------------------------------------- misc

  private send(message: Message): void {
    this.outbox.push(message);
  }

  /** The envelope of a message from this node to `peer`, in this term unless said otherwise. */
  private to(peer: NodeId, term = this.term): messages.Envelope {
    return { from: this.id, to: peer, term };
  }

  private resetElectionTimer(): void {
    this.electionElapsed = 0;
    this.electionJitterDrawTicks = this.random.int(this.config.electionJitterTicks);
  }

  private refuseUnlessLeader(): (ProposeResult & { ok: false }) | null {
    if (this.role !== 'leader') return this.reject('not-leader');
    if (this.transferee !== null) return this.reject('transfer-in-progress');
    return null;
  }

  private reject(reason: RejectReason): ProposeResult & { ok: false } {
    return { ok: false, reason, leaderId: this.leaderId };
  }

  private writePolicy(options: WriteOptions): WritePolicy {
    const problems = validateWritePolicy(options);
    assert(problems.length === 0, `invalid write options reached the core: ${problems.join('; ')}`);
    const defaults = this.config.defaultWrite;
    return {
      mode: options.mode ?? defaults.mode,
      minReplicas: options.minReplicas ?? defaults.minReplicas,
      timeoutTicks: options.timeoutTicks ?? defaults.timeoutTicks,
    };
  }

  /**
   * Only term and vote must be durable before messages go out. The commit index is volatile in
   * Raft (a restarted node relearns it from the leader), so a commit-only change does not make a
   * Ready carry hard state: a follower would otherwise fsync once per heartbeat that moves commit.
   */
  private hardStateChanged(): boolean {
    const persisted = this.persistedHardState;
    return persisted.term !== this.term || persisted.vote !== this.vote;
  }

  private softStateChanged(): boolean {
    return this.reportedSoftState.role !== this.role || this.reportedSoftState.leaderId !== this.leaderId;
  }

  private assertBetweenReadies(): void {
    assert(this.readyInFlight === null, 'the core was driven between ready() and advance()');
  }
}
