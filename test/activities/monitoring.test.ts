import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionCatalog } from '../../src/contract/schemas/catalog';
import { metricsCheck } from '../../activities/metricsCheck';
import { monitoringActivate } from '../../activities/monitoringActivate';
import { monitoringDeactivate } from '../../activities/monitoringDeactivate';
import { monitoringVerify } from '../../activities/monitoringVerify';
import { monitoringActivateParams } from '../../src/contract/schemas/actions/monitoringActivate';
import type { RunningSandbox } from '../../src/sandbox/server';
import { freePort } from '../../src/temporal/portCheck';
import { eventually } from '../support/eventually';
import { startMonitoringStack, type MonitoringStack } from '../support/prometheus';
import { activityEnv, exec, expectFailure, makeDeps, post, sandbox } from './harness';

/**
 * The monitoring actions against a real Prometheus and Alertmanager (Debian's packages) that
 * scrape a real sandbox, and the same actions against the sandbox's stand-in.
 */

const rules = [
  {
    name: 'AiErrorRate',
    expr: 'sum(rate(sandbox_http_requests_total{code=~"5.."}[1m])) > 1',
    for: '1m',
    severity: 'critical',
    summary: 'errors',
  },
  { name: 'AiFaultSwitchOn', expr: 'sandbox_fault_error_rate > 0', severity: 'warning' },
];
const errorRate =
  'sum(rate(sandbox_http_requests_total{route="/predict",code=~"5.."}[30s])) / sum(rate(sandbox_http_requests_total{route="/predict"}[30s]))';

async function traffic(url: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await post(`${url}/predict`, { text: 'is this stable' }).then((r) => r.arrayBuffer());
}

describe('with a real Prometheus and Alertmanager', () => {
  let sb: RunningSandbox;
  let stack: MonitoringStack;
  beforeAll(async () => {
    sb = await sandbox();
    stack = await startMonitoringStack([{ job: 'sandbox', target: new URL(sb.url).host }]);
  });
  afterAll(async () => {
    await stack?.stop();
    await sb?.close();
  });

  it(
    'installs the rules, verifies them and the scrape, delivers a test alert, and the compensation removes exactly its file',
    { timeout: 120_000 },
    async () => {
      const deps = makeDeps({ monitoring: { rulesDir: stack.rulesDir } });
      const workflowId = 'wf-monitoring-real';
      const someoneElses = path.join(stack.rulesDir, 'other-team.yml');
      fs.writeFileSync(someoneElses, 'groups: []\n');

      const activate = monitoringActivateParams.parse({
        prometheusUrl: stack.prometheusUrl,
        ruleFile: 'claims-assistant',
        rules,
      });
      const activated = await exec(monitoringActivate(deps), activate, activityEnv({ workflowId }));
      expect(activated).toMatchObject({
        ruleFile: 'claims-assistant.yml',
        rules: ['AiErrorRate', 'AiFaultSwitchOn'],
        reloadStatus: 200,
      });
      expect(fs.readFileSync(path.join(stack.rulesDir, 'claims-assistant.yml'), 'utf8')).toContain(
        `# golive run: ${workflowId}`,
      );

      const verified = await exec(
        monitoringVerify(deps),
        {
          prometheusUrl: stack.prometheusUrl,
          alertmanagerUrl: stack.alertmanagerUrl,
          receiverUrl: stack.receiverUrl,
          expectRules: ['AiErrorRate', 'AiFaultSwitchOn'],
          target: { job: 'sandbox' },
          deliveryTimeoutSeconds: 60,
        },
        activityEnv({ workflowId }),
      );
      expect(verified).toMatchObject({
        delivered: true,
        rulesFound: ['AiErrorRate', 'AiFaultSwitchOn'],
        target: { job: 'sandbox', health: 'up' },
        receiver: 'golive',
        alertname: 'GoliveTestAlert',
      });
      expect(verified.deliveryMs).toBeGreaterThanOrEqual(0);

      // Another run may not take over or remove this run's file.
      await expectFailure(
        exec(monitoringActivate(deps), activate, activityEnv({ workflowId: 'wf-intruder' })),
        'MonitoringConflict',
        true,
      );
      await expectFailure(
        exec(
          monitoringDeactivate(deps),
          { prometheusUrl: stack.prometheusUrl, ruleFile: 'claims-assistant' },
          activityEnv({ workflowId: 'wf-intruder' }),
        ),
        'MonitoringConflict',
        true,
      );

      const undo = actionCatalog['monitoring-activate'].compensation(activate);
      expect(undo?.action).toBe('monitoring-deactivate');
      expect(await exec(monitoringDeactivate(deps), undo?.params, activityEnv({ workflowId }))).toMatchObject({
        removed: ['claims-assistant.yml'],
        reloadStatus: 200,
      });
      expect(fs.existsSync(someoneElses)).toBe(true);
      const loaded = (await (await fetch(`${stack.prometheusUrl}/api/v1/rules`)).json()) as {
        data: { groups: { rules: { name: string }[] }[] };
      };
      expect(loaded.data.groups.flatMap((g) => g.rules.map((r) => r.name))).toEqual([]);
      await expectFailure(
        exec(monitoringVerify(deps), {
          prometheusUrl: stack.prometheusUrl,
          alertmanagerUrl: stack.alertmanagerUrl,
          receiverUrl: stack.receiverUrl,
          expectRules: ['AiErrorRate'],
          deliveryTimeoutSeconds: 1,
        }),
        'MonitoringNotReady',
        true,
      );
    },
  );

  it('takes a rule file Prometheus refuses out again and fails for good', async () => {
    const deps = makeDeps({ monitoring: { rulesDir: stack.rulesDir } });
    const failure = await expectFailure(
      exec(monitoringActivate(deps), {
        prometheusUrl: stack.prometheusUrl,
        ruleFile: 'broken',
        rules: [{ name: 'Broken', expr: 'sum(rate(' }],
      }),
      'UnexpectedStatus',
      true,
    );
    expect(failure.message).toMatch(/Prometheus refused the rules/);
    expect(fs.existsSync(path.join(stack.rulesDir, 'broken.yml'))).toBe(false);
  });

  it(
    'metrics-check passes on healthy traffic and fails when the fault switch raises the error rate',
    { timeout: 120_000 },
    async () => {
      const deps = makeDeps();
      // No 5xx series at all on healthy traffic: the error-rate query is empty, which passes here.
      const check = {
        prometheusUrl: stack.prometheusUrl,
        checks: [
          { name: 'error-rate', query: errorRate, max: 0.05, onEmpty: 'pass' },
          { name: 'scraped', query: 'up{job="sandbox"}', min: 1 },
        ],
      };
      await eventually(
        async () => {
          await traffic(sb.url, 20);
          const r = await exec(metricsCheck(deps), { ...check, failOnBreach: false });
          return r.passed ? r : undefined;
        },
        'a passing metrics check on healthy traffic',
        60_000,
        1_000,
      );

      await post(`${sb.url}/faults`, { errorRate: 0.5 });
      try {
        const failure = await eventually(
          async () => {
            await traffic(sb.url, 20);
            return exec(metricsCheck(deps), check).then(
              () => undefined,
              (e: unknown) => e,
            );
          },
          'the error-rate check to fail',
          60_000,
          1_000,
        );
        expect(failure).toMatchObject({ type: 'ThresholdMissed', nonRetryable: true });
        expect((failure as Error).message).toMatch(/error-rate: 1 failed measurement/);
        expect(await stack.query('sandbox_fault_error_rate')).toMatchObject([{ value: [expect.any(Number), '0.5'] }]);
      } finally {
        await fetch(`${sb.url}/faults`, { method: 'DELETE' });
      }
    },
  );

  it("refuses a query Prometheus cannot parse as the runbook's error", async () => {
    await expectFailure(
      exec(metricsCheck(makeDeps()), {
        prometheusUrl: stack.prometheusUrl,
        checks: [{ name: 'bad', query: 'sum(', max: 1 }],
      }),
      'UnexpectedStatus',
      true,
    );
  });
});

