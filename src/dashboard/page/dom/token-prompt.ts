// The token prompt, for a node started with --auth-file. It shows when an
// answer was a 401 (the stream's or an API call's), takes a token, checks
// its shape, and hands it to auth.ts, which reconnects the stream with it.
// The token is kept in sessionStorage: it survives a reload, stays in this
// tab, and is gone when the tab closes. A token the node then refuses brings
// the prompt back, saying so.

import { currentToken, onUnauthorized, setToken, tokenProblem } from '../auth.js';
import { byId } from './dom.js';

const STORAGE_KEY = 'replikit-token';

function stored(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage disabled: the token lasts until the page goes
  }
}

function store(token: string | null): void {
  try {
    if (token === null) sessionStorage.removeItem(STORAGE_KEY);
    else sessionStorage.setItem(STORAGE_KEY, token);
  } catch {
    // as above
  }
}

/** Takes the token kept by this tab, if any: call before the stream opens. */
export function restoreToken(): void {
  const kept = stored();
  if (kept !== null && tokenProblem(kept) === null) setToken(kept);
}

export function createTokenPrompt(): void {
  const form = byId('token-form', HTMLFormElement);
  const input = byId('token-input', HTMLInputElement);
  const problem = byId('token-problem', HTMLElement);
  const message = byId('token-message', HTMLElement);

  onUnauthorized(() => {
    const refused = currentToken();
    if (refused !== null) {
      // The one we sent was refused: forget it, so a reload does not send it again.
      store(null);
      message.textContent = 'This node did not accept that token. Paste another one.';
    } else {
      message.textContent = 'This node checks tokens. Paste one to watch and use the cluster (it is kept in this tab only).';
    }
    problem.textContent = '';
    form.hidden = false;
    input.focus();
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const token = input.value.trim();
    const wrong = tokenProblem(token);
    if (wrong) {
      problem.textContent = wrong;
      input.focus();
      return;
    }
    input.value = '';
    problem.textContent = '';
    form.hidden = true;
    store(token);
    setToken(token);
  });
}
