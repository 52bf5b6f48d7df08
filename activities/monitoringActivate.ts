import type { ActivityDeps } from './deps';
import { parseParams } from './errors';
import { callRules } from './monitoring';
import { monitoringActivateParams, type MonitoringActivateResult } from './schemas/monitoringActivate';

/** Rules are keyed by name on the registry, so a retried activation replaces, never doubles. */
export function monitoringActivate(deps: ActivityDeps) {
  return async function monitoringActivate(input: unknown): Promise<MonitoringActivateResult> {
    const p = parseParams(monitoringActivateParams, input);
    const status = await callRules(p, 'POST', { rules: p.rules }, deps);
    return { activated: p.rules.map((r) => r.name), status };
  };
}
