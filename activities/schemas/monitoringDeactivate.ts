import { z } from 'zod';
import { ruleRegistry } from './monitoring';

export const monitoringDeactivateParams = ruleRegistry.extend({
  names: z.array(z.string().min(1)).min(1).max(500),
});
export type MonitoringDeactivateParams = z.input<typeof monitoringDeactivateParams>;

export const monitoringDeactivateResult = z.object({ deactivated: z.array(z.string()), status: z.number().int() });
export type MonitoringDeactivateResult = z.infer<typeof monitoringDeactivateResult>;
