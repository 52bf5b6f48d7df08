import { z } from 'zod';
import { headers, httpUrl, timeoutMs } from './common';

/** Shared by monitoring-activate and monitoring-deactivate: the rule registry endpoint. */
export const alertRule = z.object({
  name: z.string().min(1),
  expr: z.string().min(1),
  severity: z.enum(['info', 'warning', 'critical']).default('warning'),
  forSeconds: z.number().int().min(0).default(0),
});
export type AlertRule = z.infer<typeof alertRule>;

export const ruleRegistry = z.object({
  /** POST `{ rules }` adds, DELETE `{ names }` removes, GET lists `{ rules }`. */
  url: httpUrl,
  headers,
  timeoutMs,
});
