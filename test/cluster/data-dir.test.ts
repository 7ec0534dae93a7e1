// A cluster started without a dataDir made a temp folder for itself: it is
// the cluster's to remove on close. One given by the caller is never touched.

import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCluster } from '../../src/index.js';

describe('the data folder of an embedded cluster', () => {
  it('a temp folder the cluster made is removed on close', async () => {
    const cluster = await createCluster({ nodes: 1 });
    const folder = cluster.dataDir;
    await cluster.put('k', 1);
    expect(existsSync(join(folder, 'n1'))).toBe(true);
    await cluster.close();
    expect(existsSync(folder)).toBe(false);
  });

  it('a folder the caller gave is kept, with its data', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'replikit-kept-'));
    try {
      const cluster = await createCluster({ nodes: 1, dataDir: folder });
      await cluster.put('k', 1);
      await cluster.close();
      expect(readdirSync(folder)).toEqual(['n1']);
      const again = await createCluster({ nodes: 1, dataDir: folder });
      expect((await again.get('k'))?.value).toBe(1);
      await again.close();
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
