// The words on a node's card: its lag line and its note. No DOM here.

import type { NodeStatusView, ShownRole } from '../protocol.js';
import { formatMs } from './format.js';
import type { LagSample } from './lag-history.js';

export interface LagLine {
  /** The words before the figures, or the whole line when there are none. */
  readonly prefix: string;
  readonly lag: { readonly ms: string; readonly entries: string } | null;
}

/**
 * The lag line: on the leader, its slowest follower (`lag` carries that
 * follower's id); on a follower, its own lag as the leader reports it.
 */
export function cardLagLine(role: ShownRole, status: NodeStatusView | null, lag: (LagSample & { readonly id?: string }) | null): LagLine {
  const figures = (report: LagSample) => ({
    ms: formatMs(report.lagMs),
    entries: `${report.lagEntries}${report.lagEntries === 1 ? ' entry' : ' entries'}`,
  });
  if (role === 'leader') {
    const count = Object.keys(status?.followers ?? {}).length;
    return lag ? { prefix: `slowest of ${count} (${lag.id ?? '?'}): `, lag: figures(lag) } : { prefix: 'no followers', lag: null };
  }
  if (lag) return { prefix: 'lag ', lag: figures(lag) };
  return { prefix: role === 'down' ? 'lag unknown' : 'no lag report', lag: null };
}

/** The line under the figures: why a node is down, or whom it follows and how far behind it is. */
export function cardNote(role: ShownRole, status: NodeStatusView | null, error: string | null): string {
  if (role === 'down') return error || 'not answering';
  if (!status) return '';
  if (role === 'leader') return status.leaseValid ? 'leader \u00b7 read lease valid' : 'leader \u00b7 no read lease';
  if (status.leaderId) return `follows ${status.leaderId}${status.lagMs > 0 ? ` \u00b7 own lag ${formatMs(status.lagMs)}` : ' \u00b7 caught up'}`;
  return 'no leader known';
}
