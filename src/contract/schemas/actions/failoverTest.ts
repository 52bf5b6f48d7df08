import { z } from 'zod';
import { httpRequest, loadStats, loadTarget, verdict } from './common';

export const failoverTestParams = z
  .object({
    /** The service probed throughout. */
    target: loadTarget,
    probeRatePerSecond: z.number().int().min(1).max(10_000).default(20),
    durationSeconds: z.number().int().min(2).max(3_600),
    /** The fault hook, called this long after probing starts. */
    trigger: httpRequest,
    triggerAfterSeconds: z.number().min(0).default(1),
    /** Called at the end whatever happened, so the system is never left failed over. */
    restore: httpRequest.optional(),
    bounds: z.object({
      minAvailability: z.number().min(0).max(1),
      p99Ms: z.number().positive().optional(),
    }),
  })
  .refine((p) => p.triggerAfterSeconds < p.durationSeconds, {
    message: 'must be before the end of the test',
    path: ['triggerAfterSeconds'],
  });
export const failoverTestResult = z.object({
  stats: loadStats,
  availability: z.number(),
  triggeredAtMs: z.number(),
  triggerStatus: z.number().int(),
  restoreStatus: z.number().int().nullable(),
  verdict,
});
export type FailoverTestResult = z.infer<typeof failoverTestResult>;
