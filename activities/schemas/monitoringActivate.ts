import { z } from 'zod';
import { alertRule, ruleRegistry } from './monitoring';

export const monitoringActivateParams = ruleRegistry.extend({
  rules: z.array(alertRule).min(1).max(500),
});
export type MonitoringActivateParams = z.input<typeof monitoringActivateParams>;

export const monitoringActivateResult = z.object({ activated: z.array(z.string()), status: z.number().int() });
export type MonitoringActivateResult = z.infer<typeof monitoringActivateResult>;
