import { defineConfig } from 'vitest/config';

// The never-crash corpus run (npm run test:corpus): thousands of real messages, so it has its own
// config with a long timeout and is kept out of the default `npm test`.
export default defineConfig({
  test: {
    include: ['test/corpus/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 10 * 60_000,
    hookTimeout: 120_000,
  },
});
