import { z } from 'zod';
import { loadTarget, thresholds, verdict } from './common';

export const stressTestParams = z
  .object({
    target: loadTarget,
    startRate: z.number().int().min(1),
    stepRate: z.number().int().min(1),
    maxRate: z.number().int().min(1).max(100_000),
    stageSeconds: z.number().int().min(1).max(600),
    /** What "broken" means at a stage. */
    thresholds,
    /** The rate production is expected to see … */
    expectedRate: z.number().positive(),
    /** … and how many times that the system must sustain before breaking (2 = 100 % headroom). */
    requiredHeadroom: z.number().min(1).default(2),
  })
  .refine((p) => p.maxRate >= p.startRate, { message: 'maxRate must be >= startRate', path: ['maxRate'] });
const stressStage = z.object({
  rate: z.number(),
  throughputRps: z.number(),
  p95: z.number(),
  p99: z.number(),
  errorRate: z.number(),
  passed: z.boolean(),
  violations: z.array(z.string()),
});

export const stressTestResult = z.object({
  stages: z.array(stressStage),
  /** First rate that broke a threshold; null when maxRate held. */
  breakingRate: z.number().nullable(),
  maxSustainedRate: z.number().nullable(),
  requiredRate: z.number(),
  verdict,
});
export type StressTestResult = z.infer<typeof stressTestResult>;
