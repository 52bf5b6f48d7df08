import fs from 'node:fs/promises';
import path from 'node:path';
import type { MonitoringConfig } from './deps';
import { permanent } from './errors';
import { fileOwner, removeIfOwned, requireOwnedOrAbsent, writeAtomically } from './monitoring';

/**
 * The optional Grafana dashboard of monitoring-activate: copied from the runbooks directory into
 * Grafana's file-provisioning folder, tagged with the run that installed it (Grafana shows tags;
 * the tag is also how the rollback knows the file is its own).
 */
const RUN_TAG = 'golive-run:';

function dashboardFile(dir: string, ruleFile: string): string {
  return path.join(dir, `golive-${ruleFile}.json`);
}

function ownerTag(text: string): string {
  try {
    const tags = (JSON.parse(text) as { tags?: unknown }).tags;
    const tag = Array.isArray(tags)
      ? tags.find((t): t is string => typeof t === 'string' && t.startsWith(RUN_TAG))
      : undefined;
    return tag?.slice(RUN_TAG.length) ?? '';
  } catch {
    return '';
  }
}

export async function installDashboard(
  config: MonitoringConfig,
  source: string,
  ruleFile: string,
  run: string,
): Promise<{ installed: boolean; file?: string; reason?: string }> {
  if (!config.dashboardsDir)
    return { installed: false, reason: 'no Grafana dashboards directory configured (GOLIVE_GRAFANA_DASHBOARDS_DIR)' };
  if (!config.runbooksDir) return { installed: false, reason: 'no runbooks directory to read the dashboard from' };
  const from = path.resolve(config.runbooksDir, source);
  if (!from.startsWith(path.resolve(config.runbooksDir) + path.sep))
    permanent('InvalidParams', `dashboard.source must stay inside the runbooks directory`);
  const text = await fs
    .readFile(from, 'utf8')
    .catch(() => permanent('InvalidParams', `dashboard.source: cannot read ${source} in the runbooks directory`));
  let dashboard: Record<string, unknown>;
  try {
    dashboard = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return permanent('InvalidParams', `dashboard.source: ${source} is not JSON`);
  }
  const file = dashboardFile(config.dashboardsDir, ruleFile);
  requireOwnedOrAbsent(file, await fileOwner(file, ownerTag), run);
  const tags = Array.isArray(dashboard.tags)
    ? dashboard.tags.filter((t) => typeof t !== 'string' || !t.startsWith(RUN_TAG))
    : [];
  await writeAtomically(file, JSON.stringify({ ...dashboard, tags: [...tags, 'golive', `${RUN_TAG}${run}`] }, null, 2));
  return { installed: true, file: path.basename(file) };
}

export async function removeDashboard(config: MonitoringConfig, ruleFile: string, run: string): Promise<string[]> {
  if (!config.dashboardsDir) return [];
  const file = dashboardFile(config.dashboardsDir, ruleFile);
  return (await removeIfOwned(file, run, ownerTag)) ? [path.basename(file)] : [];
}
