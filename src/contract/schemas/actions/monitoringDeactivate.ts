import { z } from 'zod';
import { ruleFileTarget } from './monitoring';

export const monitoringDeactivateParams = ruleFileTarget.extend({
  /** Also remove the dashboard monitoring-activate installed for this rule file. */
  dashboard: z.boolean().default(false),
});
export type MonitoringDeactivateParams = z.input<typeof monitoringDeactivateParams>;

export const monitoringDeactivateResult = z.object({
  /** Files removed; empty when the run had nothing installed (a repeated undo). */
  removed: z.array(z.string()),
  reloadStatus: z.number().int().optional(),
});
export type MonitoringDeactivateResult = z.infer<typeof monitoringDeactivateResult>;