describe("with the sandbox's stand-in (no Prometheus installed)", () => {
  let sb: RunningSandbox;
  let rulesDir: string;
  let receiverUrl: string;
  beforeAll(async () => {
    rulesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'golive-rules-'));
    receiverUrl = `http://127.0.0.1:${await freePort()}/alerts`;
    sb = await sandbox({ port: 0, monitoring: { rulesDir, alertWebhookUrl: receiverUrl, scrapeIntervalMs: 200 } });
  });
  afterAll(async () => {
    await sb?.close();
    fs.rmSync(rulesDir, { recursive: true, force: true });
  });

  it(
    'speaks the same protocol: rules installed and listed, target up, test alert delivered, rules removed',
    { timeout: 60_000 },
    async () => {
      const deps = makeDeps({ monitoring: { rulesDir } });
      const env = { workflowId: 'wf-stand-in' };
      const prometheusUrl = `${sb.url}/prometheus`;
      const activate = monitoringActivateParams.parse({ prometheusUrl, ruleFile: 'ai', rules });
      await exec(monitoringActivate(deps), activate, activityEnv(env));
      const verified = await exec(
        monitoringVerify(deps),
        {
          prometheusUrl,
          alertmanagerUrl: `${sb.url}/alertmanager`,
          receiverUrl,
          expectRules: ['AiErrorRate'],
          target: { job: 'sandbox' },
          deliveryTimeoutSeconds: 20,
        },
        activityEnv(env),
      );
      expect(verified).toMatchObject({ delivered: true, receiver: 'golive', target: { health: 'up' } });
      await exec(
        monitoringDeactivate(deps),
        actionCatalog['monitoring-activate'].compensation(activate)?.params,
        activityEnv(env),
      );
      const listed = (await (await fetch(`${prometheusUrl}/api/v1/rules`)).json()) as { data: { groups: unknown[] } };
      expect(listed.data.groups).toEqual([]);
    },
  );

  it("installs the runbook's Grafana dashboard tagged with its run, and the compensation removes only that", async () => {
    const dashboardsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'golive-dashboards-'));
    try {
      const deps = makeDeps({
        monitoring: { rulesDir, dashboardsDir, runbooksDir: path.resolve(__dirname, '../../runbooks') },
      });
      const activate = monitoringActivateParams.parse({
        prometheusUrl: `${sb.url}/prometheus`,
        ruleFile: 'with-dashboard',
        rules,
        dashboard: { source: 'dashboards/ai-system.json' },
      });
      const done = await exec(monitoringActivate(deps), activate, activityEnv({ workflowId: 'wf-dash' }));
      expect(done.dashboard).toEqual({ installed: true, file: 'golive-with-dashboard.json' });
      const installed = JSON.parse(fs.readFileSync(path.join(dashboardsDir, 'golive-with-dashboard.json'), 'utf8')) as {
        uid: string;
        tags: string[];
      };
      expect(installed).toMatchObject({ uid: 'golive-ai-system', tags: ['golive', 'golive', 'golive-run:wf-dash'] });
      // Without a dashboards folder the step still works and says the dashboard was not installed.
      const noFolder = await exec(
        monitoringActivate(makeDeps({ monitoring: { rulesDir } })),
        { ...activate, ruleFile: 'no-folder' },
        activityEnv({ workflowId: 'wf-dash' }),
      );
      expect(noFolder.dashboard).toMatchObject({
        installed: false,
        reason: expect.stringMatching(/GOLIVE_GRAFANA_DASHBOARDS_DIR/),
      });
      await expectFailure(
        exec(monitoringActivate(deps), { ...activate, ruleFile: 'escape', dashboard: { source: '../package.json' } }),
        'InvalidParams',
        true,
      );

      const undo = actionCatalog['monitoring-activate'].compensation(activate);
      expect(
        await exec(monitoringDeactivate(deps), undo?.params, activityEnv({ workflowId: 'wf-dash' })),
      ).toMatchObject({ removed: ['with-dashboard.yml', 'golive-with-dashboard.json'] });
      expect(fs.readdirSync(dashboardsDir)).toEqual([]);
      await exec(
        monitoringDeactivate(deps),
        { prometheusUrl: `${sb.url}/prometheus`, ruleFile: 'no-folder' },
        activityEnv({ workflowId: 'wf-dash' }),
      );
    } finally {
      fs.rmSync(dashboardsDir, { recursive: true, force: true });
    }
  });

  it('metrics-check measures every interval over the window and allows failureLimit failed measurements', async () => {
    const prometheusUrl = `${sb.url}/prometheus`;
    const within = await exec(metricsCheck(makeDeps()), {
      prometheusUrl,
      windowSeconds: 1,
      intervalSeconds: 0.5,
      checks: [{ name: 'scraped', query: 'up{job="sandbox"}', min: 1 }],
    });
    expect(within.checks[0]!.measurements).toHaveLength(3);
    expect(within.passed).toBe(true);
    const nothing = {
      prometheusUrl,
      windowSeconds: 0.5,
      intervalSeconds: 0.5,
      checks: [{ name: 'absent', query: 'no_such_metric', max: 1 }],
    };
    expect(await exec(metricsCheck(makeDeps()), { ...nothing, failureLimit: 2 })).toMatchObject({
      passed: true,
      checks: [{ failures: 2 }],
    });
    const failed = await expectFailure(
      exec(metricsCheck(makeDeps()), { ...nothing, failureLimit: 1 }),
      'ThresholdMissed',
      true,
    );
    expect(failed.message).toMatch(/absent: 2 failed measurement\(s\) \(allowed 1\); last no data/);
  });

  it(
    "answers the default runbook's queries in its PromQL subset and sees the fault switch",
    { timeout: 60_000 },
    async () => {
      const prometheusUrl = `${sb.url}/prometheus`;
      const p95 =
        'histogram_quantile(0.95, sum by (le) (rate(sandbox_http_request_duration_seconds_bucket{route="/predict"}[30s])))';
      await post(`${sb.url}/faults`, { errorRate: 0.5 });
      try {
        const result = await eventually(
          async () => {
            await traffic(sb.url, 20);
            const r = await exec(metricsCheck(makeDeps()), {
              prometheusUrl,
              failOnBreach: false,
              checks: [
                { name: 'error-rate', query: errorRate, max: 0.05, onEmpty: 'pass' },
                { name: 'p95', query: p95, max: 5 },
              ],
            });
            // The 5xx series starts with the first injected error; wait until its rate is visible.
            return r.checks[0]!.passed ? undefined : r;
          },
          'the stand-in to see the injected errors',
          30_000,
          300,
        );
        expect(result.checks[0]!.measurements[0]!.values[0]).toBeGreaterThan(0.05);
        expect(result.checks[1]).toMatchObject({ passed: true });
      } finally {
        await fetch(`${sb.url}/faults`, { method: 'DELETE' });
      }
      const unsupported = await fetch(
        `${prometheusUrl}/api/v1/query?query=${encodeURIComponent('predict_linear(x[1m], 60)')}`,
      );
      expect(unsupported.status).toBe(400);
      expect(((await unsupported.json()) as { error: string }).error).toMatch(/not in the stand-in's subset/);
    },
  );
});
