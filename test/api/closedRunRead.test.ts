import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import type { RunStateView } from '../../src/contract/definitions';
import { apiAs, eventually, SMALL_RUNBOOK, startTestApp, type TestApp, untilStepOf } from '../support/app';
import { testClient, testWorker } from '../support/temporal';

/**
 * An ended run is read from its history, which a worker replays. A web server that has not kept
 * the run's end asks a worker; while none answers (all stopped, or too busy to replay in time),
 * the read is a 503 to retry, not "409 run has ended" (a GET under load got that), and once a
 * worker is back it answers the run as it ended.
 */

let client: Client;
const apps: TestApp[] = [];

beforeAll(async () => {
  client = await testClient();
});
afterAll(async () => {
  for (const app of apps) await app.close();
  await client?.connection.close();
});

async function appOn(taskQueue: string): Promise<TestApp> {
  const app = await startTestApp({ client, taskQueue });
  apps.push(app);
  return app;
}

describe('reading a run that has ended', () => {
  it('is a 503 while no worker can replay it, never a 409, and the run as it ended once one can', async () => {
    const first = await testWorker();
    const running = first.worker.run();
    const app = await appOn(first.taskQueue);
    const started = await apiAs(app, 'rm')<{ runId: string }>('POST', '/api/runs', {
      runbook: SMALL_RUNBOOK,
      system: 'closed-read',
      collaborationMode: 2,
    });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const { runId } = started.body;
    await untilStepOf(app, runId, 'validation-report', 'waiting');
    const rollback = await apiAs(app, 'rm')('POST', `/api/runs/${runId}/rollback`, { reason: 'read it later' });
    expect(rollback.status, JSON.stringify(rollback.body)).toBe(200);
    await eventually(async () => {
      const d = await client.workflow.getHandle(runId).describe();
      return d.status.name === 'COMPLETED' ? d : undefined;
    }, 'the run to complete');
    first.worker.shutdown();
    await running;

    // A web server that never saw the run end, and no worker on its queue.
    const fresh = await appOn(first.taskQueue);
    const unanswered = await apiAs(fresh, 'rm')('GET', `/api/runs/${runId}`);
    expect(unanswered.status, JSON.stringify(unanswered.body)).toBe(503);
    expect(unanswered.headers.get('retry-after')).toBe('2');
    expect(JSON.stringify(unanswered.body)).toContain('no worker answered');

    const second = await testWorker({ taskQueue: first.taskQueue });
    await second.run(async () => {
      const read = await apiAs(fresh, 'rm')<RunStateView>('GET', `/api/runs/${runId}`);
      expect(read.status, JSON.stringify(read.body)).toBe(200);
      expect(read.body.status).toBe('rolled-back');
    });
  });
});
