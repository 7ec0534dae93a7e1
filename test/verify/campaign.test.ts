// Real campaigns on real `replikit node` processes (run from dist/: npm test
// builds first). Quorum mode under kill, pause and partition must come out
// clean; async mode under leader kills must show the loss it allows, which
// proves the whole pipeline (history, checking, report) can fail a run.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseHistoryLines, validateHistory } from '../../src/check/index.js';
import { runVerify } from '../../src/verify/campaign.js';
import { killAllNodeProcesses } from '../../src/verify/local-cluster.js';

const BIN = fileURLToPath(new URL('../../bin/replikit.js', import.meta.url));
/**
 * Generous: 30 s of run, then the last fault's recovery, the final reads and
 * the checking; a loaded CI box also starts node processes slowly.
 */
const QUORUM_TEST_TIMEOUT_MS = 150_000;
const ASYNC_TEST_TIMEOUT_MS = 90_000;
/** The CLI run is killed past this, so a hung campaign fails the test instead of outliving it. */
const CLI_KILL_AFTER_MS = 80_000;
const SIGKILL_AFTER_SIGTERM_MS = 2_000;

const scratch = mkdtempSync(join(tmpdir(), 'replikit-verify-test-'));
afterAll(() => {
  // A campaign still running after its test timed out must not leave node processes behind.
  killAllNodeProcesses();
  rmSync(scratch, { recursive: true, force: true });
});

describe('replikit verify campaigns', () => {
  it(
    'quorum, 3 nodes, ~30 s of kill, pause and partition: no anomalies and no lost acknowledged writes',
    async () => {
      const reportDir = join(scratch, 'quorum');
      const historyFile = join(scratch, 'quorum.jsonl');
      const result = await runVerify({
        nodes: 3,
        timeS: 30,
        clients: 10,
        keys: 5,
        nemeses: ['kill', 'pause', 'partition'],
        mode: 'quorum',
        rateOpsPerS: 400,
        seed: 1,
        historyFile,
        reportDir,
        endpoints: null,
        log: () => {},
      });
      // On failure, the report says what the checker found and the history file holds the evidence.
      if (result.anomalies > 0 || result.lostWrites > 0) console.log(result.report, `history: ${historyFile}`);
      expect(result.anomalies).toBe(0);
      expect(result.lostWrites).toBe(0);
      expect(result.exitCode).toBe(0);
      expect(result.summary).toBe(`verify: ${result.ops} ops, 0 anomalies, 0 lost acknowledged writes`);
      expect(new Set(result.faults.map((fault) => fault.kind))).toEqual(new Set(['kill', 'pause', 'partition']));
      expect(result.historyProblems).toEqual([]);
      // The history file is the history that was checked, in the documented shape.
      const written = parseHistoryLines(readFileSync(historyFile, 'utf8'));
      expect(written.problems).toEqual([]);
      expect(written.events.filter((event) => event.type === 'invoke')).toHaveLength(result.ops);
      expect(validateHistory(written.events)).toEqual([]);
      // Not vacuous: the cluster acknowledged writes and answered reads, so there was something to check.
      const acknowledged = written.events.filter((event) => event.type === 'ok');
      expect(acknowledged.filter((event) => event.f !== 'read').length).toBeGreaterThan(0);
      expect(acknowledged.filter((event) => event.f === 'read').length).toBeGreaterThan(0);
      expect(readFileSync(join(reportDir, 'timeline.html'), 'utf8')).toContain('<svg');
      expect(existsSync(join(reportDir, 'report.txt'))).toBe(true);
      if (result.findings.length > 0) console.log(`verify findings (availability, not safety):\n${result.findings.join('\n')}`);
    },
    QUORUM_TEST_TIMEOUT_MS,
  );

  it(
    'async, 3 nodes, 10 s of leader kills: reports the acknowledged writes async loses, and exits 1',
    async () => {
      const reportDir = join(scratch, 'async');
      const { code, stdout, stderr } = await runCli(
        ['verify', '--mode', 'async', '--nemesis', 'kill', '--nodes', '3', '--time', '10', '--seed', '2', '--report', reportDir],
        CLI_KILL_AFTER_MS,
      );
      const summary = /verify: (\d+) ops, (\d+) anomalies, (\d+) lost acknowledged writes\s*$/.exec(stdout);
      expect(summary, `no summary line; stderr:\n${stderr}`).not.toBeNull();
      const anomalies = Number(summary?.[2]);
      const lost = Number(summary?.[3]);
      expect(anomalies + lost, stdout).toBeGreaterThan(0);
      expect(code).toBe(1);
      expect(stdout).toContain('this loss is what async allows');
      expect(readFileSync(join(reportDir, 'report.txt'), 'utf8')).toContain('this loss is what async allows');
    },
    ASYNC_TEST_TIMEOUT_MS,
  );

  it('refuses bad usage with exit 2', async () => {
    const [bogus, flood, remote, help] = await Promise.all([
      runCli(['verify', '--bogus'], 10_000),
      runCli(['verify', '--nemesis', 'kill,flood'], 10_000),
      runCli(['verify', '--endpoints', 'http://127.0.0.1:1', '--nemesis', 'kill'], 10_000),
      runCli(['verify', '--help'], 10_000),
    ]);
    expect(bogus.code).toBe(2);
    expect(flood.code).toBe(2);
    expect(remote.code).toBe(2);
    expect(remote.stderr).toMatch(/needs process control/);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--nemesis LIST/);
  });
});

function runCli(args: string[], killAfterMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // SIGTERM first: verify kills its node processes on it; SIGKILL would leave them running.
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), SIGKILL_AFTER_SIGTERM_MS).unref();
    }, killAfterMs);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
