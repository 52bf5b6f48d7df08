import type { z } from 'zod';
import type { accessApplyParams } from './schemas/actions/accessApply';
import type { AccessRevokeParams } from './schemas/actions/accessRevoke';
import type { deployParams } from './schemas/actions/deploy';
import type { monitoringActivateParams } from './schemas/actions/monitoringActivate';
import type { MonitoringDeactivateParams } from './schemas/actions/monitoringDeactivate';
import type { WebhookParams } from './schemas/actions/webhook';

/**
 * The action catalog as the workflow needs it: runbook `action:` name → activity, summary,
 * whether it runs for minutes, and how a completed step is undone. No schemas (catalog.ts adds
 * them for the validator and the activities): the workflow bundle imports this, and whatever a
 * bundle module builds at load time is paid once per cached run. `compensation` maps the step's
 * parsed params to the undo step's params; it must stay pure and deterministic.
 */

type Parsed<S extends z.ZodType> = z.output<S>;

export type CompensationStep =
  | { action: 'access-revoke'; params: AccessRevokeParams }
  | { action: 'monitoring-deactivate'; params: MonitoringDeactivateParams }
  | { action: 'webhook'; params: WebhookParams };

interface Entry<A extends string> {
  activity: A;
  summary: string;
  /** Actions that run for minutes; the workflow gives them a heartbeat timeout. */
  long?: boolean;
}

const entry = <const A extends string>(activity: A, summary: string, long?: true): Entry<A> => ({
  activity,
  summary,
  ...(long ? { long } : {}),
});

export const actionIndex = {
  'http-check': entry('httpCheck', 'Check HTTP endpoints'),
  'tcp-check': entry('tcpCheck', 'Check TCP ports are reachable'),
  'access-apply': {
    ...entry('accessApply', 'Apply role bindings'),
    compensation: (p: Parsed<typeof accessApplyParams>): CompensationStep => ({
      action: 'access-revoke',
      // Field by field: the schema's parse drops keys a binding does not know, and the undo must not carry them.
      params: {
        url: p.url,
        headers: p.headers,
        timeoutMs: p.timeoutMs,
        bindings: p.bindings.map(({ subject, role, resource }) => ({
          subject,
          role,
          ...(resource !== undefined ? { resource } : {}),
        })),
      },
    }),
  },
  'access-verify': entry('accessVerify', 'Verify role bindings'),
  'access-revoke': entry('accessRevoke', 'Remove role bindings'),
  'load-test': entry('loadTest', 'Fixed-rate HTTP load test with latency thresholds', true),
  'stress-test': entry('stressTest', 'Ramp load until a threshold breaks; check headroom', true),
  'failover-test': entry('failoverTest', 'Trigger a fault while probing; check availability', true),
  deploy: {
    ...entry('deploy', 'Deploy a version (idempotent)', true),
    compensation: (p: Parsed<typeof deployParams>): CompensationStep | null =>
      p.rollbackUrl === undefined
        ? null
        : {
            action: 'webhook',
            params: {
              url: p.rollbackUrl,
              method: 'POST',
              headers: p.headers,
              timeoutMs: p.timeoutMs,
              body: { reason: `undo deploy of ${p.version}` },
            },
          },
  },
  webhook: entry('webhook', 'Call an HTTP endpoint (idempotent)'),
  command: entry('command', 'Run a configured command (no shell)', true),
  'rollback-drill': entry('rollbackDrill', 'Roll back within the window, then restore the release', true),
  'monitoring-activate': {
    ...entry('monitoringActivate', 'Install alert rules into Prometheus (rule file + reload), and a dashboard'),
    compensation: (p: Parsed<typeof monitoringActivateParams>): CompensationStep => ({
      action: 'monitoring-deactivate',
      params: {
        prometheusUrl: p.prometheusUrl,
        headers: p.headers,
        timeoutMs: p.timeoutMs,
        ruleFile: p.ruleFile,
        dashboard: p.dashboard !== undefined,
      },
    }),
  },
  'monitoring-verify': entry(
    'monitoringVerify',
    'Rules loaded, target scraped, a test alert delivered through Alertmanager',
    true,
  ),
  'monitoring-deactivate': entry(
    'monitoringDeactivate',
    "Remove the run's alert rules (and dashboard) from Prometheus",
  ),
  'metrics-check': entry('metricsCheck', 'PromQL checks with bounds over a window (canary analysis)', true),
  'target-snapshot': entry('targetSnapshot', 'Read fields of JSON endpoints (the hypercare watch of the target)'),
  notify: entry('notify', 'Message roles by Slack webhook and/or e-mail'),
} as const;

export type ActionName = keyof typeof actionIndex;

export function isActionName(name: string): name is ActionName {
  return Object.prototype.hasOwnProperty.call(actionIndex, name);
}

/**
 * What zod's parse adds to the params of an action that has an undo, before `compensation`
 * reads them: the transport defaults every such action shares (schemas/common.ts `headers`,
 * `timeoutMs`). Runbook params are validated at load and start, so nothing else needs parsing;
 * test/unit/compensation.test.ts holds this equal to the schemas' own parse.
 */
export function withTransportDefaults<P extends Record<string, unknown>>(
  params: P,
): P & { headers: Record<string, string>; timeoutMs: number } {
  return {
    ...params,
    headers: (params.headers as Record<string, string> | undefined) ?? {},
    timeoutMs: (params.timeoutMs as number | undefined) ?? 5_000,
  };
}
