import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import type { ActivityDeps, MonitoringConfig } from './deps';
import { permanent } from './errors';
import { httpCall, requireStatus, type HttpResult } from './http';
import type { AlertRule } from '../src/contract/schemas/actions/monitoring';

/**
 * Rule files and dashboards of monitoring-activate / -deactivate. Each file names the run that
 * wrote it (its workflow id, the same across retries and continue-as-new), so a rollback
 * removes exactly what its own run installed and never another run's file of the same name.
 */

export function monitoringConfig(deps: ActivityDeps): MonitoringConfig {
  return (
    deps.monitoring ??
    permanent(
      'MonitoringNotConfigured',
      'this worker has no rules directory for Prometheus (set GOLIVE_PROMETHEUS_RULES_DIR)',
    )
  );
}

const OWNER_LINE = /^# golive run: (.+)$/m;

export function ruleFilePath(config: MonitoringConfig, ruleFile: string): string {
  return path.join(config.rulesDir, `${ruleFile}.yml`);
}

export function renderRuleFile(ruleFile: string, rules: AlertRule[], run: string): string {
  const groups = [
    {
      name: `golive-${ruleFile}`,
      rules: rules.map((r) => ({
        alert: r.name,
        expr: r.expr,
        for: r.for,
        labels: { severity: r.severity, ...r.labels },
        annotations: {
          ...(r.summary ? { summary: r.summary } : {}),
          ...(r.description ? { description: r.description } : {}),
        },
      })),
    },
  ];
  return `# golive run: ${run}\n# Written by golive's monitoring-activate; removed when that run rolls back.\n${YAML.stringify({ groups })}`;
}

/** Who wrote an existing file: a run id, "" for a file golive did not write, undefined if none. */
export async function fileOwner(
  file: string,
  read: (text: string) => string | undefined = (t) => OWNER_LINE.exec(t)?.[1] ?? '',
): Promise<string | undefined> {
  const text = await fs
    .readFile(file, 'utf8')
    .catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));
  return text === undefined ? undefined : read(text);
}

export function requireOwnedOrAbsent(file: string, found: string | undefined, run: string): void {
  if (found === undefined || found === run) return;
  permanent(
    'MonitoringConflict',
    `${path.basename(file)} already exists and was ${found ? `written by run ${found}` : 'not written by golive'}; choose another ruleFile`,
    { file: path.basename(file) },
  );
}

/** Atomic: Prometheus may reload at any moment and must never read half a file. */
export async function writeAtomically(file: string, text: string): Promise<string> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, text);
  await fs.rename(tmp, file);
  return createHash('sha256').update(text).digest('hex');
}

export async function removeIfOwned(
  file: string,
  run: string,
  read?: (text: string) => string | undefined,
): Promise<boolean> {
  const found = await fileOwner(file, read);
  if (found === undefined) return false;
  requireOwnedOrAbsent(file, found, run);
  await fs.rm(file, { force: true });
  return true;
}

/** POST /-/reload: Prometheus re-reads its rule files (needs --web.enable-lifecycle). */
export async function reloadPrometheus(
  p: { prometheusUrl: string; headers: Record<string, string>; timeoutMs: number },
  deps: ActivityDeps,
): Promise<HttpResult> {
  const url = `${p.prometheusUrl.replace(/\/$/, '')}/-/reload`;
  const res = await httpCall({ url, method: 'POST', headers: p.headers, timeoutMs: p.timeoutMs }, deps);
  if (res.status === 403)
    permanent('UnexpectedStatus', `POST ${url} answered 403: start Prometheus with --web.enable-lifecycle`, {
      status: res.status,
    });
  return res;
}

export function requireReloaded(res: HttpResult, url: string): void {
  requireStatus(res, undefined, `POST ${url.replace(/\/$/, '')}/-/reload`);
}
