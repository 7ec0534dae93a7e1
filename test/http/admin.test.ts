// Admin routes on a real 3-node dev cluster: leadership transfer, chaos
// (crash, restart, pause, resume, partition, heal) seen through the other
// nodes' /status, membership changes that give a new node its own server,
// and a server without DevControls that has no chaos routes at all.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeHttpServer } from '../../src/http/index.js';
import { agreedLeader, call, eventually, startDevCluster, until, writeFollowingLeader, type DevCluster } from './helpers.js';

let dev: DevCluster;
let nextSeq = 1;
const session = (): { clientId: string; seq: number } => ({ clientId: 'admin-test', seq: nextSeq++ });
const others = (id: string): string[] => Object.keys(dev.http.urls).filter((other) => other !== id);

beforeAll(async () => {
  dev = await startDevCluster();
});

afterAll(async () => {
  await dev?.close();
});

describe('HTTP admin routes', () => {
  it('transfers leadership from the leader; a follower answers 503 with leaderUrl', async () => {
    // Leadership can move between any two requests: each check picks the leader afresh.
    const refused = await until(async () => {
      const leader = await agreedLeader(dev.http.urls);
      const [follower] = others(leader.id) as [string];
      const answer = await call('POST', `${dev.http.urls[follower]}/admin/transfer-leadership`, { to: follower });
      return answer.status === 503 && answer.body.leaderId !== null ? answer : null;
    }, 'a follower to refuse a transfer');
    expect(refused.body).toEqual({ error: 'Not the leader', leaderId: expect.any(String), leaderUrl: dev.http.urls[refused.body.leaderId] });

    const anyUrl = dev.http.urls['n1'] as string;
    expect((await call('POST', `${anyUrl}/admin/transfer-leadership`, {})).status).toBe(400);
    const notVoter = await call('POST', `${anyUrl}/admin/transfer-leadership`, { to: 'n9' });
    expect(notVoter.status).toBe(400);
    expect(notVoter.body.detail).toMatch(/not a voter/);

    const { moved, from, to } = await until(async () => {
      const leader = await agreedLeader(dev.http.urls);
      const [target] = others(leader.id) as [string];
      const answer = await call('POST', `${leader.url}/admin/transfer-leadership`, { to: target });
      return answer.status === 200 ? { moved: answer, from: leader.id, to: target } : null;
    }, 'the leader to accept a transfer');
    expect(moved.body).toEqual({ success: true, from, to });
    // The transfer may lose to an election on a loaded machine; what matters is that a leader is agreed again.
    await agreedLeader(dev.http.urls);
  });

  it('crashing the leader: the others elect a new one and say so in /status; restart brings it back', async () => {
    const leader = await agreedLeader(dev.http.urls);
    const survivors = others(leader.id);
    const askedAt = dev.http.urls[survivors[0] as string] as string;
    const crashed = await call('POST', `${askedAt}/admin/nodes/${leader.id}/crash`);
    expect(crashed.status).toBe(200);
    expect(crashed.body).toEqual({ success: true, id: leader.id, action: 'crash' });

    const down = await call('GET', `${leader.url}/status`);
    expect(down.status).toBe(503);
    expect(down.body.error).toBe('Node unavailable');
    expect((await call('GET', `${leader.url}/health`)).body.healthy).toBe(false);

    const next = await agreedLeader(dev.http.urls, survivors);
    expect(next.id).not.toBe(leader.id);
    // Every survivor names the new leader and its URL (agreeing again if it moved once more meanwhile).
    await eventually(async () => {
      const statuses = await Promise.all(survivors.map(async (id) => (await call('GET', `${dev.http.urls[id]}/status`)).body));
      const leaderId = statuses[0]?.leaderId;
      return leaderId !== leader.id && statuses.every((status) => status?.leaderId === leaderId && status.leaderUrl === dev.http.urls[leaderId]);
    }, 'the survivors to name the new leader with its URL');

    // A sync write needs every voter; with one down it cannot be confirmed, and the answer says so.
    const unknown = await call('PUT', `${next.url}/key/sync-while-down?mode=sync&timeoutMs=200`, 'maybe');
    expect([504, 503]).toContain(unknown.status); // 503 only if leadership moved meanwhile
    if (unknown.status === 504) expect(unknown.body.error).toBe('Outcome unknown');

    expect((await call('POST', `${askedAt}/admin/nodes/${leader.id}/restart`)).status).toBe(200);
    await eventually(async () => (await call('GET', `${leader.url}/status`)).status === 200, 'the restarted node to answer');
    await agreedLeader(dev.http.urls);
  });

  it('pauses and resumes a node, partitions and heals, refusing bad bodies', async () => {
    const leader = await agreedLeader(dev.http.urls);
    const [follower] = others(leader.id) as [string];
    expect((await call('POST', `${leader.url}/admin/nodes/${follower}/pause`)).status).toBe(200);
    expect((await call('POST', `${leader.url}/admin/nodes/${follower}/resume`)).status).toBe(200);
    expect((await call('POST', `${leader.url}/admin/nodes/n99/pause`)).status).toBe(404);

    for (const body of [{}, { groups: [] }, { groups: [['n1'], ['n1']] }, { groups: [['n1', 'n99']] }, { groups: [[1]] }, { groups: 'n1' }]) {
      const refused = await call('POST', `${leader.url}/admin/partition`, body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
    }
    const cut = await call('POST', `${leader.url}/admin/partition`, { groups: [[leader.id], others(leader.id)] });
    expect(cut.status).toBe(200);
    expect(cut.body).toEqual({ success: true, groups: [[leader.id], others(leader.id)] });
    // The majority side elects its own leader.
    const majority = await agreedLeader(dev.http.urls, others(leader.id));
    expect(majority.id).not.toBe(leader.id);
    expect((await call('POST', `${leader.url}/admin/heal`)).status).toBe(200);
    await agreedLeader(dev.http.urls);
  });

  it('adds a node with its own server on the next port, and removes it', async () => {
    const added = await call('POST', `${dev.http.urls['n1']}/admin/members`);
    expect(added.status).toBe(200);
    expect(added.body).toEqual({ id: 'n4' });
    const url = dev.http.urls['n4'];
    expect(url).toBeDefined();
    await eventually(async () => {
      const status = await call('GET', `${url}/status`);
      return status.status === 200 && status.body.membership.voters.includes('n4');
    }, 'n4 to join as a voter');
    const written = await writeFollowingLeader('PUT', url as string, '/key/after-join', 4, session());
    expect(written.status).toBe(200);

    expect((await call('POST', `${dev.http.urls['n1']}/admin/members`, { id: 'n7' })).status).toBe(400);
    expect((await call('DELETE', `${dev.http.urls['n1']}/admin/members/n99`)).status).toBe(404);
    const removed = await call('DELETE', `${dev.http.urls['n1']}/admin/members/n4`);
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({ success: true, id: 'n4' });
    expect(dev.http.urls['n4']).toBeUndefined();
    await eventually(async () => {
      const leader = await agreedLeader(dev.http.urls);
      const status = await call('GET', `${leader.url}/status`);
      return JSON.stringify(status.body?.membership?.voters) === JSON.stringify(['n1', 'n2', 'n3']);
    }, 'the membership without n4');
  });

  it('a server without DevControls or membership has no such routes (404)', async () => {
    const plain = createNodeHttpServer({ endpoint: dev.cluster.endpoint('n1'), peerUrls: () => dev.http.urls, lagThresholdMs: 1000 });
    const { url } = await plain.listen('127.0.0.1', 0);
    try {
      for (const path of ['/admin/nodes/n1/crash', '/admin/nodes/n1/pause', '/admin/partition', '/admin/heal', '/admin/members']) {
        const answer = await call('POST', `${url}${path}`);
        expect(answer.status, path).toBe(404);
        expect(answer.body.error).toBe('Not found');
      }
      expect((await call('GET', `${url}/status`)).status).toBe(200);
    } finally {
      await plain.close();
    }
  });
});
