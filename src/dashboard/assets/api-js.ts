// Browser module: requests to the node API that never throw and always end in
// something a person can read. Another node is reached through this page's
// server (/dashboard/nodes/:id/...), since the API sends no CORS headers.

export const API_JS = String.raw`
/** Nodes asked for one request at most: the serving node, then whom it names (or the page's own guesses). */
const MAX_NODES_ASKED = 3;

/** { status, body }; status 0 when the server could not be reached. body is the parsed JSON or an {error, detail}. */
export async function callJson(method, url, jsonText) {
  const init = { method, headers: { accept: 'application/json' } };
  if (jsonText !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = jsonText;
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    return { status: 0, body: { error: 'No answer', detail: 'the server could not be reached (' + error.message + ')' } };
  }
  const text = await response.text().catch(() => '');
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    return { status: response.status, body: { error: 'HTTP ' + response.status, detail: text.slice(0, 200) } };
  }
}

export function errorText(result) {
  const body = result.body || {};
  const head = typeof body.error === 'string' ? body.error : 'HTTP ' + result.status;
  return typeof body.detail === 'string' && body.detail ? head + ': ' + body.detail : head;
}

/** The URL of an API path on node nodeId, as seen from the page served by servedBy. */
export function nodeUrl(nodeId, servedBy, path) {
  return nodeId === servedBy ? path : '/dashboard/nodes/' + encodeURIComponent(nodeId) + path;
}

/**
 * Sends to the node serving the page; on 503, follows the leader the answer
 * names or, when it names none (the node is down, or an election is under
 * way), the first of fallbacks not asked yet: the leader the page last saw,
 * then the other nodes that answer (which serve the request or name the
 * leader). Returns { result, answeredBy, hops } where hops lists every node asked.
 */
export async function viaLeader(method, path, jsonText, servedBy, fallbacks) {
  const hops = [];
  let target = servedBy;
  for (;;) {
    hops.push(target);
    const result = await callJson(method, nodeUrl(target, servedBy, path), jsonText);
    const named = result.body && typeof result.body.leaderId === 'string' ? result.body.leaderId : null;
    const next = named && !hops.includes(named) ? named : (fallbacks || []).find((id) => id && !hops.includes(id));
    if (result.status === 503 && next && hops.length < MAX_NODES_ASKED) {
      target = next;
      continue;
    }
    return { result, answeredBy: target, hops };
  }
}
`;
