import { defineConfig } from 'vitest/config';

/**
 * Two groups. First the suite: files two at a time against one shared Temporal dev server (global
 * setup). Then, alone, the process tests (test/process): each starts its own Temporal, PostgreSQL
 * and golive processes, enough load on two cores to skew the timing-sensitive load tests if they
 * ran beside them — so they run one file at a time after everything else.
 */
const common = {
  // The Temporal SDK's native bridge does not survive worker threads: use child processes.
  pool: 'forks' as const,
  // Generous: the suite must pass on a machine whose cores are busy with other work too.
  testTimeout: 180_000,
  hookTimeout: 120_000,
  // In-process workers and apps log through pino: warnings and errors only in test output.
  env: { GOLIVE_LOG_LEVEL: 'warn' },
};

export default defineConfig({
  test: {
    maxWorkers: 2,
    reporters: ['default', './test/support/summaryReporter.ts'],
    projects: [
      {
        test: {
          ...common,
          name: 'suite',
          include: ['test/**/*.test.ts'],
          exclude: ['test/process/**'],
          globalSetup: ['test/support/globalSetup.ts'],
          // Workflow tests share one dev server; each uses its own task queue and workflow ids.
          sequence: { concurrent: false, groupOrder: 0 },
        },
      },
      {
        test: {
          ...common,
          name: 'processes',
          include: ['test/process/**/*.test.ts'],
          fileParallelism: false,
          sequence: { concurrent: false, groupOrder: 1 },
        },
      },
    ],
  },
});
