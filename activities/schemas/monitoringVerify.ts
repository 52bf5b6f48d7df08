import { z } from 'zod';
import { headers, httpUrl, timeoutMs } from './common';

export const monitoringVerifyParams = z.object({
  /**
   * POSTed `{ receiverUrl, rule, token }`: the alerting pipeline must deliver a test alert
   * carrying `token` to `receiverUrl`, a receiver this activity opens for the duration.
   */
  testAlertUrl: httpUrl,
  rule: z.string().min(1).default('golive-test-alert'),
  /** Optional: GET `{ rules: [{ name }] }` first and require these rule names. */
  rulesUrl: httpUrl.optional(),
  expectRules: z.array(z.string().min(1)).default([]),
  /** Address the receiver listens on; the pipeline must be able to reach it. */
  receiverHost: z.string().min(1).default('127.0.0.1'),
  deliveryTimeoutSeconds: z.number().positive().max(600).default(10),
  headers,
  timeoutMs,
});
export type MonitoringVerifyParams = z.input<typeof monitoringVerifyParams>;

export const monitoringVerifyResult = z.object({
  rulesFound: z.array(z.string()),
  delivered: z.boolean(),
  deliveryMs: z.number(),
  rule: z.string(),
});
export type MonitoringVerifyResult = z.infer<typeof monitoringVerifyResult>;
