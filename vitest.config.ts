import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Server tests and the web app's pure-logic tests (e.g. the offline queue); browser tests live in e2e/.
    include: ['src/**/*.test.ts', 'web/src/**/*.test.ts'],
    environment: 'node',
    // Each test file opens its own database (PGlite in memory, or a fresh PostgreSQL database),
    // so files run in parallel safely; 2 workers match the 2-core machines we target.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
