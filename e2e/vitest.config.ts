import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Files that move the server's clock forward (e2e/lib/clock.ts) run last: one server serves the whole run
 * and its clock never goes back, so every file after them would see a server half an hour ahead of the
 * browser and of the readings and times the tests make.
 */
const MOVES_SERVER_CLOCK = ['permits.e2e.ts'];

class ClockMoversLast extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const moves = (f: TestSpecification) => MOVES_SERVER_CLOCK.some((name) => f.moduleId.endsWith(`/${name}`));
    return [...sorted.filter((f) => !moves(f)), ...sorted.filter(moves)];
  }
}

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
    sequence: { sequencer: ClockMoversLast },
  },
});
