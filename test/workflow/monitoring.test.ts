import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import {
  getRunStateQuery,
  rejectStepUpdate,
  resolveReportUpdate,
  stopLineUpdate,
  type RunStateView,
} from '../../src/contract/definitions';
import type { AnalysisStatus } from '../../workflows/analysis';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server';
import { autopilot } from '../support/autopilot';
import { defaultRunbookInput } from '../support/defaultRunbook';
import { startMonitoringStack, type MonitoringStack } from '../support/prometheus';
import { actor, inputFor, people, startRun, stepStatus, waitForState } from '../support/runs';
import { startTestSandbox } from '../support/sandbox';
import { testClient, testWorker, uniqueId } from '../support/temporal';

/**
 * Monitoring as the go-live uses it, on a real Prometheus and Alertmanager (Debian's packages)
 * scraping a real sandbox: the default runbook's monitoring steps and their rollback, and
 * hypercare analyses that catch the fault switch and raise (or stop on) a Red Button report.
 */

const ERROR_RATE =
  'sum(rate(sandbox_http_requests_total{route="/predict",code=~"5.."}[10s])) / sum(rate(sandbox_http_requests_total{route="/predict"}[10s]))';

/** Steady predict traffic, so rates have something to measure; stops when told. */
function traffic(url: string): { stop(): Promise<void> } {
  let running = true;
  const loop = (async () => {
    while (running) {
      await fetch(`${url}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"text":"steady traffic"}',
      })
        .then((r) => r.arrayBuffer())
        .catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

function analysisRunbook(
  sandboxUrl: string,
  prometheusUrl: string,
  onBreach: 'report' | 'stop',
): Parameters<typeof inputFor>[0] {
  const deploy = (version: string) => ({
    action: 'deploy',
    params: { url: `${sandboxUrl}/deploy`, version },
    timeout: '30s',
  });
  return {
    steps: [
      {
        id: 'go-live',
        kind: 'action',
        title: 'Switch production to 1.1.0',
        ...deploy('1.1.0'),
        compensate: deploy('1.0.0'),
      },
      {
        id: 'hypercare',
        kind: 'hypercare',
        title: 'Hypercare',
        duration: '1h',
        responseDeadline: '1h',
        notifyOnReport: ['operations'],
        stopAuthority: ['guardian', 'operations'],
        analyses: [
          {
            id: 'error-rate',
            prometheusUrl,
            query: ERROR_RATE,
            max: 0.1,
            onEmpty: 'pass',
            interval: '2s',
            failureLimit: 2,
            onBreach,
            severity: 'critical',
          },
        ],
      },
    ],
  };
}

const analysis = (s: RunStateView) =>
  ((s.steps.find((x) => x.id === 'hypercare')?.result as { analyses?: AnalysisStatus[] } | undefined)?.analyses ??
    [])[0];

describe('monitoring on a real Prometheus and Alertmanager', () => {
  let client: Client;
  let sandbox: RunningSandbox;
  let stack: MonitoringStack;
  beforeAll(async () => {
    client = await testClient();
    sandbox = await startSandbox({ port: 0 });
    stack = await startMonitoringStack([{ job: 'sandbox', target: new URL(sandbox.url).host }]);
  });
  afterAll(async () => {
    await stack?.stop();
    await sandbox?.close();
    await client?.connection.close();
  });

  it(
    'the default runbook installs its rules, verifies them and a test alert, and its rollback removes them',
    { timeout: 240_000 },
    async () => {
      const test = await startTestSandbox();
      try {
        const input = await defaultRunbookInput(test, '2s', {
          prometheusUrl: stack.prometheusUrl,
          alertmanagerUrl: stack.alertmanagerUrl,
          alertReceiverUrl: stack.receiverUrl,
          scrapeJob: 'sandbox',
        });
        const { taskQueue, run } = await testWorker({ activityDeps: { monitoring: { rulesDir: stack.rulesDir } } });
        const result = await run(async () => {
          const handle = await startRun(client, taskQueue, input);
          const atGate = await autopilot(handle, input, (s) => stepStatus(s, 'gate-4') === 'waiting', {
            skip: ['gate-4'],
            timeoutMs: 200_000,
          });
          const loaded = (await (await fetch(`${stack.prometheusUrl}/api/v1/rules`)).json()) as {
            data: { groups: { rules: { name: string }[] }[] };
          };
          expect(loaded.data.groups.flatMap((g) => g.rules.map((r) => r.name))).toEqual([
            'AiErrorRateHigh',
            'AiLatencyP95High',
            'AiSystemDown',
          ]);
          expect(atGate.steps.find((s) => s.id === 'monitoring-verify')?.result).toMatchObject({
            delivered: true,
            receiver: 'golive',
            rulesFound: ['AiErrorRateHigh', 'AiLatencyP95High', 'AiSystemDown'],
            target: { job: 'sandbox', health: 'up' },
          });
          expect(atGate.steps.find((s) => s.id === 'canary-analysis')?.result).toMatchObject({ passed: true });
          await handle.executeUpdate(rejectStepUpdate, {
            args: [{ actor: { id: people.sponsor }, stepId: 'gate-4', comment: 'not yet' }],
          });
          return handle.result();
        });
        expect(result.status).toBe('rolled-back');
        expect(result.compensations.find((c) => c.stepId === 'monitoring-activate')).toMatchObject({
          status: 'completed',
          result: { removed: [`${input.params.ruleFile}.yml`] },
        });
        const after = (await (await fetch(`${stack.prometheusUrl}/api/v1/rules`)).json()) as {
          data: { groups: unknown[] };
        };
        expect(after.data.groups).toEqual([]);
      } finally {
        await test.close();
      }
    },
  );

  it(
    'a hypercare analysis catches the fault switch: golive raises a Red Button report and stops the line',
    { timeout: 180_000 },
    async () => {
      const load = traffic(sandbox.url);
      const { taskQueue, run } = await testWorker();
      try {
        const final = await run(async () => {
          const handle = await startRun(
            client,
            taskQueue,
            inputFor(analysisRunbook(sandbox.url, stack.prometheusUrl, 'stop')),
          );
          // Healthy first: measurements pass while the fault switch is off.
          await waitForState(
            handle,
            (s) => (analysis(s)?.measurements ?? 0) >= 2 && analysis(s)?.consecutiveFailures === 0,
            60_000,
          );
          await fetch(`${sandbox.url}/faults`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{"errorRate":0.5}',
          });
          return waitForState(handle, (s) => s.status === 'rolled-back', 90_000);
        });
        const report = final.reports.find((r) => r.reporter === 'golive');
        expect(report).toMatchObject({ severity: 'critical', status: 'closed' });
        expect(report?.description).toMatch(
          /Automated analysis "error-rate" breached: 2 failed measurement\(s\) in a row/,
        );
        expect(final.failure).toMatchObject({ kind: 'stopped', by: { id: 'golive' }, stepId: 'hypercare' });
        expect(final.compensations).toMatchObject([{ stepId: 'go-live', status: 'completed' }]);
        await fetch(`${sandbox.url}/faults`, { method: 'DELETE' });
        expect(((await (await fetch(`${sandbox.url}/version`)).json()) as { version: string }).version).toBe('1.0.0');
      } finally {
        await fetch(`${sandbox.url}/faults`, { method: 'DELETE' });
        await load.stop();
      }
    },
  );
});

describe("a hypercare analysis on the sandbox's stand-in", () => {
  it(
    'with onBreach: report, raises a report people answer like any other and keeps the line running',
    { timeout: 120_000 },
    async () => {
      const client = await testClient();
      const sb = await startTestSandbox();
      const load = traffic(sb.url);
      const { taskQueue, run } = await testWorker();
      try {
        await run(async () => {
          const handle = await startRun(
            client,
            taskQueue,
            inputFor(analysisRunbook(sb.url, sb.params.prometheusUrl, 'report')),
          );
          await waitForState(
            handle,
            (s) => (analysis(s)?.measurements ?? 0) >= 1 && analysis(s)?.consecutiveFailures === 0,
            60_000,
          );
          await fetch(`${sb.url}/faults`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{"errorRate":0.5}',
          });
          const reported = await waitForState(handle, (s) => s.reports.some((r) => r.reporter === 'golive'), 60_000);
          const report = reported.reports.find((r) => r.reporter === 'golive')!;
          expect(reported.status).toBe('hypercare');
          expect(report).toMatchObject({ severity: 'critical', status: 'open' });
          // One report per breach, not one per failed measurement.
          await waitForState(handle, (s) => (analysis(s)?.consecutiveFailures ?? 0) >= 4, 60_000);
          const later = await handle.query(getRunStateQuery);
          expect(later.reports.filter((r) => r.reporter === 'golive')).toHaveLength(1);
          await handle.executeUpdate(resolveReportUpdate, {
            args: [{ actor: actor(people.ops), reportId: report.id, resolution: 'fault switch found and cleared' }],
          });
          await handle.executeUpdate(stopLineUpdate, {
            args: [{ actor: actor(people.ops), reason: `test over (${uniqueId('end')})` }],
          });
          const final = await handle.result();
          expect(final.reports.find((r) => r.id === report.id)).toMatchObject({
            status: 'resolved',
            resolution: { by: { id: people.ops } },
          });
        });
      } finally {
        await load.stop();
        await sb.close();
        await client.connection.close();
      }
    },
  );
});
