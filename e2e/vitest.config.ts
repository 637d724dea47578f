import { defineConfig } from 'vitest/config';

// Browser tests, run by e2e/run.mjs against a real server (E2E_BASE_URL). One file at a time: the machines
// have 2 cores, Chromium and the server already use both.
// eslint-disable-next-line no-restricted-syntax -- vitest loads a config file's default export.
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    environment: 'node',
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 180_000,
    hookTimeout: 120_000,
    reporters: ['verbose'],
    // A flaky browser test should be fixed, not retried into green.
    retry: 0,
  },
});
