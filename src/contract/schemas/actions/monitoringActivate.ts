import { z } from 'zod';
import { alertRule, ruleFileTarget } from './monitoring';

export const monitoringActivateParams = ruleFileTarget.extend({
  rules: z.array(alertRule).min(1).max(500),
  /** A Grafana dashboard JSON shipped beside the runbooks, installed for Grafana's file provisioning. */
  dashboard: z
    .strictObject({
      /** Path relative to the runbooks directory, e.g. dashboards/ai-system.json. */
      source: z
        .string()
        .regex(/^(?!\/)(?!.*\.\.)[A-Za-z0-9_./-]+\.json$/, 'must be a .json path inside the runbooks directory'),
    })
    .optional(),
});
export const monitoringActivateResult = z.object({
  ruleFile: z.string(),
  sha256: z.string(),
  rules: z.array(z.string()),
  reloadStatus: z.number().int(),
  dashboard: z
    .object({ installed: z.boolean(), file: z.string().optional(), reason: z.string().optional() })
    .optional(),
});
export type MonitoringActivateResult = z.infer<typeof monitoringActivateResult>;
