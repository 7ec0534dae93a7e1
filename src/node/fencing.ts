// One fencing action against a node: its supervisor stopped it so that a
// leader that may be stale cannot serve. The record is made once, where the
// node is shot (the dev Supervisor or a HostSupervisor), and travels unchanged
// to the faces: /metrics counts it, /status lists it, and the dashboard's
// timeline shows it. Because the same record arrives by several routes (pushed
// events, a peer's /status), its fields identify it.

/**
 * Why a node was fenced:
 * - `stale-leader`: dev mode; the Supervisor saw it still leading an older term than the newest leader's.
 * - `lease-expired`: replikit node; the host's watchdog saw its leader lease lapse without renewal, and it did not answer.
 * - `remote-request`: replikit node; a peer's host sent a signed POST /admin/fence and this node still led the older term.
 * - `hung`: replikit node; the host's watchdog got no answer from the node thread for hangTimeoutMs.
 */
export const FENCING_REASONS = ['stale-leader', 'lease-expired', 'remote-request', 'hung'] as const;

export type FencingReason = (typeof FENCING_REASONS)[number];

export interface FencingRecord {
  /** Wall clock of the supervisor that fenced the node, milliseconds since the epoch. */
  readonly atMs: number;
  readonly reason: FencingReason;
  /** The term the node was fenced in: the one it led (or its last known term, when hung). */
  readonly term: number;
  /** One line for people: what was seen. */
  readonly detail: string;
}
