// Browser module: the put/get panel. Input is checked here first, so an empty
// key or a value that is not JSON gets a plain sentence, not a request; what
// the server refuses is shown as its {error, detail}. Writes go to the node
// serving the page and follow the leader it names.

export const KV_JS = String.raw`
import { el, formatMs } from './util.js';
import { errorText, viaLeader } from './api.js';

/** The store's own key limit (src/kv/keys.ts), checked here for a friendlier message. */
const MAX_KEY_BYTES = 1000;

export function createKvPanel(form, context) {
  const keyInput = form.querySelector('#kv-key');
  const valueInput = form.querySelector('#kv-value');
  const consistencyInput = form.querySelector('#kv-consistency');
  const output = form.querySelector('#kv-result');
  const putButton = form.querySelector('[data-action="put"]');
  const getButton = form.querySelector('[data-action="get"]');

  function show(kind, what, meta, value) {
    output.className = 'kv-result ' + kind;
    output.replaceChildren(el('div', { class: 'what' }, what));
    if (meta) output.append(el('div', { class: 'meta' }, meta));
    if (value !== undefined) output.append(el('pre', {}, JSON.stringify(value, null, 2)));
  }

  function keyProblem(key) {
    if (key === '') return 'Enter a key first.';
    if (new TextEncoder().encode(key).length > MAX_KEY_BYTES) return 'The key is too long: at most ' + MAX_KEY_BYTES + ' bytes.';
    return null;
  }

  function redirectNote(hops) {
    return hops.length > 1 ? ' (' + hops.slice(0, -1).join(', ') + ' could not serve it; sent on to ' + hops[hops.length - 1] + ')' : '';
  }

  function failure(what, outcome) {
    const { result } = outcome;
    if (result.status === 503 && result.body && result.body.leaderId === null) {
      show('error', what + ' failed: no leader right now', 'An election is probably under way; try again in a moment.');
      return;
    }
    show('error', what + ' failed', errorText(result) + ' \u00b7 asked ' + outcome.hops.join(' \u2192 '));
  }

  async function busy(button, run) {
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

  async function put() {
    const key = keyInput.value;
    const problem = keyProblem(key);
    if (problem) {
      show('error', 'Cannot put: ' + problem, 'A key is any non-empty text, e.g. user:42.');
      keyInput.focus();
      return;
    }
    const raw = valueInput.value.trim();
    if (raw === '') {
      show('error', 'Cannot put: enter a value.', 'The value is JSON: "text" (with quotes), 42, true, null, [1, 2] or {"name": "Ada"}.');
      valueInput.focus();
      return;
    }
    let value;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      show('error', 'Cannot put: the value is not valid JSON.', error.message + '. Text needs double quotes, e.g. "hello"; objects look like {"name": "Ada"}.');
      valueInput.focus();
      return;
    }
    await busy(putButton, async () => {
      const outcome = await viaLeader('PUT', '/key/' + encodeURIComponent(key), JSON.stringify(value), context.servedBy(), context.fallbacks());
      if (outcome.result.status !== 200) return failure('PUT ' + key, outcome);
      const body = outcome.result.body;
      show('ok', 'PUT ' + key + ' \u2713', 'written by ' + outcome.answeredBy + ' (leader) at index ' + body.index + ', term ' + body.term + redirectNote(outcome.hops));
    });
  }

  async function get() {
    const key = keyInput.value;
    const problem = keyProblem(key);
    if (problem) {
      show('error', 'Cannot get: ' + problem, 'Type the key to read.');
      keyInput.focus();
      return;
    }
    const consistency = consistencyInput.value;
    await busy(getButton, async () => {
      const path = '/key/' + encodeURIComponent(key) + '?consistency=' + encodeURIComponent(consistency);
      const outcome = await viaLeader('GET', path, undefined, context.servedBy(), context.fallbacks());
      const { result } = outcome;
      if (result.status === 404 && result.body && result.body.error === 'Key not found') {
        show('ok', 'GET ' + key + ': not found', 'answered by ' + outcome.answeredBy + ' as of index ' + result.body.index + ' \u00b7 ' + consistency + redirectNote(outcome.hops));
        return;
      }
      if (result.status !== 200) return failure('GET ' + key, outcome);
      const body = result.body;
      const lag = typeof body.lagMs === 'number' && body.nodeRole !== 'leader' ? ' \u00b7 lag ' + formatMs(body.lagMs) : '';
      show('ok', 'GET ' + key, 'answered by ' + body.nodeId + ' (' + body.nodeRole + ') at index ' + body.index + lag + ' \u00b7 ' + consistency + redirectNote(outcome.hops), body.value);
    });
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void put();
  });
  getButton.addEventListener('click', () => void get());
}
`;
