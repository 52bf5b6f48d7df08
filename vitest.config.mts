import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The Temporal SDK's native bridge does not survive worker threads: use child processes.
    pool: 'forks',
    maxWorkers: 2,
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/globalSetup.ts'],
    testTimeout: 60_000,
    // In-process workers and apps log through pino: warnings and errors only in test output.
    env: { GOLIVE_LOG_LEVEL: 'warn' },
    hookTimeout: 120_000,
    // Workflow tests share one dev server; each uses its own task queue and workflow ids.
    sequence: { concurrent: false },
    reporters: ['default', './test/support/summaryReporter.ts'],
  },
});
