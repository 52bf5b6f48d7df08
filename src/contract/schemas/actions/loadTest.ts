import { z } from 'zod';
import { loadStats, loadTarget, thresholds, verdict } from './common';

export const loadTestParams = z.object({
  target: loadTarget,
  /** Fixed request rate over all connections (requests per second). */
  ratePerSecond: z.number().int().min(1).max(100_000),
  durationSeconds: z.number().int().min(1).max(3_600),
  thresholds: thresholds.default({}),
});
export const loadTestResult = z.object({ ratePerSecond: z.number(), stats: loadStats, verdict });
export type LoadTestResult = z.infer<typeof loadTestResult>;
