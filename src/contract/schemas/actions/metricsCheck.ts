import { z } from 'zod';
import { prometheusTarget } from './monitoring';

/** One PromQL query and the bounds every series it returns must stay within. */
const metricCheck = z
  .strictObject({
    name: z.string().min(1).max(100),
    query: z.string().min(1).max(4_000),
    /** Highest acceptable value (inclusive), e.g. an error rate of 0.01. */
    max: z.number().optional(),
    /** Lowest acceptable value (inclusive), e.g. a throughput or `up`. */
    min: z.number().optional(),
    /** No data (empty result or NaN): a failed measurement unless said otherwise. */
    onEmpty: z.enum(['fail', 'pass']).default('fail'),
  })
  .refine((c) => c.max !== undefined || c.min !== undefined, { message: 'give max and/or min', path: ['max'] });
export type MetricCheck = z.infer<typeof metricCheck>;

export const metricsCheckParams = prometheusTarget.extend({
  checks: z.array(metricCheck).min(1).max(50),
  /** How long to observe; 0 measures once. */
  windowSeconds: z.number().min(0).max(86_400).default(0),
  intervalSeconds: z.number().positive().max(3_600).default(10),
  /** Failed measurements each check may have in the window before it fails. */
  failureLimit: z.number().int().min(0).default(0),
  /** false: report the verdict as the result instead of failing (hypercare analyses). */
  failOnBreach: z.boolean().default(true),
});
export const measurement = z.object({
  at: z.string(),
  /** Every value the query returned (one per series); empty for no data. */
  values: z.array(z.number().nullable()),
  passed: z.boolean(),
  error: z.string().optional(),
});

export const metricsCheckResult = z.object({
  passed: z.boolean(),
  checks: z.array(
    z.object({
      name: z.string(),
      query: z.string(),
      passed: z.boolean(),
      failures: z.number().int(),
      measurements: z.array(measurement),
    }),
  ),
  violations: z.array(z.string()),
});
export type MetricsCheckResult = z.infer<typeof metricsCheckResult>;
