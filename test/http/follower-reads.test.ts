// Followers serve reads: a default GET (linearizable) on a follower is served
// by the follower itself, after it asked the leader for a read index and
// applied it (ReadIndex from a follower). Never stale: a read that starts
// after a write was acknowledged sees that write, on every node.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreedLeader, call, startDevCluster, type DevCluster } from './helpers.js';

let dev: DevCluster;

beforeAll(async () => {
  dev = await startDevCluster();
});

afterAll(async () => {
  await dev?.close();
});

/** Rounds of write-on-the-leader, then read-on-every-follower at once. */
const ROUNDS = 1000;

describe('reads on followers', () => {
  it(`a follower answers a default GET with the latest acknowledged value (${ROUNDS} rounds, every follower)`, async () => {
    let leader = await agreedLeader(dev.http.urls);
    const stale: string[] = [];
    let followerAnswers = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      let written = await call('PUT', `${leader.url}/key/latest`, round);
      if (written.status === 503) {
        // Leadership moved (it should not on a healthy machine, and the stability bench counts it): follow it.
        leader = await agreedLeader(dev.http.urls);
        written = await call('PUT', `${leader.url}/key/latest`, round);
      }
      expect(written.status, JSON.stringify(written.body)).toBe(200);
      const followers = Object.entries(dev.http.urls).filter(([id]) => id !== leader.id);
      const reads = await Promise.all(followers.map(([, url]) => call('GET', `${url}/key/latest`)));
      reads.forEach((read, i) => {
        const who = followers[i]?.[0];
        if (read.status !== 200 || read.body.value !== round) stale.push(`round ${round}: ${who} answered ${read.status} ${JSON.stringify(read.body)}`);
        else if (read.body.nodeRole === 'follower') followerAnswers++;
      });
    }
    expect(stale.slice(0, 5)).toEqual([]);
    // Served by followers themselves, not forwarded to the leader's answer.
    expect(followerAnswers).toBeGreaterThan(ROUNDS);
  });
});
