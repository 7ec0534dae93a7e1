// The lock installs anywhere with `npm ci`: it names every dependency exactly as
// package.json does, and holds the optional packages of every platform, not
// only this machine's (npm ci on another platform refuses a lock without them).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface LockedPackage {
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
}

const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as LockedPackage;
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { lockfileVersion: number; packages: Record<string, LockedPackage> };

/** Where node would find `name` from the package at `path`: its own node_modules, then each parent's. */
function resolves(path: string, name: string): boolean {
  for (let at = path; ; at = at.slice(0, at.lastIndexOf('/node_modules/'))) {
    if (lock.packages[`${at === '' ? '' : `${at}/`}node_modules/${name}`]) return true;
    if (!at.includes('/node_modules/')) return Boolean(lock.packages[`node_modules/${name}`]);
  }
}

describe('package-lock.json', () => {
  it('names every dependency of package.json with the same range', () => {
    const root = lock.packages[''];
    expect(root?.dependencies ?? {}).toEqual(manifest.dependencies ?? {});
    expect(root?.devDependencies ?? {}).toEqual(manifest.devDependencies ?? {});
  });

  it("holds every locked package's optional dependencies, for every platform", () => {
    const missing: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      for (const name of Object.keys(entry.optionalDependencies ?? {})) if (!resolves(path, name)) missing.push(`${path || '(root)'} -> ${name}`);
    }
    expect(missing).toEqual([]);
    // The packages this went wrong for before: other platforms' native builds.
    for (const name of ['@msgpackr-extract/msgpackr-extract-darwin-arm64', '@rollup/rollup-win32-x64-msvc', '@lmdb/lmdb-darwin-arm64']) {
      expect(lock.packages[`node_modules/${name}`], name).toBeDefined();
    }
  });
});
