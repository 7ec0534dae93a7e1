// Sending one call until it gets a final answer: to the leader (writes,
// linearizable and lease reads) or to any node in turn (the other reads),
// with bounded retries, exponential backoff with jitter, and a deadline.
//
// Retrying a write is safe only because the caller put the same clientId and
// seq in every attempt's URL: the state machine applies it at most once.
// `mayHaveApplied` tracks whether any attempt could have reached a server,
// so a write that ran out of retries is reported as `outcome-unknown` only
// when that is true; otherwise it certainly did not happen.

import { answerError, leaderHint, statusView } from './answers.js';
import { backoffDelayMs, sleep } from './backoff.js';
import { ReplikitClientError } from './errors.js';
import { exchange, UNREACHABLE_LEADER_HEADER, type Exchange } from './http.js';
import type { LeaderDirectory } from './leader-directory.js';
import { watchForAnotherLeader } from './leader-watch.js';
import type { ResolvedClientOptions } from './options.js';
import type { NodeStatusView } from './types.js';

/** Leader hints followed in a row without pausing; a longer chain means the cluster is mid-election. */
const MAX_REDIRECTS_WITHOUT_PAUSE = 3;
/** A /status question during discovery gives up after this: a hung node must not hold up the others. */
const DISCOVERY_TIMEOUT_MS = 1_000;
/**
 * An attempt is not started with less time than this left: it could not get an answer, and
 * its timeout would turn a clean "refused" into "outcome unknown" (the timer cannot tell a
 * connect in progress from a request already sent).
 */
const MIN_ATTEMPT_MS = 25;

export interface Call {
  readonly method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** Path and query, e.g. `/key/a?clientId=...&seq=3`. */
  readonly path: string;
  readonly body?: unknown;
  /** For messages: "PUT a". */
  readonly what: string;
  readonly isWrite: boolean;
  /** Statuses besides 2xx that are the call's answer rather than an error (a read's 404). */
  readonly isFinal?: (status: number, body: unknown) => boolean;
}

export interface FinalAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly endpoint: string;
}

type Verdict =
  | { readonly kind: 'final'; readonly answer: FinalAnswer }
  | { readonly kind: 'fail'; readonly error: ReplikitClientError }
  | { readonly kind: 'retry'; readonly error: ReplikitClientError; readonly maybeApplied: boolean; readonly redirectTo?: string };

export class RequestRouter {
  private nextAny = 0;

  constructor(
    private readonly options: ResolvedClientOptions,
    private readonly directory: LeaderDirectory,
    private readonly closing: AbortSignal,
  ) {}

  /** Writes, linearizable and lease reads: the leader, found and followed as needed. */
  toLeader(call: Call): Promise<FinalAnswer> {
    return this.run(call, 'leader');
  }

  /** Reads any node may answer: the configured endpoints in turn, moving on when one fails. */
  toAny(call: Call): Promise<FinalAnswer> {
    return this.run(call, 'any');
  }

  /** One node's /status, asked once. */
  async status(url: string, timeoutMs = this.options.timeoutMs): Promise<NodeStatusView> {
    this.refuseIfClosed();
    const result = await exchange(`${url}/status`, { method: 'GET', headers: this.options.headers, timeoutMs, signal: this.closing });
    if (result.kind === 'no-answer') {
      if (result.aborted) throw closedError();
      throw new ReplikitClientError(result.timedOut ? 'timeout' : 'unavailable', `status: ${url} did not answer (${result.reason})`, null, {
        endpoint: url,
        attempts: 1,
      });
    }
    const context = { endpoint: url, attempts: 1, what: 'status', isWrite: false };
    if (result.status !== 200) throw answerError(result.status, result.body, result.rawStart, context);
    const view = statusView(result.body);
    if (!view) throw new ReplikitClientError('bad-response', `status: ${url} did not answer with a replikit node status`, 200, { endpoint: url });
    this.directory.learnNode(view.nodeId, url);
    return view;
  }

  /** Ask every known node where the leader is; null when none can say. */
  discoverLeader(deadlineMs = performance.now() + this.options.timeoutMs): Promise<string | null> {
    return this.directory.discover((url) =>
      this.status(url, Math.max(1, Math.min(DISCOVERY_TIMEOUT_MS, this.options.timeoutMs, deadlineMs - performance.now()))).catch(() => null),
    );
  }

