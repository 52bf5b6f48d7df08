import path from 'node:path';
import type { ActivityDeps } from './deps';
import { owningRun } from './context';
import { parseParams } from './errors';
import { monitoringConfig, reloadPrometheus, removeIfOwned, requireReloaded, ruleFilePath } from './monitoring';
import { removeDashboard } from './monitoringDashboard';
import {
  monitoringDeactivateParams,
  type MonitoringDeactivateResult,
} from '../src/contract/schemas/actions/monitoringDeactivate';

/**
 * The compensation of monitoring-activate: removes the run's own rule file (and dashboard),
 * then reloads Prometheus. The reload happens even when the file is already gone: a retry
 * after a failed reload must still make Prometheus forget the rules.
 */
export function monitoringDeactivate(deps: ActivityDeps) {
  return async function monitoringDeactivate(input: unknown): Promise<MonitoringDeactivateResult> {
    const p = parseParams(monitoringDeactivateParams, input);
    const config = monitoringConfig(deps);
    const run = owningRun();
    const file = ruleFilePath(config, p.ruleFile);
    const removed = (await removeIfOwned(file, run)) ? [path.basename(file)] : [];
    if (p.dashboard) removed.push(...(await removeDashboard(config, p.ruleFile, run)));
    const reload = await reloadPrometheus(p, deps);
    requireReloaded(reload, p.prometheusUrl);
    return { removed, reloadStatus: reload.status };
  };
}
