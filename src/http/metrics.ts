// Prometheus metrics of one node's HTTP server, in a registry of its own:
// `replikit dev` runs one server per node in one process, and a shared
// (global) registry would mix their series or refuse duplicate names.
// Gauges are read from the node's status at scrape time; counters come from
// its role events, its fencings and the requests this server answers.

import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { NodeId } from '../core/types.js';
import { FENCING_REASONS, type FencingRecord } from '../node/fencing.js';
import type { NodeEndpoint } from '../node/node-endpoint.js';
import type { NodeEvent } from '../node/node-runtime.js';

/** From a local fsync to a slow sync-mode write timing out. */
const COMMIT_LATENCY_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class NodeMetrics {
  readonly registry = new Registry();
  private readonly up: Gauge;
  private readonly term: Gauge;
  private readonly commitIndex: Gauge;
  private readonly appliedIndex: Gauge;
  private readonly isLeader: Gauge;
  private readonly followerLagEntries: Gauge<'follower'>;
  private readonly followerLagSeconds: Gauge<'follower'>;
  private readonly elections: Counter;
  private readonly leaderChanges: Counter;
  private readonly fencings: Counter<'reason'>;
  private readonly httpRequests: Counter<'route' | 'status'>;
  private readonly commitLatency: Histogram;
  private readonly unsubscribes: (() => void)[] = [];
  private lastLeaderId: NodeId | null = null;

  constructor(private readonly endpoint: NodeEndpoint) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ node: endpoint.id });
    this.up = new Gauge({ name: 'replikit_up', help: 'Whether the node answered its status at this scrape (1) or not (0)', registers });
    this.term = new Gauge({ name: 'replikit_term', help: 'Current Raft term of this node', registers });
    this.commitIndex = new Gauge({ name: 'replikit_commit_index', help: 'Highest log index known committed', registers });
    this.appliedIndex = new Gauge({ name: 'replikit_applied_index', help: 'Highest log index applied to the key-value state', registers });
    this.isLeader = new Gauge({ name: 'replikit_is_leader', help: '1 while this node is the leader, else 0', registers });
    this.followerLagEntries = new Gauge({
      name: 'replikit_follower_lag_entries',
      help: 'On the leader: log entries each follower is behind',
      labelNames: ['follower'],
      registers,
    });
    // Base units, as Prometheus asks (promtool flagged the old `_ms` name).
    this.followerLagSeconds = new Gauge({
      name: 'replikit_follower_lag_seconds',
      help: 'On the leader: seconds each follower is behind',
      labelNames: ['follower'],
      registers,
    });
    this.elections = new Counter({ name: 'replikit_elections_total', help: 'Times this node became a candidate', registers });
    this.leaderChanges = new Counter({ name: 'replikit_leader_changes_total', help: 'Times this node saw a new leader', registers });
    this.fencings = new Counter({
      name: 'replikit_fencing_total',
      help: 'Times this node was fenced (stopped so that it cannot serve as a stale leader), by reason',
      labelNames: ['reason'],
      registers,
    });
    // Every reason from zero, so that a rate or an alert sees the series before the first fencing.
    for (const reason of FENCING_REASONS) this.fencings.inc({ reason }, 0);
    this.httpRequests = new Counter({
      name: 'replikit_http_requests_total',
      help: 'HTTP requests answered, by route pattern and status',
      labelNames: ['route', 'status'],
      registers,
    });
    this.commitLatency = new Histogram({
      name: 'replikit_commit_latency_seconds',
      help: 'From receiving a write to answering it, for writes that succeeded',
      buckets: COMMIT_LATENCY_BUCKETS_SECONDS,
      registers,
    });
    this.unsubscribes.push(endpoint.onEvent((event) => this.onEvent(event)));
    const unsubscribeFencing = endpoint.onFencing?.((record) => this.onFencing(record));
    if (unsubscribeFencing) this.unsubscribes.push(unsubscribeFencing);
  }

  private onEvent(event: NodeEvent): void {
    if (event.type !== 'role') return;
    if (event.role === 'candidate') this.elections.inc();
    if (event.leaderId !== null && event.leaderId !== this.lastLeaderId) {
      this.lastLeaderId = event.leaderId;
      this.leaderChanges.inc();
    }
  }

  private onFencing(record: FencingRecord): void {
    this.fencings.inc({ reason: record.reason });
  }

  /** `route` is a route pattern (or a fixed label), never a raw path: labels must stay few. */
  countRequest(route: string, status: number): void {
    this.httpRequests.inc({ route, status: String(status) });
  }

  observeCommit(seconds: number): void {
    this.commitLatency.observe(seconds);
  }

  /** The exposition text, with gauges read from the node now. */
  async scrape(): Promise<{ text: string; contentType: string }> {
    const status = await this.endpoint.status();
    this.followerLagEntries.reset();
    this.followerLagSeconds.reset();
    if (status) {
      this.up.set(1);
      this.term.set(status.term);
      this.commitIndex.set(status.commitIndex);
      this.appliedIndex.set(status.appliedIndex);
      this.isLeader.set(status.role === 'leader' ? 1 : 0);
      if (status.role === 'leader') {
        for (const [follower, progress] of Object.entries(status.followers)) {
          this.followerLagEntries.set({ follower }, progress.lagEntries);
          this.followerLagSeconds.set({ follower }, progress.lagMs / 1000);
        }
      }
    } else {
      // A node that does not answer leads nobody; its other gauges keep their last value.
      this.up.set(0);
      this.isLeader.set(0);
    }
    return { text: await this.registry.metrics(), contentType: this.registry.contentType };
  }

  close(): void {
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
  }
}
