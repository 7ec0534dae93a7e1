// A node asked for the leader's work while it knows no live leader holds the
// request until one is known, instead of sending the client back to a dead
// node or into a backoff that outlasts the election.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { leaderOf, startHttpCluster, type HttpCluster } from './http-cluster.js';

let h: HttpCluster;

beforeAll(async () => {
  h = await startHttpCluster();
});

afterAll(async () => {
  await h?.close();
});

it('a follower told that its leader is unreachable holds the write until the next leader is known', async () => {
  const oldLeader = await leaderOf(h.cluster);
  const follower = h.cluster.nodeIds().find((id) => id !== oldLeader) as string;
  const crashed = await fetch(`${h.urlOf(follower)}/admin/nodes/${oldLeader}/crash`, { method: 'POST' });
  expect(crashed.status).toBe(200);
  // Sent at once: the follower still names the crashed node as leader for an election timeout.
  const response = await fetch(`${h.urlOf(follower)}/key/held`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', 'x-replikit-unreachable-leader': oldLeader },
    body: JSON.stringify('v'),
  });
  const body = (await response.json()) as { leaderId?: string | null; success?: boolean };
  if (response.status === 200) {
    // The follower won the election and served the write itself.
    expect(body).toMatchObject({ success: true, leaderId: follower });
  } else {
    // It learned of the other survivor's victory: it names that one, never the crashed node.
    expect(response.status).toBe(503);
    const survivors = h.cluster.nodeIds().filter((id) => id !== oldLeader && id !== follower);
    expect(survivors).toContain(body.leaderId);
  }
});

it('a node refuses an unreachableLeader that is not a node id, and writes nothing', async () => {
  const leader = await leaderOf(h.cluster);
  const response = await fetch(`${h.urlOf(leader)}/key/refused`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', 'x-replikit-unreachable-leader': 'x'.repeat(129) },
    body: JSON.stringify('v'),
  });
  expect(response.status).toBe(400);
  expect(((await response.json()) as { detail?: string }).detail).toMatch(/unreachableLeader/);
  const read = await fetch(`${h.urlOf(leader)}/key/refused`);
  expect(read.status).toBe(404);
});
