import fs from 'node:fs/promises';
import path from 'node:path';
import type { ActivityDeps } from './deps';
import { owningRun } from './context';
import { parseParams, permanent } from './errors';
import {
  fileOwner,
  monitoringConfig,
  reloadPrometheus,
  renderRuleFile,
  requireOwnedOrAbsent,
  requireReloaded,
  ruleFilePath,
  writeAtomically,
} from './monitoring';
import { installDashboard } from './monitoringDashboard';
import { prometheusReloadError } from './http';
import {
  monitoringActivateParams,
  type MonitoringActivateResult,
} from '../src/contract/schemas/actions/monitoringActivate';

/**
 * Installs the run's alert rules into Prometheus: a rule file in the directory Prometheus loads,
 * then POST /-/reload. A retry rewrites the same file (idempotent). When Prometheus refuses the
 * rules, the file is taken out again so a broken file never lingers for the next reload.
 */
export function monitoringActivate(deps: ActivityDeps) {
  return async function monitoringActivate(input: unknown): Promise<MonitoringActivateResult> {
    const p = parseParams(monitoringActivateParams, input);
    const config = monitoringConfig(deps);
    const run = owningRun();
    const file = ruleFilePath(config, p.ruleFile);
    requireOwnedOrAbsent(file, await fileOwner(file), run);
    const sha256 = await writeAtomically(file, renderRuleFile(p.ruleFile, p.rules, run));
    const reload = await reloadPrometheus(p, deps).catch(async (error: unknown) => {
      await fs.rm(file, { force: true });
      throw error;
    });
    if (reload.status >= 400) {
      await fs.rm(file, { force: true });
      await reloadPrometheus(p, deps).catch(() => undefined);
      if (reload.status === 500)
        permanent(
          'UnexpectedStatus',
          `Prometheus refused the rules: ${prometheusReloadError(reload.body) ?? 'POST /-/reload answered 500'}`,
          { status: 500 },
        );
      requireReloaded(reload, p.prometheusUrl);
    }
    const dashboard = p.dashboard ? await installDashboard(config, p.dashboard.source, p.ruleFile, run) : undefined;
    return {
      ruleFile: path.basename(file),
      sha256,
      rules: p.rules.map((r) => r.name),
      reloadStatus: reload.status,
      ...(dashboard ? { dashboard } : {}),
    };
  };
}
