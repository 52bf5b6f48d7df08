import { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_MEMO_REASON_MAX } from '../../src/contract/searchAttributes';
import { clientInterceptors } from '../../src/telemetry/temporal';
import { goliveDataConverter } from '../../src/temporal/largePayloads';
import { apiAs, eventually, SMALL_RUNBOOK, useTestApp } from '../support/app';
import { NAMESPACE, testClient } from '../support/temporal';

/**
 * The runs page says why a run failed as the list's `failure` does — kind, step, who, reason —
 * from the list's own data (the run's memo), asking a run for its state only when the memo cut
 * the reason (the whole one then in a tooltip). Queries are counted on the app's Temporal client.
 */

let queries = 0;
let counting: Client | undefined;
beforeAll(async () => {
  const base = await testClient();
  counting = new Client({
    connection: base.connection,
    namespace: NAMESPACE,
    dataConverter: goliveDataConverter,
    interceptors: {
      workflow: [
        ...clientInterceptors(),
        {
          query: (input, next) => {
            queries++;
            return next(input);
          },
        },
      ],
    },
  });
});
afterAll(async () => {
  await counting?.connection.close();
});
const app = useTestApp({ beforeAll, afterAll }, () => ({ client: counting! }));
const as = (id: string) => apiAs(app(), id);

/** A run stopped by the guardian with `reason`, once the list shows its failure (visibility lags). */
async function stoppedRun(system: string, reason: string): Promise<string> {
  const start = await as('rm')('POST', '/api/runs', { runbook: SMALL_RUNBOOK, system, collaborationMode: 2 });
  expect(start.status, JSON.stringify(start.body)).toBe(201);
  const runId = start.body.runId as string;
  const stop = await eventually(async () => {
    const res = await as('guardian')('POST', `/api/runs/${runId}/stop`, { reason });
    return res.status === 200 ? res : undefined;
  }, 'the stop taken');
  expect(stop.body.failure).toMatchObject({ kind: 'stopped' });
  // The list, not the run's state: reading the state would leave it in the server's cache.
  await eventually(async () => {
    const runs = (await as('rm')('GET', `/api/runs?system=${system}`)).body.runs as {
      state?: string;
      failure?: unknown;
    }[];
    return runs[0]?.state === 'rolled-back' && runs[0].failure ? true : undefined;
  }, 'the rolled-back run listed with its failure');
  return runId;
}

async function runsRow(system: string, runId: string): Promise<string> {
  const page = await as('rm')<string>('GET', `/runs?system=${system}`, undefined, { accept: 'text/html' });
  expect(page.status).toBe(200);
  const row = page.body.split('<tr>').find((r) => r.includes(`/runs/${runId}"`));
  if (!row) throw new Error(`no row for ${runId}`);
  return row;
}

describe('the runs page says why a run failed', () => {
  it('who and why from the list, without asking the run', async () => {
    const system = `why-${Date.now().toString(36)}`;
    const runId = await stoppedRun(system, 'wrong build');
    queries = 0;
    const row = await runsRow(system, runId);
    expect(row).toContain('stopped by guardian: wrong build');
    expect(queries).toBe(0);
  });

  it('a reason the memo cut: its words from the list, the whole reason in a tooltip', async () => {
    const system = `why-long-${Date.now().toString(36)}`;
    const reason = `${'the error rate stayed above five percent '.repeat(8)}until we stopped`;
    expect(reason.length).toBeGreaterThan(FAILURE_MEMO_REASON_MAX);
    const runId = await stoppedRun(system, reason);
    queries = 0;
    const row = await runsRow(system, runId);
    expect(row).toContain(`title="stopped by guardian: ${reason}"`);
    expect(row).toContain(`>stopped by guardian: ${reason.slice(0, FAILURE_MEMO_REASON_MAX - 1)}…</span>`);
    expect(queries).toBe(1);
  });
});
