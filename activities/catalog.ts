import type { z } from 'zod';
import { accessApplyParams, accessApplyResult } from './schemas/accessApply';
import { accessRevokeParams, accessRevokeResult, type AccessRevokeParams } from './schemas/accessRevoke';
import { accessVerifyParams, accessVerifyResult } from './schemas/accessVerify';
import { commandParams, commandResult } from './schemas/command';
import { deployParams, deployResult } from './schemas/deploy';
import { failoverTestParams, failoverTestResult } from './schemas/failoverTest';
import { httpCheckParams, httpCheckResult } from './schemas/httpCheck';
import { loadTestParams, loadTestResult } from './schemas/loadTest';
import { metricsCheckParams, metricsCheckResult } from './schemas/metricsCheck';
import { monitoringActivateParams, monitoringActivateResult } from './schemas/monitoringActivate';
import {
  monitoringDeactivateParams,
  monitoringDeactivateResult,
  type MonitoringDeactivateParams,
} from './schemas/monitoringDeactivate';
import { monitoringVerifyParams, monitoringVerifyResult } from './schemas/monitoringVerify';
import { notifyParams, notifyResult } from './schemas/notify';
import { rollbackDrillParams, rollbackDrillResult } from './schemas/rollbackDrill';
import { stressTestParams, stressTestResult } from './schemas/stressTest';
import { targetSnapshotParams, targetSnapshotResult } from './schemas/targetSnapshot';
import { tcpCheckParams, tcpCheckResult } from './schemas/tcpCheck';
import { webhookParams, webhookResult, type WebhookParams } from './schemas/webhook';

/**
 * The typed action registry: runbook `action:` name → activity, schemas, and how a completed
 * step is undone. PURE (zod and data only): the runbook validator and the workflow bundle
 * import it. `compensation` maps the step's parsed params to the undo step's params; it must
 * stay pure and deterministic because the workflow calls it.
 */
interface ActionSpec<P extends z.ZodType, R extends z.ZodType> {
  activity: string;
  summary: string;
  params: P;
  result: R;
  /** Actions that run for minutes; the workflow gives them a heartbeat timeout. */
  long?: boolean;
  compensation?: (params: z.output<P>) => CompensationStep | null;
}

export type CompensationStep =
  | { action: 'access-revoke'; params: AccessRevokeParams }
  | { action: 'monitoring-deactivate'; params: MonitoringDeactivateParams }
  | { action: 'webhook'; params: WebhookParams };

function action<const A extends string, P extends z.ZodType, R extends z.ZodType>(
  spec: Omit<ActionSpec<P, R>, 'compensation'> & { activity: A },
): ActionSpec<P, R> & { activity: A; compensation?: undefined } {
  return spec;
}

/** An action whose completed steps the saga undoes; the type says the undo is always there. */
function undoable<const A extends string, P extends z.ZodType, R extends z.ZodType>(
  spec: ActionSpec<P, R> & { activity: A; compensation: NonNullable<ActionSpec<P, R>['compensation']> },
): typeof spec {
  return spec;
}

