import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The multi-process tiers (replikit node processes, verify campaigns) run
    // with `npm run test:hosts`: on the shared 2-core CI box they are not yet
    // reliable (leadership churn under load, and a test-runner crash not yet
    // explained); see the open issues.
    exclude: ['**/node_modules/**', 'test/process/**', 'test/verify/**'],
    // Simulator seeds and real-runtime tests are CPU bound; the machines have 2 cores.
    testTimeout: 60_000,
    // Many files start whole clusters (threads or processes) with election
    // timeouts of 150 ms; run them one at a time so they do not starve each
    // other on a 2-core machine and see elections that are only contention.
    fileParallelism: false,
    hookTimeout: 60_000,
    // The JSON report is what .ci/run reads for its closing line.
    reporters: ['default', 'json'],
    outputFile: { json: 'results/vitest.json' },
  },
});