  private async run(call: Call, route: 'leader' | 'any'): Promise<FinalAnswer> {
    const deadlineMs = performance.now() + this.options.totalTimeoutMs;
    let attempts = 0;
    let retries = 0;
    let redirects = 0;
    let maybeApplied = false;
    let lastError: ReplikitClientError | null = null;
    let target: string | null = null;
    // The leader this call could not reach: other nodes still name it until they elect another.
    let unreachable: { readonly url: string; readonly id: string } | null = null;
    for (;;) {
      this.refuseIfClosed();
      if (target === null) target = route === 'leader' ? await this.leaderTarget(deadlineMs) : this.anyTarget();
      // Not back to the dead leader: another node holds the request until it knows the next one.
      if (unreachable !== null && target === unreachable.url) target = this.anyTargetBut(unreachable.url);
      const remainingMs = deadlineMs - performance.now();
      if (remainingMs < MIN_ATTEMPT_MS && attempts > 0) throw this.givenUp(call, attempts, maybeApplied, lastError);
      if (remainingMs <= 0) throw this.givenUp(call, attempts, maybeApplied, lastError);
      attempts++;
      // A leader that stopped answering is given up as soon as another node names a new one.
      const givenUp = new AbortController();
      let movedTo: string | null = null;
      const asked: string = target;
      const stopWatching =
        route === 'leader'
          ? watchForAnotherLeader(
              asked,
              this.directory,
              (url, timeoutMs) => this.status(url, timeoutMs).catch(() => null),
              this.closing,
              (url) => {
                movedTo = url;
                givenUp.abort();
              },
            )
          : () => undefined;
      const result = await exchange(`${target}${call.path}`, {
        method: call.method,
        body: call.body,
        headers: unreachable !== null ? { ...this.options.headers, [UNREACHABLE_LEADER_HEADER]: unreachable.id } : this.options.headers,
        timeoutMs: Math.min(this.options.timeoutMs, remainingMs),
        signal: AbortSignal.any([this.closing, givenUp.signal]),
      });
      stopWatching();
      if (movedTo !== null && result.kind === 'no-answer' && !this.closing.aborted) {
        // Sent, maybe applied: the same seq goes to the new leader, which applies it at most once.
        maybeApplied ||= call.isWrite;
        const id = this.directory.idOf(asked);
        if (id !== null) unreachable = { url: asked, id };
        this.directory.forget(asked);
        lastError = new ReplikitClientError('unavailable', `${call.what}: ${asked} stopped answering and another leader was elected`, null, {
          endpoint: asked,
          attempts,
        });
        target = movedTo;
        continue;
      }
      if (route === 'leader' && result.kind === 'no-answer' && !result.aborted) {
        const id = this.directory.idOf(target);
        if (id !== null) unreachable = { url: target, id };
      }
      const verdict = this.judge(call, route, target, attempts, result);
      if (verdict.kind === 'final') return verdict.answer;
      // A definite answer (cas mismatch, stale token, bad request) is the write's outcome even after a lost
      // response: the retry carried the same seq, so the state machine answered with the first verdict.
      if (verdict.kind === 'fail') throw verdict.error;
      maybeApplied ||= verdict.maybeApplied;
      lastError = verdict.error;
      if (verdict.redirectTo !== undefined && verdict.redirectTo !== target && redirects < MAX_REDIRECTS_WITHOUT_PAUSE) {
        redirects++;
        target = verdict.redirectTo;
        continue;
      }
      redirects = 0;
      if (retries >= this.options.maxRetries) throw this.givenUp(call, attempts, maybeApplied, verdict.error);
      const delayMs = backoffDelayMs(retries, this.options.backoffMs);
      if (performance.now() + delayMs + MIN_ATTEMPT_MS > deadlineMs) throw this.givenUp(call, attempts, maybeApplied, verdict.error);
      retries++;
      await sleep(delayMs, this.closing);
      target = route === 'leader' ? this.directory.known() : null;
    }
  }