export const actionCatalog = {
  'http-check': action({ activity: 'httpCheck', summary: 'Check HTTP endpoints', params: httpCheckParams, result: httpCheckResult }),
  'tcp-check': action({ activity: 'tcpCheck', summary: 'Check TCP ports are reachable', params: tcpCheckParams, result: tcpCheckResult }),
  'access-apply': undoable({
    activity: 'accessApply',
    summary: 'Apply role bindings',
    params: accessApplyParams,
    result: accessApplyResult,
    compensation: (p) => ({
      action: 'access-revoke',
      params: { url: p.url, headers: p.headers, timeoutMs: p.timeoutMs, bindings: p.bindings },
    }),
  }),
  'access-verify': action({ activity: 'accessVerify', summary: 'Verify role bindings', params: accessVerifyParams, result: accessVerifyResult }),
  'access-revoke': action({ activity: 'accessRevoke', summary: 'Remove role bindings', params: accessRevokeParams, result: accessRevokeResult }),
  'load-test': action({ activity: 'loadTest', summary: 'Fixed-rate HTTP load test with latency thresholds', params: loadTestParams, result: loadTestResult, long: true }),
  'stress-test': action({ activity: 'stressTest', summary: 'Ramp load until a threshold breaks; check headroom', params: stressTestParams, result: stressTestResult, long: true }),
  'failover-test': action({ activity: 'failoverTest', summary: 'Trigger a fault while probing; check availability', params: failoverTestParams, result: failoverTestResult, long: true }),
  deploy: undoable({
    activity: 'deploy',
    summary: 'Deploy a version (idempotent)',
    params: deployParams,
    result: deployResult,
    long: true,
    compensation: (p) =>
      p.rollbackUrl === undefined
        ? null
        : { action: 'webhook', params: { url: p.rollbackUrl, method: 'POST', headers: p.headers, timeoutMs: p.timeoutMs, body: { reason: `undo deploy of ${p.version}` } } },
  }),
  webhook: action({ activity: 'webhook', summary: 'Call an HTTP endpoint (idempotent)', params: webhookParams, result: webhookResult }),
  command: action({ activity: 'command', summary: 'Run a configured command (no shell)', params: commandParams, result: commandResult, long: true }),
  'rollback-drill': action({ activity: 'rollbackDrill', summary: 'Roll back within the window, then restore the release', params: rollbackDrillParams, result: rollbackDrillResult, long: true }),
  'monitoring-activate': undoable({
    activity: 'monitoringActivate',
    summary: 'Install alert rules into Prometheus (rule file + reload), and a dashboard',
    params: monitoringActivateParams,
    result: monitoringActivateResult,
    compensation: (p) => ({
      action: 'monitoring-deactivate',
      params: { prometheusUrl: p.prometheusUrl, headers: p.headers, timeoutMs: p.timeoutMs, ruleFile: p.ruleFile, dashboard: p.dashboard !== undefined },
    }),
  }),
  'monitoring-verify': action({
    activity: 'monitoringVerify',
    summary: 'Rules loaded, target scraped, a test alert delivered through Alertmanager',
    params: monitoringVerifyParams,
    result: monitoringVerifyResult,
    long: true,
  }),
  'monitoring-deactivate': action({ activity: 'monitoringDeactivate', summary: "Remove the run's alert rules (and dashboard) from Prometheus", params: monitoringDeactivateParams, result: monitoringDeactivateResult }),
  'metrics-check': action({ activity: 'metricsCheck', summary: 'PromQL checks with bounds over a window (canary analysis)', params: metricsCheckParams, result: metricsCheckResult, long: true }),
  'target-snapshot': action({ activity: 'targetSnapshot', summary: 'Read fields of JSON endpoints (the hypercare watch of the target)', params: targetSnapshotParams, result: targetSnapshotResult }),
  notify: action({ activity: 'notify', summary: 'Message roles by Slack webhook and/or e-mail', params: notifyParams, result: notifyResult }),
} as const;

export type ActionName = keyof typeof actionCatalog;
export const actionNames = Object.keys(actionCatalog) as ActionName[];
export type ActivityName = (typeof actionCatalog)[ActionName]['activity'];

export type ActionParams<A extends ActionName> = z.input<(typeof actionCatalog)[A]['params']>;
export type ActionResult<A extends ActionName> = z.output<(typeof actionCatalog)[A]['result']>;

/** Each catalog entry as the activity function the worker must register under its name. */
export type CatalogActivities = {
  [A in ActionName as (typeof actionCatalog)[A]['activity']]: (params: ActionParams<A>) => Promise<ActionResult<A>>;
};

export function isActionName(name: string): name is ActionName {
  return Object.prototype.hasOwnProperty.call(actionCatalog, name);
}
