import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The Temporal SDK's native bridge does not survive worker threads: use child processes.
    pool: 'forks',
    maxWorkers: 2,
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/globalSetup.ts'],
    // Generous: the suite must pass on a machine whose cores are busy with other work too.
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // Workflow tests share one dev server; each uses its own task queue and workflow ids.
    sequence: { concurrent: false },
    reporters: ['default', './test/support/summaryReporter.ts'],
  },
});
