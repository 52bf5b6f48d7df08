import { defineConfig } from 'vitest/config';
import base from './vitest.config.mts';

/** `npm run record-histories`: the replay fixtures' recorder, never part of `npm test`. */
export default defineConfig({ ...base, test: { ...base.test, include: ['test/replay/record.ts'] } });
