import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import type { RunStateView } from '../../src/contract/definitions';
import { apiAs, eventually, smallRunbookVariant, startTestApp, useExtraRunbooks, type TestApp } from '../support/app';
import { runningWorker, testClient } from '../support/temporal';

/**
 * One open go-live per production target, decided by Temporal (the per-target lock workflow),
 * not by a read of visibility: a second run on the same target is refused with 409 naming the
 * first, whatever its system name, also when two clients of two web servers start in the same
 * moment; once the first run ends, the target is free again.
 */

const RUNBOOK = 'web-target';
const runbookText = smallRunbookVariant(RUNBOOK, [
  [
    'parameters:\n',
    'target: ${params.targetUrl}\nparameters:\n  targetUrl:\n    type: url\n    description: Production of the system.\n',
  ],
]);

const deps = useExtraRunbooks({ beforeAll, afterAll }, { [`${RUNBOOK}.yaml`]: runbookText });
let client: Client;
let worker: { taskQueue: string; stop(): Promise<void> };
const apps: TestApp[] = [];

beforeAll(async () => {
  client = await testClient();
  worker = await runningWorker();
  // Two web servers on one Temporal: two clients that share nothing but Temporal.
  for (let i = 0; i < 2; i++) apps.push(await startTestApp({ client, taskQueue: worker.taskQueue, ...deps() }));
});
afterAll(async () => {
  for (const a of apps) await a.close();
  await worker.stop();
  await client.connection.close();
});

const start = (app: TestApp, system: string, targetUrl: string, person = 'rm') =>
  apiAs(app, person)('POST', '/api/runs', { runbook: RUNBOOK, system, collaborationMode: 2, params: { targetUrl } });

describe('one go-live per production target', () => {
  it('refuses a second run on the same target with 409 naming the first, whatever its system; frees the target when the first ends', async () => {
    const target = 'https://claims.example.org';
    const first = await start(apps[0]!, 'claims-assistant', target);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const firstId = first.body.runId as string;

    // Another system name, the same production (written differently): refused.
    const second = await start(apps[1]!, 'claims-assistant-v2', 'https://CLAIMS.example.org/', 'ie');
    expect(second.status, JSON.stringify(second.body)).toBe(409);
    expect(second.body.error.runId).toBe(firstId);
    expect(second.body.error.message).toContain(`${target} already has a go-live in flight: run ${firstId}`);
    expect(second.body.error.message).toContain('system claims-assistant');

    // Another target is free.
    const elsewhere = await start(apps[1]!, 'claims-assistant-eu', 'https://claims.example.eu', 'ie');
    expect(elsewhere.status, JSON.stringify(elsewhere.body)).toBe(201);

    // The first run ends (rolled back): the target is free for the next go-live.
    expect((await apiAs(apps[0]!, 'rm')('POST', `/api/runs/${firstId}/rollback`, { reason: 'make room' })).status).toBe(
      200,
    );
    await eventually(
      async () =>
        (await apiAs(apps[0]!, 'rm')<RunStateView>('GET', `/api/runs/${firstId}`)).body.status === 'rolled-back'
          ? true
          : undefined,
      'the first run rolled back',
    );
    const next = await eventually(async () => {
      const res = await start(apps[1]!, 'claims-assistant-v2', target, 'ie');
      if (res.status === 409) return undefined; // the lock ends a moment after its run
      return res;
    }, 'the target to be free');
    expect(next.status, JSON.stringify(next.body)).toBe(201);
  });

  it("a target's hold asked for as a run is no run: 404 at once, not a 503 after waiting for a worker that never comes", async () => {
    const started = await start(apps[0]!, 'hold-as-run', 'https://hold-as-run.example.org');
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const runId = started.body.runId as string;
    const memo = (await client.workflow.getHandle(runId).describe()).memo as { targetHold?: { workflowId: string } };
    const holdId = memo.targetHold!.workflowId;
    expect(holdId).toMatch(/^golive-target-[0-9a-f]{32}$/);
    const as = apiAs(apps[0]!, 'rm');
    for (const [method, path, body] of [
      ['GET', `/api/runs/${holdId}`, undefined],
      ['POST', `/api/runs/${holdId}/stop`, { reason: 'not a run' }],
      ['POST', `/api/runs/${holdId}/rollback`, { reason: 'not a run' }],
    ] as const) {
      const res = await as(method, path, body);
      expect([path, res.status]).toEqual([path, 404]);
      expect(res.body.error.message).toBe(`no run with id ${holdId}`);
    }
    expect((await as('POST', `/api/runs/${runId}/rollback`, { reason: 'done' })).status).toBe(200);
  });

  it('lets exactly one of two starts in the same moment through two web servers go, the other hearing its run id', async () => {
    for (let round = 0; round < 4; round++) {
      const target = `https://race-${round}.example.org`;
      const [a, b] = await Promise.all([
        start(apps[0]!, `race-a-${round}`, target, 'rm'),
        start(apps[1]!, `race-b-${round}`, target, 'ie'),
      ]);
      const statuses = [a.status, b.status].sort();
      expect(statuses, JSON.stringify([a.body, b.body])).toEqual([201, 409]);
      const [won, lost] = a.status === 201 ? [a, b] : [b, a];
      expect(lost.body.error.runId).toBe(won.body.runId);
      expect(lost.body.error.message).toContain(`run ${won.body.runId as string}`);
    }
  });
});
