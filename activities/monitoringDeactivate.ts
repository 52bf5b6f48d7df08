import type { ActivityDeps } from './deps';
import { parseParams } from './errors';
import { callRules } from './monitoring';
import { monitoringDeactivateParams, type MonitoringDeactivateResult } from './schemas/monitoringDeactivate';

/** The compensation of monitoring-activate. */
export function monitoringDeactivate(deps: ActivityDeps) {
  return async function monitoringDeactivate(input: unknown): Promise<MonitoringDeactivateResult> {
    const p = parseParams(monitoringDeactivateParams, input);
    const status = await callRules(p, 'DELETE', { names: p.names }, deps);
    return { deactivated: p.names, status };
  };
}