  private judge(call: Call, route: 'leader' | 'any', target: string, attempts: number, result: Exchange): Verdict {
    if (result.kind === 'no-answer') {
      if (result.aborted) return { kind: 'fail', error: closedError() };
      this.directory.forget(target);
      const code = result.timedOut ? (call.isWrite ? 'outcome-unknown' : 'timeout') : 'unavailable';
      const error = new ReplikitClientError(code, `${call.what}: ${target} did not answer (${result.reason})`, null, { endpoint: target, attempts });
      return { kind: 'retry', error, maybeApplied: call.isWrite && result.maybeSent };
    }
    const { status, body } = result;
    if ((status >= 200 && status < 300) || call.isFinal?.(status, body)) {
      if (body === undefined) {
        const error = new ReplikitClientError('bad-response', `${call.what}: ${target} answered ${status} without a JSON body`, status, { endpoint: target });
        return { kind: 'fail', error };
      }
      return { kind: 'final', answer: { status, body, endpoint: target } };
    }
    const error = answerError(status, body, result.rawStart, { endpoint: target, attempts, what: call.what, isWrite: call.isWrite });
    switch (error.code) {
      case 'not-leader': {
        this.directory.forget(target);
        const hint = leaderHint(body);
        const next = route === 'leader' ? this.directory.followHint(hint.leaderId, hint.leaderUrl) : null;
        return { kind: 'retry', error, maybeApplied: false, ...(next !== null ? { redirectTo: next } : {}) };
      }
      case 'unavailable':
        this.directory.forget(target);
        return { kind: 'retry', error, maybeApplied: false };
      case 'busy':
      case 'too-stale':
        return { kind: 'retry', error, maybeApplied: false };
      case 'timeout':
      case 'outcome-unknown':
        return { kind: 'retry', error, maybeApplied: call.isWrite };
      default:
        return { kind: 'fail', error };
    }
  }

  private async leaderTarget(deadlineMs: number): Promise<string> {
    const known = this.directory.known();
    if (known !== null) return known;
    const found = await this.discoverLeader(deadlineMs);
    this.refuseIfClosed();
    // No one can name a leader yet: ask an endpoint anyway; its 503 may carry a hint by then.
    return found ?? this.anyTarget();
  }

  /** The configured endpoints only: a user who listed nearby nodes wants reads kept there. */
  private anyTarget(): string {
    const urls = this.options.endpoints;
    const url = urls[this.nextAny % urls.length] as string;
    this.nextAny = (this.nextAny + 1) % urls.length;
    return url;
  }

  /** Another node than `avoided`: the configured endpoints first, then any learned one; `avoided` if there is none. */
  private anyTargetBut(avoided: string): string {
    for (let tried = 0; tried < this.options.endpoints.length; tried++) {
      const url = this.anyTarget();
      if (url !== avoided) return url;
    }
    return this.directory.allUrls().find((url) => url !== avoided) ?? avoided;
  }

  private givenUp(call: Call, attempts: number, maybeApplied: boolean, last: ReplikitClientError | null): ReplikitClientError {
    const tried = `after ${attempts} attempt${attempts === 1 ? '' : 's'}`;
    const lastWords = last ? `; last: ${last.message.startsWith(`${call.what}: `) ? last.message.slice(call.what.length + 2) : last.message}` : '';
    const details = { ...(last?.details ?? {}), attempts };
    if (maybeApplied) {
      return new ReplikitClientError(
        'outcome-unknown',
        `${call.what}: outcome unknown ${tried} (applied once or not at all; retrying with a new seq could apply it twice)${lastWords}`,
        last?.status ?? null,
        details,
      );
    }
    const code = last === null ? 'timeout' : last.code === 'not-leader' && leaderless(last) ? 'no-leader' : last.code;
    return new ReplikitClientError(code, `${call.what}: gave up ${tried}${lastWords}`, last?.status ?? null, details);
  }

  private refuseIfClosed(): void {
    if (this.closing.aborted) throw closedError();
  }
}

function leaderless(error: ReplikitClientError): boolean {
  return !error.details.leaderId && !error.details.leaderUrl;
}

function closedError(): ReplikitClientError {
  return new ReplikitClientError('closed', 'the client is closed');
}
