// src/convergence is a pure layer: no I/O, no clock, no randomness, no timers,
// no Node built-ins, and imports only of itself and of the two pure helpers
// it reuses. This reads the sources and holds them to that.

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../../src/convergence');
const ALLOWED_OUTSIDE_IMPORTS = ['src/ground/assert.js', 'src/check/canonical-json.js'];

const FORBIDDEN: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bDate\b/, 'Date'],
  [/\bMath\.random\b/, 'Math.random'],
  [/\b(setTimeout|setInterval|setImmediate|queueMicrotask)\b/, 'a timer'],
  [/\bperformance\b/, 'performance'],
  [/\bprocess\./, 'process'],
  [/\brequire\(/, 'require'],
  [/\bcrypto\b/, 'crypto'],
  [/\bimport\(/, 'a dynamic import'],
];

/** What in `source` (a file at `path` under src/convergence) breaks the rule. */
function impurities(path: string, source: string): string[] {
  const found: string[] = [];
  const code = source.replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');
  for (const [pattern, name] of FORBIDDEN) if (pattern.test(code)) found.push(name);
  for (const [, specifier] of code.matchAll(/from\s+'([^']+)'/g)) {
    if (!specifier?.startsWith('.')) {
      found.push(`import of ${specifier}`);
      continue;
    }
    const target = join('src/convergence', path, '..', specifier);
    if (!target.startsWith('src/convergence/') && !ALLOWED_OUTSIDE_IMPORTS.includes(target)) found.push(`import of ${target}`);
  }
  return found;
}

function sources(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(directory, entry.name)) : entry.name.endsWith('.ts') ? [join(directory, entry.name)] : [],
  );
}

describe('src/convergence is pure', () => {
  it('no file uses a clock, randomness, a timer or I/O, or imports anything outside the pure layers', () => {
    const files = sources(ROOT);
    expect(files.length).toBeGreaterThan(10);
    const offences = files.flatMap((file) => impurities(relative(ROOT, file), readFileSync(file, 'utf8')).map((what) => `${relative(ROOT, file)}: ${what}`));
    expect(offences).toEqual([]);
  });

  it('the check catches a planted impure file', () => {
    const planted = "import { readFileSync } from 'node:fs';\nimport { x } from '../../node/worker.js';\nexport const t = Date.now() + Math.random();";
    expect(impurities('crdt/planted.ts', planted)).toEqual(['Date', 'Math.random', 'import of node:fs', 'import of src/node/worker.js']);
    expect(impurities('planted.ts', "import { assert } from '../ground/assert.js'; // Date in a comment is fine")).toEqual([]);
  });
});
