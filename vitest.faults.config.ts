import { defineConfig } from 'vitest/config';

// The fault suite (npm run test:faults): kills the gateway, its database, its SMTP peer and its IMAP
// connections under load. Minutes long, so it has its own config and stays out of `npm test`.
// Each scenario starts its own servers; the global setup only collects the summary table.
export default defineConfig({
  test: {
    include: ['test/faults/**/*.fault.test.ts'],
    globalSetup: ['test/faults/support/summary.setup.ts'],
    testTimeout: 5 * 60_000,
    hookTimeout: 120_000,
    // Two cores: one scenario at a time, or their timings would be each other's faults.
    fileParallelism: false,
  },
});
