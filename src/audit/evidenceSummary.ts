import type { ActivityName } from '../contract/schemas/catalog';
import type { AccessApplyResult } from '../contract/schemas/actions/accessApply';
import type { AccessRevokeResult } from '../contract/schemas/actions/accessRevoke';
import type { AccessVerifyResult } from '../contract/schemas/actions/accessVerify';
import type { CommandResult } from '../contract/schemas/actions/command';
import type { LoadStats } from '../contract/schemas/actions/common';
import type { DeployResult } from '../contract/schemas/actions/deploy';
import type { FailoverTestResult } from '../contract/schemas/actions/failoverTest';
import type { HttpCheckResult } from '../contract/schemas/actions/httpCheck';
import type { LoadTestResult } from '../contract/schemas/actions/loadTest';
import type { MetricsCheckResult } from '../contract/schemas/actions/metricsCheck';
import type { MonitoringActivateResult } from '../contract/schemas/actions/monitoringActivate';
import type { MonitoringVerifyResult } from '../contract/schemas/actions/monitoringVerify';
import type { NotifyResult } from '../contract/schemas/actions/notify';
import type { RollbackDrillResult } from '../contract/schemas/actions/rollbackDrill';
import type { StressTestResult } from '../contract/schemas/actions/stressTest';
import type { TcpCheckResult } from '../contract/schemas/actions/tcpCheck';
import type { WebhookResult } from '../contract/schemas/actions/webhook';

/**
 * One line a person can read for an action's result (the evidence it left): the figures an
 * auditor looks for first. The full result stays in the entry's details. Results come from
 * history, so each formatter tolerates a shape it does not expect and falls back to nothing.
 */

const pct = (x: number) => `${(x * 100).toFixed(x < 0.01 && x > 0 ? 2 : 1)}%`;
const ms = (x: number) => `${Math.round(x)} ms`;
const s = (xMs: number) => (xMs < 1000 ? ms(xMs) : `${(xMs / 1000).toFixed(1)} s`);
const verdictText = (v: { passed: boolean; violations: string[] }) =>
  v.passed ? 'passed' : `FAILED (${v.violations.join('; ') || 'thresholds missed'})`;
const loadLine = (st: LoadStats) =>
  `${st.requests} requests at ${st.throughputRps.toFixed(1)} rps, p95 ${ms(st.latency.p95)}, p99 ${ms(st.latency.p99)}, error rate ${pct(st.errorRate)}`;

const formatters: { [A in ActivityName]?: (r: never) => string } = {
  loadTest: (r: LoadTestResult) =>
    `load test at ${r.ratePerSecond}/s: ${loadLine(r.stats)} — ${verdictText(r.verdict)}`,
  stressTest: (r: StressTestResult) =>
    `stress test: ${r.stages.length} stages, max sustained ${r.maxSustainedRate ?? 'n/a'}/s, breaking at ${r.breakingRate ?? 'none (max rate held)'}, required ${r.requiredRate}/s — ${verdictText(r.verdict)}`,
  failoverTest: (r: FailoverTestResult) =>
    `failover: availability ${pct(r.availability)} (${loadLine(r.stats)}) — ${verdictText(r.verdict)}`,
  rollbackDrill: (r: RollbackDrillResult) =>
    `rollback drill: back on ${r.previousVersion} in ${s(r.measuredMs)} (window ${r.windowSeconds} s), ${r.restoredVersion} restored in ${s(r.restoreMs)}`,
  httpCheck: (r: HttpCheckResult) =>
    `${r.endpoints.filter((e) => e.ok).length}/${r.endpoints.length} endpoints ok: ${r.endpoints.map((e) => `${e.name} ${e.status ?? e.problem ?? ''}`.trim()).join(', ')}`,
  tcpCheck: (r: TcpCheckResult) => `${r.targets.filter((t) => t.ok).length}/${r.targets.length} ports reachable`,
  deploy: (r: DeployResult) => `version ${r.version} deployed (HTTP ${r.status}, ${ms(r.latencyMs)})`,
  webhook: (r: WebhookResult) => `HTTP ${r.status} in ${ms(r.latencyMs)}`,
  accessApply: (r: AccessApplyResult) => `${r.applied.length} role binding(s) applied`,
  accessRevoke: (r: AccessRevokeResult) => `${r.revoked.length} role binding(s) removed`,
  accessVerify: (r: AccessVerifyResult) =>
    `${r.present.length} binding(s) present, ${r.confirmedAbsent.length} forbidden binding(s) confirmed absent (of ${r.total})`,
  // Runs recorded before the Prometheus protocol carry { activated } and { rule }: still readable.
  monitoringActivate: (r: MonitoringActivateResult & { activated?: string[] }) =>
    `alert rules active: ${(r.rules ?? r.activated ?? []).join(', ')}${r.ruleFile ? ` (${r.ruleFile}, Prometheus reloaded)` : ''}${r.dashboard?.installed ? `; dashboard ${r.dashboard.file}` : ''}`,
  monitoringVerify: (r: MonitoringVerifyResult & { rule?: string }) =>
    `test alert ${r.delivered ? 'delivered' : 'NOT delivered'} via ${r.alertname ?? r.rule}${r.receiver ? ` to receiver ${r.receiver}` : ''} in ${ms(r.deliveryMs)}; rules found: ${r.rulesFound.join(', ')}${r.target ? `; target ${r.target.job} ${r.target.health}` : ''}`,
  metricsCheck: (r: MetricsCheckResult) =>
    `${r.checks.filter((c) => c.passed).length}/${r.checks.length} metric checks passed${r.passed ? '' : ` — FAILED (${r.violations.join('; ')})`}`,
  command: (r: CommandResult) => `exit code ${r.exitCode ?? r.signal} after ${s(r.durationMs)}`,
  notify: (r: NotifyResult) =>
    r.loggedOnly
      ? `logged for ${r.recipients.join(', ')} (no channel configured)`
      : r.deliveries.map((d) => `${d.channel} ${d.ok ? 'ok' : `failed: ${d.detail}`}`).join(', '),
};

export function summarizeResult(activityType: string, result: unknown): string {
  const format = (formatters as Record<string, ((r: unknown) => string) | undefined>)[activityType];
  if (!format || result === null || typeof result !== 'object') return '';
  try {
    return format(result);
  } catch {
    return '';
  }
}
