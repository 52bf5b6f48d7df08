import type { z } from 'zod';
import { actionIndex, isActionName, type ActionName, type CompensationStep } from '../actionIndex';
import { accessApplyParams, accessApplyResult } from './actions/accessApply';
import { accessRevokeParams, accessRevokeResult } from './actions/accessRevoke';
import { accessVerifyParams, accessVerifyResult } from './actions/accessVerify';
import { commandParams, commandResult } from './actions/command';
import { deployParams, deployResult } from './actions/deploy';
import { failoverTestParams, failoverTestResult } from './actions/failoverTest';
import { httpCheckParams, httpCheckResult } from './actions/httpCheck';
import { loadTestParams, loadTestResult } from './actions/loadTest';
import { metricsCheckParams, metricsCheckResult } from './actions/metricsCheck';
import { monitoringActivateParams, monitoringActivateResult } from './actions/monitoringActivate';
import { monitoringDeactivateParams, monitoringDeactivateResult } from './actions/monitoringDeactivate';
import { monitoringVerifyParams, monitoringVerifyResult } from './actions/monitoringVerify';
import { notifyParams, notifyResult } from './actions/notify';
import { rollbackDrillParams, rollbackDrillResult } from './actions/rollbackDrill';
import { stressTestParams, stressTestResult } from './actions/stressTest';
import { targetSnapshotParams, targetSnapshotResult } from './actions/targetSnapshot';
import { tcpCheckParams, tcpCheckResult } from './actions/tcpCheck';
import { webhookParams, webhookResult } from './actions/webhook';

/**
 * The typed action registry: runbook `action:` name → activity, schemas, and how a completed
 * step is undone. The schemas are for the runbook validator and the activities; the workflow
 * bundle imports only actionIndex.ts (names, summaries, undo), which this extends.
 */
interface ActionSpec<P extends z.ZodType, R extends z.ZodType> {
  activity: string;
  summary: string;
  params: P;
  result: R;
  long?: boolean;
  compensation?: (params: z.output<P>) => CompensationStep | null;
}

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

const i = actionIndex;

export const actionCatalog = {
  'http-check': action({ ...i['http-check'], params: httpCheckParams, result: httpCheckResult }),
  'tcp-check': action({ ...i['tcp-check'], params: tcpCheckParams, result: tcpCheckResult }),
  'access-apply': undoable({ ...i['access-apply'], params: accessApplyParams, result: accessApplyResult }),
  'access-verify': action({ ...i['access-verify'], params: accessVerifyParams, result: accessVerifyResult }),
  'access-revoke': action({ ...i['access-revoke'], params: accessRevokeParams, result: accessRevokeResult }),
  'load-test': action({ ...i['load-test'], params: loadTestParams, result: loadTestResult }),
  'stress-test': action({ ...i['stress-test'], params: stressTestParams, result: stressTestResult }),
  'failover-test': action({ ...i['failover-test'], params: failoverTestParams, result: failoverTestResult }),
  deploy: undoable({ ...i.deploy, params: deployParams, result: deployResult }),
  webhook: action({ ...i.webhook, params: webhookParams, result: webhookResult }),
  command: action({ ...i.command, params: commandParams, result: commandResult }),
  'rollback-drill': action({ ...i['rollback-drill'], params: rollbackDrillParams, result: rollbackDrillResult }),
  'monitoring-activate': undoable({
    ...i['monitoring-activate'],
    params: monitoringActivateParams,
    result: monitoringActivateResult,
  }),
  'monitoring-verify': action({
    ...i['monitoring-verify'],
    params: monitoringVerifyParams,
    result: monitoringVerifyResult,
  }),
  'monitoring-deactivate': action({
    ...i['monitoring-deactivate'],
    params: monitoringDeactivateParams,
    result: monitoringDeactivateResult,
  }),
  'metrics-check': action({ ...i['metrics-check'], params: metricsCheckParams, result: metricsCheckResult }),
  'target-snapshot': action({ ...i['target-snapshot'], params: targetSnapshotParams, result: targetSnapshotResult }),
  notify: action({ ...i.notify, params: notifyParams, result: notifyResult }),
} as const satisfies Record<ActionName, unknown>;

export const actionNames = Object.keys(actionCatalog) as ActionName[];
export type ActivityName = (typeof actionCatalog)[ActionName]['activity'];

type ActionParams<A extends ActionName> = z.input<(typeof actionCatalog)[A]['params']>;
type ActionResult<A extends ActionName> = z.output<(typeof actionCatalog)[A]['result']>;

/** Each catalog entry as the activity function the worker must register under its name. */
export type CatalogActivities = {
  [A in ActionName as (typeof actionCatalog)[A]['activity']]: (params: ActionParams<A>) => Promise<ActionResult<A>>;
};

export { isActionName, type ActionName };
