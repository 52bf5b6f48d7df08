import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import type { RunStateView } from '../../workflows/definitions';
import { apiAs, eventually, SMALL_RUNBOOK, startTestApp, type TestApp } from '../support/app';
import { testClient, testWorker, type TestWorker } from '../support/temporal';

let client: Client;
let worker: TestWorker;
let app: TestApp;
let workerDone: Promise<void>;

beforeAll(async () => {
  client = await testClient();
  worker = await testWorker();
  workerDone = worker.worker.run();
  app = await startTestApp({ client, taskQueue: worker.taskQueue });
});

afterAll(async () => {
  await app?.close();
  worker?.worker.shutdown();
  await workerDone;
  await client?.connection.close();
});

async function startSmallRun(system = 'web-api'): Promise<string> {
  const res = await apiAs(app, 'rm')('POST', '/api/runs', { runbook: SMALL_RUNBOOK, system, collaborationMode: 2 });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return (res.body as { runId: string }).runId;
}

async function stateOf(runId: string): Promise<RunStateView> {
  const res = await apiAs(app, 'rm')<RunStateView>('GET', `/api/runs/${runId}`);
  expect(res.status).toBe(200);
  return res.body;
}

async function untilStep(runId: string, stepId: string, status: string): Promise<RunStateView> {
  return eventually(async () => {
    const s = await stateOf(runId);
    return s.steps.find((x) => x.id === stepId)?.status === status ? s : undefined;
  }, `${stepId} to be ${status}`);
}

describe('runs', () => {
  it('starts a run, reads its state, takes evidence and a Guardian approval', async () => {
    const runId = await startSmallRun();
    expect(runId).toMatch(/^golive-web-api-[a-f0-9]{8}$/);
    await untilStep(runId, 'validation-report', 'waiting');

    const ev = await apiAs(app, 'ie')('POST', `/api/runs/${runId}/steps/validation-report/evidence`, { itemId: 'accuracy', value: 97.5 });
    expect(ev.status, JSON.stringify(ev.body)).toBe(200);
    await untilStep(runId, 'guardian-sign-off', 'waiting');

    const ok = await apiAs(app, 'guardian')('POST', `/api/runs/${runId}/steps/guardian-sign-off/decisions`, { decision: 'approve', comment: 'looks right' });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const s = await untilStep(runId, 'hypercare', 'running');
    expect(s.decisions.map((d) => [d.stepId, d.actor.id, d.decision])).toEqual([['guardian-sign-off', 'guardian', 'approve']]);
  });
});
