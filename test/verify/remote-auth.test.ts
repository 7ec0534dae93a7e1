// `replikit verify --endpoints` against nodes that check tokens: with an
// admin token (--token or REPLIKIT_TOKEN) the campaign's clients, its status
// questions and its nemesis's admin routes all get through; without one the
// campaign stops at once and says the token was refused, not that the nodes
// did not answer.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerifyCommand } from '../../src/cli/verify-command.js';
import { runVerify } from '../../src/verify/campaign.js';
import { connectRemoteCluster } from '../../src/verify/remote-cluster.js';
import { leaderOf, startHttpCluster, type HttpCluster } from '../client/http-cluster.js';
import { testAuth, TOKENS } from '../http/auth-helpers.js';

let http: HttpCluster;

beforeAll(async () => {
  http = await startHttpCluster({}, { auth: testAuth() });
  await leaderOf(http.cluster);
});

afterAll(async () => {
  await http?.close();
});

describe('replikit verify against nodes that check tokens', () => {
  it('runs a short campaign with an admin token: clients, status and transfers all pass', async () => {
    const result = await runVerify({
      nodes: 3,
      timeS: 8,
      clients: 2,
      keys: 2,
      nemeses: ['transfer'],
      mode: 'quorum',
      rateOpsPerS: 100,
      seed: 7,
      historyFile: null,
      reportDir: null,
      endpoints: http.urls,
      token: TOKENS.admin,
      log: () => {},
    });
    expect(result.exitCode).toBe(0);
    expect(result.ops).toBeGreaterThan(10);
    const transfers = result.faults.filter((fault) => fault.kind === 'transfer');
    expect(transfers.length).toBeGreaterThan(0);
    // A refused admin route would be noted as "transfer ... refused (403: ...)".
    expect(transfers.flatMap((fault) => fault.notes.filter((note) => note.startsWith('transfer ')))).toEqual([]);
    expect(transfers.every((fault) => fault.notes.some((note) => note.startsWith('leadership ')))).toBe(true);
  }, 60_000);

  it('says the token was refused when there is none, or a wrong one', async () => {
    await expect(connectRemoteCluster(http.urls)).rejects.toThrow(
      /^--endpoints: http:\/\/127\.0\.0\.1:\d+ refused the token \(HTTP 401\); it needs a token: pass --token, or set REPLIKIT_TOKEN/,
    );
    await expect(connectRemoteCluster(http.urls, 'not-a-token-of-this-cluster-000')).rejects.toThrow(/refused the token \(HTTP 401\); check --token/);
    const connected = await connectRemoteCluster(http.urls, TOKENS.read);
    expect(connected.nodeIds.length).toBe(3);
  });

  it('refuses a token no header can carry as bad usage, from --token or REPLIKIT_TOKEN', async () => {
    const said: string[] = [];
    const original = console.error;
    console.error = (line: string) => void said.push(line);
    try {
      expect(await runVerifyCommand(['--endpoints', http.urls.join(','), '--token', 'short'], {})).toBe(2);
      expect(await runVerifyCommand(['--endpoints', http.urls.join(',')], { REPLIKIT_TOKEN: 'has spaces in it, no header carries' })).toBe(2);
    } finally {
      console.error = original;
    }
    expect(said[0]).toMatch(/^replikit verify: --token: a token is at least 20 characters/);
    expect(said[1]).toMatch(/^replikit verify: REPLIKIT_TOKEN: a token is made of/);
  });
});
