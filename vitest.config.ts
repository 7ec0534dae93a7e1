import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Simulator seeds and real-runtime tests are CPU bound; the machines have 2 cores.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The JSON report is what .ci/run reads for its closing line.
    reporters: ['default', 'json'],
    outputFile: { json: 'results/vitest.json' },
  },
});
