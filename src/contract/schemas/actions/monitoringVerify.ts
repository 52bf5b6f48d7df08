import { z } from 'zod';
import { headers, httpUrl, timeoutMs } from './common';
import { prometheusTarget } from './monitoring';

export const monitoringVerifyParams = prometheusTarget.extend({
  /** Alert rules that must be loaded (GET /api/v1/rules), by name, none unhealthy. */
  expectRules: z.array(z.string().min(1)).default([]),
  /** A scrape target that must be up (GET /api/v1/targets). */
  target: z.strictObject({ job: z.string().min(1), instance: z.string().min(1).optional() }).optional(),
  /** Alertmanager's base URL: the test alert goes to POST /api/v2/alerts. */
  alertmanagerUrl: httpUrl,
  alertmanagerHeaders: headers,
  /**
   * The webhook URL Alertmanager is configured to deliver to (a `webhook_configs` receiver):
   * this activity listens there, on this host, for as long as it waits.
   */
  receiverUrl: z
    .string()
    .regex(
      /^http:\/\/(127\.0\.0\.1|localhost|\[::1\]|0\.0\.0\.0):\d+(\/\S*)?$/,
      'must be an http URL on this host with a port, e.g. http://127.0.0.1:8429/alerts',
    ),
  alertname: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
    .default('GoliveTestAlert'),
  labels: z.record(z.string(), z.string()).default({}),
  deliveryTimeoutSeconds: z.number().positive().max(600).default(60),
  timeoutMs,
});
export const monitoringVerifyResult = z.object({
  rulesFound: z.array(z.string()),
  target: z.object({ job: z.string(), instance: z.string(), health: z.string(), lastScrape: z.string() }).optional(),
  delivered: z.boolean(),
  /** From POST /api/v2/alerts to the webhook call at the receiver. */
  deliveryMs: z.number(),
  alertname: z.string(),
  receiver: z.string().optional(),
});
export type MonitoringVerifyResult = z.infer<typeof monitoringVerifyResult>;
