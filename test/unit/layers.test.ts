// The layer rules live in eslint.config.js and CI runs them; this proves they
// bite: each planted file below breaks one rule and must be refused by it.

import { ESLint } from 'eslint';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: ROOT });

/** The rule ids ESLint reports for `source` placed at `filePath`. */
async function rulesBroken(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: join(ROOT, filePath) });
  return (result?.messages ?? []).map((message) => message.ruleId ?? `fatal: ${message.message}`);
}

describe('layer rules (eslint.config.js)', () => {
  it('refuse an upward import from a pure core into the node runtime', async () => {
    const planted = "import { NodeRuntime } from '../node/node-runtime.js';\nexport const runtime = NodeRuntime;\n";
    expect(await rulesBroken('src/core/planted-upward.ts', planted)).toEqual(['boundaries/dependencies']);
  });

  it('refuse the node runtime importing the HTTP face', async () => {
    const planted = "import { createNodeHttpServer } from '../http/server.js';\nexport const serve = createNodeHttpServer;\n";
    expect(await rulesBroken('src/node/planted-upward.ts', planted)).toEqual(['boundaries/dependencies']);
  });

  it('refuse a clock, unseeded chance and a timer in a pure layer', async () => {
    const planted = 'export const t = Date.now() + Math.random();\nsetTimeout(() => undefined, 1);\n';
    expect(await rulesBroken('src/kv/planted-clock.ts', planted)).toEqual(['no-restricted-globals', 'no-restricted-properties', 'no-restricted-globals']);
  });

  it('refuse I/O in a pure layer', async () => {
    const planted = "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n";
    expect(await rulesBroken('machines/planted-io.ts', planted)).toEqual(['no-restricted-imports']);
  });

  it('allow the same clock in the runtime, and a downward import', async () => {
    expect(await rulesBroken('src/node/planted-clock.ts', 'export const t = Date.now();\n')).toEqual([]);
    const downward = "import { assert } from '../ground/assert.js';\nassert(true, 'fine');\n";
    expect(await rulesBroken('src/core/planted-downward.ts', downward)).toEqual([]);
  });

  it('refuse the dashboard page importing server code or Node, and allow it the protocol and its own modules', async () => {
    const server = "import { SseHub } from '../sse-hub.js';\nexport const hub = SseHub;\n";
    expect(await rulesBroken('src/dashboard/page/planted-server.ts', server)).toEqual(['no-restricted-imports']);
    const fromDom = "import { createDashboard } from '../../dashboard.js';\nexport const d = createDashboard;\n";
    expect(await rulesBroken('src/dashboard/page/dom/planted-server.ts', fromDom)).toEqual(['no-restricted-imports']);
    const machines = "import { roleMachine } from '../../../machines/index.js';\nexport const m = roleMachine;\n";
    expect(await rulesBroken('src/dashboard/page/planted-machines.ts', machines)).toEqual(['no-restricted-imports', 'boundaries/dependencies']);
    const node = "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n";
    expect(await rulesBroken('src/dashboard/page/dom/planted-node.ts', node)).toEqual(['no-restricted-imports']);
    const allowed =
      "import type { NodeId } from '../../protocol.js';\nimport { formatMs } from '../format.js';\nexport const f = (id: NodeId): string => id + formatMs(1);\n";
    expect(await rulesBroken('src/dashboard/page/dom/planted-allowed.ts', allowed)).toEqual([]);
  });
});
