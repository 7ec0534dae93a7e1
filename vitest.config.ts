import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Every tier runs here, the multi-process ones (test/process: clusters of
    // `replikit node` processes, one of them partitioned with network
    // namespaces; test/verify: short verify campaigns) included. `npm run
    // test:hosts` runs those two alone. The namespace test needs root, ip and
    // nft or iptables (.ci/run installs nftables); without them it says why it
    // did not run. It adds one veth to the root namespace while it runs.
    exclude: ['**/node_modules/**'],
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
