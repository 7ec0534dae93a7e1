// The dashboard on a node that checks tokens: a forwarded request carries the
// caller's Authorization header to the node it reaches (after this server
// checked the forwarded route's role), and the snapshots ask every node's
// /status with the auth file's least-privileged token.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, startAuthServer, TOKENS, type AuthServer } from '../http/auth-helpers.js';
import { openStream, startFakePeer, statusBody, type FakePeer } from './helpers.js';

let n2: FakePeer;
let served: AuthServer;

beforeAll(async () => {
  n2 = await startFakePeer(statusBody('n2', 'leader'));
  served = await startAuthServer({ peerUrls: () => ({ n2: n2.url }) });
});

afterAll(async () => {
  await served?.close();
  await n2?.close();
});

describe('the dashboard with tokens', () => {
  it('forwards the caller’s token with a request it lets through, and sends nothing on for one it refuses', async () => {
    n2.requests.length = 0;
    const put = await ask('PUT', `${served.url}/dashboard/nodes/n2/key/k?mode=sync`, TOKENS.write, {}, 5);
    expect(put.status).toBe(200);
    expect(put.headers.get('x-replikit-answered-by')).toBe('n2');
    const refused = await ask('PUT', `${served.url}/dashboard/nodes/n2/key/k`, TOKENS.read, {}, 6);
    expect(refused).toMatchObject({ status: 403, body: { needs: 'write', role: 'read' } });
    const transfer = await ask('POST', `${served.url}/dashboard/nodes/n2/admin/transfer-leadership`, TOKENS.admin, {}, { to: 'n1' });
    expect(transfer.status).toBe(200);
    expect(n2.requests.map((request) => `${request.method} ${request.url} ${request.authorization ?? '-'}`)).toEqual([
      `PUT /key/k?mode=sync Bearer ${TOKENS.write}`,
      `POST /admin/transfer-leadership Bearer ${TOKENS.admin}`,
    ]);
  });

  it('asks the nodes for their /status with the least-privileged token of the auth file', async () => {
    n2.requests.length = 0;
    const refused = await openStream(`${served.url}/dashboard/events`);
    expect(refused.status).toBe(401);
    refused.destroy();
    const stream = await openStream(`${served.url}/dashboard/events`, { authorization: `Bearer ${TOKENS.admin}` });
    try {
      const snapshot = await stream.next<{ nodes: { id: string; role: string }[] }>('snapshot', (data) => data.nodes.some((node) => node.role === 'leader'));
      expect(snapshot.nodes).toEqual([expect.objectContaining({ id: 'n2', role: 'leader' })]);
    } finally {
      stream.destroy();
    }
    const asked = n2.requests.filter((request) => request.url === '/status');
    expect(asked.length).toBeGreaterThan(0);
    expect(new Set(asked.map((request) => request.authorization))).toEqual(new Set([`Bearer ${TOKENS.read}`]));
  });
});
