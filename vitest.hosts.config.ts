import { defineConfig } from 'vitest/config';

// The multi-process tiers: clusters of real `replikit node` processes and
// `replikit verify` campaigns (npm run test:hosts).
export default defineConfig({
  test: {
    include: ['test/process/**/*.test.ts', 'test/verify/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
