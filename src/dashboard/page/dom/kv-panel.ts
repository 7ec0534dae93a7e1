// The put/get panel. Input is checked first (kv-input.ts), so an empty key or
// a value that is not JSON gets a plain sentence, not a request; what the
// server refuses is shown as its {error, detail}. Requests go to the node
// serving the page and follow the leader it names.

import type { NodeId } from '../../protocol.js';
import { errorText, viaLeader, type LeaderOutcome } from '../api.js';
import { formatMs } from '../format.js';
import { keyProblem, parseValue } from '../kv-input.js';
import { el, within } from './dom.js';

export interface KvContext {
  servedBy(): NodeId | null;
  fallbacks(): NodeId[];
}

export function createKvPanel(form: HTMLFormElement, context: KvContext): void {
  const keyInput = within(form, '#kv-key', HTMLInputElement);
  const valueInput = within(form, '#kv-value', HTMLTextAreaElement);
  const consistencyInput = within(form, '#kv-consistency', HTMLSelectElement);
  const output = within(form, '#kv-result', HTMLElement);
  const putButton = within(form, '[data-action="put"]', HTMLButtonElement);
  const getButton = within(form, '[data-action="get"]', HTMLButtonElement);

  function show(kind: 'ok' | 'error', what: string, meta: string, value?: unknown): void {
    output.className = `kv-result ${kind}`;
    output.replaceChildren(el('div', { class: 'what' }, what));
    if (meta) output.append(el('div', { class: 'meta' }, meta));
    if (value !== undefined) output.append(el('pre', {}, JSON.stringify(value, null, 2)));
  }

  function redirectNote(hops: readonly NodeId[]): string {
    return hops.length > 1 ? ` (${hops.slice(0, -1).join(', ')} could not serve it; sent on to ${hops[hops.length - 1]})` : '';
  }

  function failure(what: string, outcome: LeaderOutcome): void {
    const { result } = outcome;
    if (result.status === 503 && result.body['leaderId'] === null) {
      show('error', `${what} failed: no leader right now`, 'An election is probably under way; try again in a moment.');
      return;
    }
    show('error', `${what} failed`, `${errorText(result)} \u00b7 asked ${outcome.hops.join(' \u2192 ')}`);
  }

  async function busy(button: HTMLButtonElement, run: () => Promise<void>): Promise<void> {
    putButton.disabled = true;
    getButton.disabled = true;
    button.classList.add('busy');
    try {
      await run();
    } finally {
      putButton.disabled = false;
      getButton.disabled = false;
      button.classList.remove('busy');
    }
  }

  /** Whom to ask first: the node serving the page (the empty id when it is not known yet: the request then goes to this origin). */
  const servedBy = (): NodeId => context.servedBy() ?? '';

  async function put(): Promise<void> {
    const key = keyInput.value;
    const problem = keyProblem(key);
    if (problem) {
      show('error', `Cannot put: ${problem}`, 'A key is any non-empty text, e.g. user:42.');
      keyInput.focus();
      return;
    }
    const parsed = parseValue(valueInput.value);
    if (!parsed.ok) {
      show('error', parsed.what, parsed.hint);
      valueInput.focus();
      return;
    }
    await busy(putButton, async () => {
      const outcome = await viaLeader('PUT', `/key/${encodeURIComponent(key)}`, JSON.stringify(parsed.value), servedBy(), context.fallbacks());
      if (outcome.result.status !== 200) return failure(`PUT ${key}`, outcome);
      const body = outcome.result.body;
      show(
        'ok',
        `PUT ${key} \u2713`,
        `written by ${outcome.answeredBy} (leader) at index ${String(body['index'])}, term ${String(body['term'])}${redirectNote(outcome.hops)}`,
      );
    });
  }

  async function get(): Promise<void> {
    const key = keyInput.value;
    const problem = keyProblem(key);
    if (problem) {
      show('error', `Cannot get: ${problem}`, 'Type the key to read.');
      keyInput.focus();
      return;
    }
    const consistency = consistencyInput.value;
    await busy(getButton, async () => {
      const path = `/key/${encodeURIComponent(key)}?consistency=${encodeURIComponent(consistency)}`;
      const outcome = await viaLeader('GET', path, undefined, servedBy(), context.fallbacks());
      const { result } = outcome;
      const body = result.body;
      if (result.status === 404 && body['error'] === 'Key not found') {
        show(
          'ok',
          `GET ${key}: not found`,
          `answered by ${outcome.answeredBy} as of index ${String(body['index'])} \u00b7 ${consistency}${redirectNote(outcome.hops)}`,
        );
        return;
      }
      if (result.status !== 200) return failure(`GET ${key}`, outcome);
      const lag = typeof body['lagMs'] === 'number' && body['nodeRole'] !== 'leader' ? ` \u00b7 lag ${formatMs(body['lagMs'])}` : '';
      show(
        'ok',
        `GET ${key}`,
        `answered by ${String(body['nodeId'])} (${String(body['nodeRole'])}) at index ${String(body['index'])}${lag} \u00b7 ${consistency}${redirectNote(outcome.hops)}`,
        body['value'],
      );
    });
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void put();
  });
  getButton.addEventListener('click', () => void get());
}
