// Where the leader is. Node ids map to URLs from two sources: an endpoint's
// own /status names its nodeId, and a 503's leaderUrl names the leader's.
// Discovery asks every known URL's /status at once and believes the newest
// term: a self-reported leader first, else the leaderId a follower names.

import { normalizeEndpoint } from './options.js';
import type { NodeStatusView } from './types.js';

export type StatusProbe = (url: string) => Promise<NodeStatusView | null>;

interface Claim {
  readonly term: number;
  readonly leaderId: string;
  /** The URL of the node that claims to lead (its own report), when it is one. */
  readonly selfUrl: string | null;
}

export class LeaderDirectory {
  private readonly urlById = new Map<string, string>();
  private current: string | null = null;
  private discovering: Promise<string | null> | null = null;

  constructor(private readonly endpoints: readonly string[]) {}

  /** The leader's URL as last learned, or null when it must be discovered. */
  known(): string | null {
    return this.current;
  }

  urlOf(nodeId: string): string | null {
    return this.urlById.get(nodeId) ?? null;
  }

  /** The node id reached at `url`, when a status or a hint has said. */
  idOf(url: string): string | null {
    for (const [id, known] of this.urlById) if (known === url) return id;
    return null;
  }

  /** Every URL worth asking: the configured endpoints, then nodes learned from hints. */
  allUrls(): string[] {
    return [...new Set([...this.endpoints, ...this.urlById.values()])];
  }

  learnNode(nodeId: string, url: string): void {
    const normalized = normalizeEndpoint(url);
    if (normalized) this.urlById.set(nodeId, normalized);
  }

  /** A 503's hint; returns the leader URL to try next, or null when the hint names no reachable node. */
  followHint(leaderId: string | null, leaderUrl: string | null): string | null {
    const hinted = leaderUrl !== null ? normalizeEndpoint(leaderUrl) : null;
    // A node we already reach by some URL keeps it: the advertised one may not be reachable from here.
    const known = leaderId !== null ? this.urlOf(leaderId) : null;
    if (leaderId !== null && known === null && hinted !== null) this.urlById.set(leaderId, hinted);
    const url = known ?? hinted;
    this.current = url;
    return url;
  }

  /** The node at `url` did not take a leader's request: ask around before using it again. */
  forget(url: string): void {
    if (this.current === url) this.current = null;
  }

  /** Ask every known node; concurrent callers share one round of questions. */
  discover(probe: StatusProbe): Promise<string | null> {
    this.discovering ??= this.ask(probe).finally(() => {
      this.discovering = null;
    });
    return this.discovering;
  }

  private async ask(probe: StatusProbe): Promise<string | null> {
    const urls = this.allUrls();
    let best: Claim | null = null;
    let pending = urls.length;
    await new Promise<void>((resolve) => {
      if (pending === 0) resolve();
      for (const url of urls) {
        void probe(url)
          .catch(() => null)
          .then((status) => {
            if (status) {
              this.urlById.set(status.nodeId, url);
              // The URL we reached a node by beats the one it advertises for itself (a proxy, NAT, or load balancer may sit between).
              const leaderUrl = status['leaderUrl'];
              if (status.leaderId !== null && status.leaderId !== status.nodeId && typeof leaderUrl === 'string' && !this.urlById.has(status.leaderId)) {
                this.learnNode(status.leaderId, leaderUrl);
              }
              const claim = claimOf(status, url);
              if (claim && isBetter(claim, best)) best = claim;
              // A node that says it leads is the answer: no need to wait for a hung one.
              if (status.role === 'leader' && best?.selfUrl === url) resolve();
            }
            if (--pending === 0) resolve();
          });
      }
    });
    const claim = best as Claim | null;
    if (!claim) return null;
    this.current = claim.selfUrl ?? this.urlOf(claim.leaderId);
    return this.current;
  }
}

function claimOf(status: NodeStatusView, url: string): Claim | null {
  if (status.role === 'leader') return { term: status.term, leaderId: status.nodeId, selfUrl: url };
  if (status.leaderId !== null) return { term: status.term, leaderId: status.leaderId, selfUrl: null };
  return null;
}

/** Newer term wins; within a term, the leader's own report beats hearsay. */
function isBetter(claim: Claim, than: Claim | null): boolean {
  if (than === null) return true;
  if (claim.term !== than.term) return claim.term > than.term;
  return claim.selfUrl !== null && than.selfUrl === null;
}
