// Remote fencing: a node that hears from a leader of an older term tells that
// leader's host to shoot it. The request is signed with the cluster secret so
// no stranger can restart our nodes; a stale or replayed request is harmless
// anyway (the host fences only a node still leading an older term).

import { createHmac, timingSafeEqual } from 'node:crypto';

export interface FenceNotice {
  readonly clusterId: string;
  /** The node that saw the stale leader. */
  readonly from: string;
  /** The stale leader. */
  readonly to: string;
  readonly staleTerm: number;
  readonly newerTerm: number;
  /** Wall-clock milliseconds, to bound replays. */
  readonly sentAtMs: number;
}

/** Where a host takes fence notices (POST, signed). */
export const FENCE_PATH = '/admin/fence';
/** A notice older or newer than this (wall clocks may differ a little) is refused. */
export const FENCE_NOTICE_MAX_AGE_MS = 30_000;
/** A fence request's body is small; anything larger is refused unread. */
export const MAX_FENCE_BODY_BYTES = 4096;
/** How long a host waits for a peer's host to take a fence notice. */
export const FENCE_SEND_TIMEOUT_MS = 2000;

export function signFenceNotice(notice: FenceNotice, secret: Uint8Array): string {
  const text = [notice.clusterId, notice.from, notice.to, notice.staleTerm, notice.newerTerm, notice.sentAtMs].join('|');
  return createHmac('sha256', secret).update(text).digest('hex');
}

/** Why a notice must be refused, or null when it is genuine and fresh. */
export function fenceNoticeProblem(
  body: unknown,
  signature: string | undefined,
  secret: Uint8Array,
  clusterId: string,
  selfId: string,
  nowMs: number,
): string | null {
  if (typeof body !== 'object' || body === null) return 'the body must be a JSON object';
  const notice = body as Partial<FenceNotice>;
  if (notice.clusterId !== clusterId) return 'another cluster';
  if (notice.to !== selfId) return `addressed to ${String(notice.to)}, not ${selfId}`;
  if (typeof notice.from !== 'string' || !Number.isInteger(notice.staleTerm) || !Number.isInteger(notice.newerTerm)) {
    return 'from, staleTerm and newerTerm are required';
  }
  if (typeof notice.sentAtMs !== 'number' || Math.abs(nowMs - notice.sentAtMs) > FENCE_NOTICE_MAX_AGE_MS) return 'too old or from the future';
  const expected = Buffer.from(signFenceNotice(notice as FenceNotice, secret), 'hex');
  const given = Buffer.from(typeof signature === 'string' ? signature : '', 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'bad signature';
  return null;
}

export async function sendFenceNotice(url: string, notice: FenceNotice, secret: Uint8Array): Promise<void> {
  await fetch(`${url}${FENCE_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-replikit-signature': signFenceNotice(notice, secret) },
    body: JSON.stringify(notice),
    signal: AbortSignal.timeout(FENCE_SEND_TIMEOUT_MS),
  });
}
