import { z } from 'zod';
import { headers, httpUrl, timeoutMs } from './common';

/**
 * Shared by the monitoring actions: where Prometheus is, and the run's rule file. Rule files go
 * to the directory the worker is configured with (GOLIVE_PROMETHEUS_RULES_DIR), which the
 * Prometheus `rule_files` glob loads; a runbook names the file, never a path on the worker.
 */
const prometheusDuration = z
  .string()
  .regex(/^(\d+(ms|s|m|h|d|w|y))+$/, 'must be a Prometheus duration such as 30s, 5m or 1h');
const labelName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a Prometheus label name (letters, digits, _)');

export const alertRule = z.strictObject({
  /** The alert's name (the `alertname` label). */
  name: labelName,
  /** PromQL; the alert fires while it returns anything for `for`. */
  expr: z.string().min(1).max(4_000),
  for: prometheusDuration.default('0s'),
  severity: z.enum(['info', 'warning', 'critical']).default('warning'),
  labels: z.record(labelName, z.string().max(500)).default({}),
  summary: z.string().max(500).optional(),
  description: z.string().max(4_000).optional(),
});
export type AlertRule = z.infer<typeof alertRule>;

const ruleFileName = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,99}$/,
    'must be lowercase letters, digits and dashes (the file is <ruleFile>.yml in the rules directory)',
  );

export const prometheusTarget = z.object({
  /** Base URL of the Prometheus HTTP API (the sandbox's stand-in: <sandbox>/prometheus). */
  prometheusUrl: httpUrl,
  headers,
  timeoutMs,
});

export const ruleFileTarget = prometheusTarget.extend({ ruleFile: ruleFileName });
