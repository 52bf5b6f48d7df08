import { defineConfig } from 'vitest/config';

/** `npm run record-histories`: the replay fixtures' recorder, never part of `npm test`. */
export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 1,
    include: ['test/replay/record.ts'],
    globalSetup: ['test/support/globalSetup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    sequence: { concurrent: false },
  },
});
