// Exactly-once writes for client sessions (Raft thesis §6.3). A client names
// each write (clientId, seq) and says with every write the lowest seq it still
// waits for (`floor`): every seq below it has been answered. The state machine
// keeps the verdict of each seq at or above the floor, so a retry, even after
// a leadership change put the first attempt in the log too, gets the first
// verdict and applies nothing; a seq below the floor is refused as stale. A
// client with one write in flight sends floor = seq (the default), which
// keeps exactly one verdict, as sessions always did.
//
// Stored under reserved keys: the head `session/<clientId>` holds the floor,
// and `session-result/<seq>/<clientId>` one verdict each (seq first, so no
// client id can make two keys collide).

import { RESERVED_KEY_PREFIX, sessionKey } from './keys.js';
import type { KvMutation, KvResult, KvView } from './apply.js';
import type { ClientSession } from './command.js';

/** How many forgotten verdicts one write deletes at most; a floor that jumped further catches up over later writes. */
export const MAX_VERDICTS_FORGOTTEN_PER_WRITE = 64;

interface SessionHead {
  /** Verdicts are kept for this seq and above. */
  readonly floor: number;
}

/** The head as sessions stored it before floors: it held the one verdict of the last seq. */
interface LegacySessionRecord {
  readonly seq: number;
  readonly result: KvResult;
}

export type SessionCheck =
  /** A verdict already exists: answer it, apply nothing. */
  | { readonly kind: 'answered'; readonly result: KvResult }
  /**
   * New: apply the write, then remember its verdict (rememberVerdict). `headIsLegacy`: the head is
   * in the form stored before floors, and must be rewritten whatever the floor.
   */
  | { readonly kind: 'new'; readonly storedFloor: number; readonly headIsLegacy: boolean };

export function sessionResultKey(clientId: string, seq: number): string {
  return `${RESERVED_KEY_PREFIX}session-result/${seq}/${clientId}`;
}

export function checkSession(view: KvView, session: ClientSession): SessionCheck {
  const head = view.get(sessionKey(session.clientId)) as SessionHead | LegacySessionRecord | undefined;
  if (head !== undefined && isLegacy(head)) {
    if (session.seq === head.seq) return { kind: 'answered', result: head.result };
    if (session.seq < head.seq) return stale(head.seq);
    return { kind: 'new', storedFloor: head.seq + 1, headIsLegacy: true };
  }
  const storedFloor = head?.floor ?? 0;
  if (session.seq < storedFloor) return stale(storedFloor - 1);
  const verdict = view.get(sessionResultKey(session.clientId, session.seq)) as KvResult | undefined;
  if (verdict !== undefined) return { kind: 'answered', result: verdict };
  return { kind: 'new', storedFloor, headIsLegacy: false };
}

/**
 * The mutations that remember `result` for the session's seq, raise the stored floor toward the
 * client's, and forget the verdicts below it (at most MAX_VERDICTS_FORGOTTEN_PER_WRITE per write).
 */
export function rememberVerdict(session: ClientSession, check: SessionCheck & { kind: 'new' }, result: KvResult): KvMutation[] {
  const { storedFloor } = check;
  // A retry needs the verdict, not the old data: a put's previous value is not kept.
  const remembered: KvResult = result.ok ? { ok: true, previous: null } : result;
  const mutations: KvMutation[] = [{ type: 'set', key: sessionResultKey(session.clientId, session.seq), value: remembered }];
  const wanted = Math.min(session.floor ?? session.seq, session.seq);
  if (storedFloor === 0 || check.headIsLegacy) {
    // A new session has nothing stored below its floor, nor does an old head (it held its one verdict).
    mutations.push({ type: 'set', key: sessionKey(session.clientId), value: { floor: Math.max(wanted, storedFloor) } satisfies SessionHead });
    return mutations;
  }
  if (wanted <= storedFloor) return mutations;
  const newFloor = Math.min(wanted, storedFloor + MAX_VERDICTS_FORGOTTEN_PER_WRITE);
  for (let seq = storedFloor; seq < newFloor; seq++) mutations.push({ type: 'delete', key: sessionResultKey(session.clientId, seq) });
  mutations.push({ type: 'set', key: sessionKey(session.clientId), value: { floor: newFloor } satisfies SessionHead });
  return mutations;
}

function isLegacy(head: SessionHead | LegacySessionRecord): head is LegacySessionRecord {
  return typeof (head as LegacySessionRecord).seq === 'number' && 'result' in head;
}

function stale(lastSeq: number): SessionCheck {
  return { kind: 'answered', result: { ok: false, reason: 'stale-sequence', lastSeq } };
}
