import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Client } from '@temporalio/client';
import { GO_LIVE_WORKFLOW, type RunStateView } from '../../src/contract/definitions';
import { verifyDossierZip } from '../../src/audit/verify';
import { runPageSchema, runStateSchema } from '../../src/server/responses';
import { runSearchAttributes, startMemo } from '../../src/server/runStart';
import type { RunSummary } from '../../src/server/temporalRuns';
import { apiAs, eventually, SMALL_RUNBOOK, startTestApp, type TestApp, untilStepOf } from '../support/app';
import { runningWorker, testClient, uniqueId } from '../support/temporal';
import { hypercareOnly, inputFor, oneApproval } from '../support/runs';
import { runCli, tempDir } from '../cli/support';

/**
 * A run an operator ended in Temporal itself (`temporal workflow terminate`) wrote nothing more:
 * its search attributes and its replayed state still say "waiting". golive shows it as
 * terminated everywhere (list, filters, the run, its page), out of everyone's "waiting for me",
 * with no step waiting, and refuses decisions on it with a 409; runs golive ended itself read as
 * before.
 */

let client: Client;
let worker: { taskQueue: string; stop(): Promise<void> };
let app: TestApp;

beforeAll(async () => {
  client = await testClient();
  worker = await runningWorker();
  app = await startTestApp({ client, taskQueue: worker.taskQueue });
});
afterAll(async () => {
  await app?.close();
  await worker?.stop();
  await client?.connection.close();
});

const as = (id: string) => apiAs(app, id);

async function startRun(system: string): Promise<string> {
  const res = await as('rm')('POST', '/api/runs', { runbook: SMALL_RUNBOOK, system, collaborationMode: 2 });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return (res.body as { runId: string }).runId;
}

const untilStep = (runId: string, stepId: string, status: string) => untilStepOf(app, runId, stepId, status);

/** A run waiting at the Guardian's sign-off (the evidence is in). */
async function runAtApproval(system: string): Promise<string> {
  const runId = await startRun(system);
  await untilStep(runId, 'validation-report', 'waiting');
  const evidence = await as('ie')('POST', `/api/runs/${runId}/steps/validation-report/evidence`, {
    itemId: 'accuracy',
    value: 97,
  });
  expect(evidence.status, JSON.stringify(evidence.body)).toBe(200);
  await untilStep(runId, 'guardian-sign-off', 'waiting');
  return runId;
}

/** The run as the list shows it, once visibility shows `until`. */
async function listed(query: string, runId: string, until: (r: RunSummary) => boolean): Promise<RunSummary> {
  return eventually(async () => {
    const res = await as('rm')<{ runs: RunSummary[] }>('GET', `/api/runs?${query}`);
    const run = res.body.runs?.find((r) => r.runId === runId);
    return run && until(run) ? run : undefined;
  }, `run ${runId} in the list (${query})`);
}

const idsOf = async (who: string, query: string) =>
  ((await as(who)<{ runs: RunSummary[] }>('GET', `/api/runs?${query}`)).body.runs ?? []).map((r) => r.runId);

async function pageAs(who: string, path: string): Promise<string> {
  const login = await fetch(`${app.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: who, password: app.credentials[who]!.password }),
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const res = await fetch(`${app.url}${path}`, { headers: { cookie } });
  expect(res.status).toBe(200);
  return res.text();
}

const COUNTED = ['queryWorkflow', 'describeWorkflowExecution', 'getWorkflowExecutionHistory'] as const;

/** The calls the server makes to Temporal about `runId` while `read` runs (the app shares the test's client). */
async function callsFor(runId: string, read: () => Promise<unknown>): Promise<Record<string, number>> {
  const service = client.connection.workflowService;
  const spies = COUNTED.map((name) => vi.spyOn(service, name));
  try {
    await read();
    const about = (args: unknown[]) =>
      (args[0] as { execution?: { workflowId?: string } }).execution?.workflowId === runId;
    return Object.fromEntries(COUNTED.map((name, i) => [name, spies[i]!.mock.calls.filter(about).length]));
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

describe('a run ended in Temporal, not by golive', () => {
  it('reads as terminated in the list, the run and its page, waits for nobody and refuses decisions with 409', async () => {
    const system = `ended-${Date.now().toString(36)}`;
    const runId = await runAtApproval(system);
    // Before: it waits for the Guardian (so the assertions below can fail).
    await eventually(
      async () => ((await idsOf('guardian', `system=${system}&waitingFor=me`)).includes(runId) ? true : undefined),
      'the run in the Guardian\'s "waiting for me"',
    );

    expect(await pageAs('guardian', '/approvals')).toContain(runId);

    await client.workflow.getHandle(runId).terminate('operator ended it in Temporal');

    // The list: visibility's execution status next to the last search attributes.
    const row = await listed(`system=${system}`, runId, (r) => r.executionStatus === 'TERMINATED');
    expect(row).toMatchObject({ state: 'terminated', waitingRoles: [], executionStatus: 'TERMINATED' });
    expect(row.closedAt).toBeDefined();
    runPageSchema.parse({ runs: [row] }); // the OpenAPI document's schema says so too
    expect(await idsOf('guardian', `system=${system}&waitingFor=me`)).toEqual([]);
    expect(await idsOf('rm', `system=${system}&state=waiting`)).toEqual([]);
    expect(await idsOf('rm', `system=${system}&state=terminated`)).toEqual([runId]);

    // The run: terminated, nothing waiting, ended when Temporal closed it.
    const read = await as('guardian')<RunStateView>('GET', `/api/runs/${runId}`);
    expect(read.status).toBe(200);
    expect(read.body.status).toBe('terminated');
    expect(read.body.waitingRoles).toEqual([]);
    expect(read.body.steps.filter((s) => s.status === 'waiting' || s.status === 'running')).toEqual([]);
    expect(read.body.steps.find((s) => s.id === 'guardian-sign-off')?.status).toBe('cancelled');
    expect(read.body.steps.find((s) => s.id === 'validation-report')?.status).toBe('completed');
    expect(read.body.endedAt).toBe(row.closedAt);
    runStateSchema.parse(read.body);

    // A decision: a clear 409, with or without an Idempotency-Key.
    for (const headers of [{}, { 'idempotency-key': randomUUID() }] as Record<string, string>[]) {
      const decision = await as('guardian')(
        'POST',
        `/api/runs/${runId}/steps/guardian-sign-off/decisions`,
        { decision: 'approve' },
        headers,
      );
      expect(decision.status, JSON.stringify(decision.body)).toBe(409);
      expect(decision.body.error).toMatchObject({ code: 'conflict', reason: 'RunClosed' });
      expect(decision.body.error.message).toBe(`run ${runId} has ended (terminated in Temporal, not by golive)`);
    }

    // Every other message too: the server's own check (an anonymous report) and the run's.
    const others = [
      as('guardian')('POST', `/api/runs/${runId}/reports`, { severity: 'high', description: 'x', anonymous: true }),
      as('ie')('POST', `/api/runs/${runId}/steps/validation-report/evidence`, { itemId: 'accuracy', value: 98 }),
      as('guardian')('POST', `/api/runs/${runId}/stop`, { reason: 'too late' }),
    ];
    for (const answer of await Promise.all(others)) {
      expect(answer.status, JSON.stringify(answer.body)).toBe(409);
      expect(answer.body.error.reason).toBe('RunClosed');
    }

    // The command line: list (state and WHY), status, and a decision refused (exit 1).
    const home = tempDir('golive-cli-home-');
    const cli = (who: string, ...args: string[]) =>
      runCli(args, { HOME: home, GOLIVE_URL: app.url, GOLIVE_TOKEN: app.credentials[who]!.token });
    const list = await cli('rm', 'list', '--system', system);
    expect(list.stdout).toMatch(new RegExp(`${runId} .* terminated +terminated in Temporal, not by golive `));
    const status = await cli('guardian', 'status', runId);
    expect(status.stdout).toMatch(
      /Status +terminated — terminated in Temporal, not by golive: its rollback did not run/,
    );
    expect(status.stdout).not.toContain('waits for approval');
    const approve = await cli('guardian', 'approve', runId, 'guardian-sign-off', '--comment', 'late');
    expect(approve.code).toBe(1);
    expect(approve.stderr).toContain('terminated in Temporal');
    fs.rmSync(home, { recursive: true, force: true });

    // Its audit trail says how it ended; its dossier is the final one, of a terminated run, and verifies.
    const history = await as('rm')('GET', `/api/runs/${runId}/history?kind=run-ended`);
    expect(history.body).toMatchObject({ finished: true, state: { status: 'terminated', waitingRoles: [] } });
    expect(history.body.entries).toMatchObject([
      {
        summary: 'run terminated in Temporal: operator ended it in Temporal',
        details: { temporalStatus: 'terminated' },
      },
    ]);
    const dossier = await fetch(`${app.url}/api/runs/${runId}/dossier`, {
      headers: { authorization: `Bearer ${app.credentials.rm!.token}` },
    });
    expect(dossier.status).toBe(200);
    const zip = new Uint8Array(await dossier.arrayBuffer());
    expect(verifyDossierZip(zip)).toMatchObject({ ok: true, status: 'terminated', finished: true });
    const markdown = Buffer.from(unzipSync(zip)[`dossier-${runId}/dossier.md`]!).toString('utf8');
    expect(markdown).toContain('terminated (terminated in Temporal, not by golive: its rollback did not run');
    expect(markdown).not.toContain('DRAFT');

    // The web UI says so, offers no decision, and the runs page shows the state.
    const page = await pageAs('guardian', `/runs/${runId}`);
    expect(page).toContain('data-run-status="terminated"');
    expect(page).toContain('<strong>terminated in Temporal</strong>, not by golive');
    expect(page).not.toContain('Waiting for');
    const runsPage = await pageAs('rm', `/runs?system=${system}`);
    expect(runsPage).toContain('terminated in Temporal, not by golive');
    expect(await pageAs('guardian', '/approvals')).not.toContain(runId);
  });

  it('costs an open run one query to read, as before; a run ended in Temporal, read again, one describe', async () => {
    const runId = await runAtApproval(`calls-${Date.now().toString(36)}`);
    const read = async () => expect((await as('rm')('GET', `/api/runs/${runId}`)).status).toBe(200);
    expect(await callsFor(runId, read)).toEqual({
      queryWorkflow: 1,
      describeWorkflowExecution: 0,
      getWorkflowExecutionHistory: 0,
    });

    await client.workflow.getHandle(runId).terminate('operator ended it in Temporal');
    // The first read: the query is refused (the run did not complete cleanly), then its history answers.
    expect(await callsFor(runId, read)).toEqual({
      queryWorkflow: 2,
      describeWorkflowExecution: 1,
      getWorkflowExecutionHistory: 0,
    });
    expect(await callsFor(runId, read)).toEqual({
      queryWorkflow: 0,
      describeWorkflowExecution: 1,
      getWorkflowExecutionHistory: 0,
    });
  });

  it('reads as open again once the run is reset in Temporal', async () => {
    const system = `reset-${Date.now().toString(36)}`;
    const runId = await runAtApproval(system);
    const handle = client.workflow.getHandle(runId);
    const events = (await handle.fetchHistory()).events ?? [];
    const lastTask = [...events].reverse().find((e) => e.workflowTaskCompletedEventAttributes);
    await handle.terminate('by mistake');
    expect((await as('rm')<RunStateView>('GET', `/api/runs/${runId}`)).body.status).toBe('terminated');

    const base = await handle.describe();
    await client.workflowService.resetWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId: runId, runId: base.runId },
      workflowTaskFinishEventId: lastTask!.eventId,
      reason: 'operator: terminated by mistake',
      requestId: randomUUID(),
    });
    // The same server read it as terminated a moment ago: it reads the reset run, not that.
    const read = await untilStep(runId, 'guardian-sign-off', 'waiting');
    expect(read).toMatchObject({ status: 'waiting', waitingRoles: ['guardian'] });
    await listed(`system=${system}&state=waiting`, runId, (r) => r.executionStatus === 'RUNNING');
    expect(await idsOf('guardian', `system=${system}&waitingFor=me`)).toEqual([runId]);
    // One row: the execution it was reset from (terminated) is the same run.
    await eventually(async () => {
      const all = [];
      for await (const e of client.workflow.list({ query: `WorkflowId = '${runId}'` })) all.push(e.status.name);
      return all.length === 2 ? all : undefined;
    }, 'both executions in visibility');
    const rows = (await as('rm')<{ runs: RunSummary[] }>('GET', `/api/runs?system=${system}`)).body.runs ?? [];
    expect(rows.map((r) => [r.runId, r.state])).toEqual([[runId, 'waiting']]);
    // Nor is that execution listed as a terminated run: the run is waiting (README, "A run stuck on a workflow task").
    expect(await idsOf('rm', `system=${system}&state=terminated`)).toEqual([]);
    // Nor on the page after the one that shows the run (one row a page: the open execution first).
    const first = await as('rm')<{ runs: RunSummary[]; nextPageToken?: string }>(
      'GET',
      `/api/runs?system=${system}&pageSize=1`,
    );
    expect(first.body.runs.map((r) => r.runId)).toEqual([runId]);
    const next = first.body.nextPageToken;
    if (next) expect(await idsOf('rm', `system=${system}&pageSize=1&pageToken=${next}`)).toEqual([]);
  });

  it('lists a run no worker has taken yet as running, waiting for nobody', async () => {
    // Started as the server starts runs, on a task queue no worker polls: what the list shows
    // of a run before its first workflow task (visibility gives an empty keyword list as [""]).
    const system = `untaken-${Date.now().toString(36)}`;
    const input = inputFor(oneApproval(), { system, initiator: { id: 'rm' }, assignments: { guardian: ['guardian'] } });
    const runId = uniqueId('golive-untaken');
    const handle = await client.workflow.start(GO_LIVE_WORKFLOW, {
      taskQueue: uniqueId('nobody-polls'),
      workflowId: runId,
      args: [input],
      typedSearchAttributes: runSearchAttributes(input),
    });
    try {
      const row = await listed(`system=${system}`, runId, () => true);
      expect(row).toMatchObject({ state: 'running', waitingRoles: [], executionStatus: 'RUNNING' });
      expect(await idsOf('rm', `system=${system}&state=running`)).toEqual([runId]);
    } finally {
      await handle.terminate('test done');
    }
  });

  it('reads a run whose execution timed out as timed-out', async () => {
    // Started as the server starts runs, with a short execution timeout (golive sets none).
    const system = `timeout-${Date.now().toString(36)}`;
    const input = inputFor(oneApproval(), {
      system,
      initiator: { id: 'rm' },
      assignments: { guardian: ['guardian'] },
    });
    const runId = uniqueId('golive-timeout');
    await client.workflow.start(GO_LIVE_WORKFLOW, {
      taskQueue: worker.taskQueue,
      workflowId: runId,
      args: [input],
      typedSearchAttributes: runSearchAttributes(input),
      workflowExecutionTimeout: '3s',
    });
    const row = await listed(`system=${system}`, runId, (r) => r.executionStatus === 'TIMED_OUT');
    expect(row).toMatchObject({ state: 'timed-out', waitingRoles: [] });
    expect(await idsOf('rm', `system=${system}&state=timed-out`)).toEqual([runId]);
    expect(await idsOf('guardian', `system=${system}&waitingFor=me`)).toEqual([]);
    const read = await as('rm')<RunStateView>('GET', `/api/runs/${runId}`);
    expect(read.body).toMatchObject({ status: 'timed-out', waitingRoles: [] });
    expect(read.body.steps.map((step) => step.status)).toEqual(['cancelled']);
    const decision = await as('guardian')('POST', `/api/runs/${runId}/steps/sign-off/decisions`, {
      decision: 'approve',
    });
    expect(decision.status).toBe(409);
    expect(decision.body.error.message).toContain('(timed out in Temporal, not by golive)');
  });

  it('lists a run that continued as new once, as its latest execution, with its own start time', async () => {
    // A hypercare that checkpoints every second: one run, several executions in Temporal.
    const system = `chain-${Date.now().toString(36)}`;
    const input = inputFor(hypercareOnly({ checkpointEvery: '1s' }), {
      system,
      initiator: { id: 'rm' },
      assignments: { guardian: ['guardian'] },
    });
    const runId = uniqueId('golive-chain');
    const handle = await client.workflow.start(GO_LIVE_WORKFLOW, {
      taskQueue: worker.taskQueue,
      workflowId: runId,
      args: [input],
      typedSearchAttributes: runSearchAttributes(input),
      memo: startMemo(undefined),
    });
    try {
      // Visibility has the earlier executions (continued as new) and the open one.
      const executions = await eventually(async () => {
        const all = [];
        for await (const e of client.workflow.list({ query: `WorkflowId = '${runId}'` })) all.push(e);
        const names = all.map((e) => e.status.name);
        return names.includes('CONTINUED_AS_NEW') && names.includes('RUNNING') ? all : undefined;
      }, 'the run to continue as new');
      const rows = (await as('rm')<{ runs: RunSummary[] }>('GET', `/api/runs?system=${system}`)).body.runs ?? [];
      expect(rows.map((r) => [r.runId, r.executionStatus])).toEqual([[runId, 'RUNNING']]);
      // Its start is the run's (the memo written at start, carried across), not the latest
      // execution's, which began a second or more later.
      const firstStart = Math.min(...executions.map((e) => e.startTime.getTime()));
      const latestStart = executions.find((e) => e.status.name === 'RUNNING')!.startTime.getTime();
      const listedStart = new Date(rows[0]!.startedAt).getTime();
      expect(listedStart).toBeLessThanOrEqual(firstStart);
      expect(listedStart).toBeLessThan(latestStart);
    } finally {
      await handle.terminate('test done');
    }
  });

  it('leaves a run golive rolled back as it was', async () => {
    const system = `rolled-${Date.now().toString(36)}`;
    const runId = await runAtApproval(system);
    const rollback = await as('rm')('POST', `/api/runs/${runId}/rollback`, { reason: 'not today' });
    expect(rollback.status, JSON.stringify(rollback.body)).toBe(200);
    const row = await listed(`system=${system}`, runId, (r) => r.executionStatus === 'COMPLETED');
    expect(row).toMatchObject({ state: 'rolled-back', failure: { kind: 'rollback-requested' } });
    expect(await idsOf('rm', `system=${system}&state=rolled-back`)).toEqual([runId]);
    expect(await idsOf('rm', `system=${system}&state=terminated`)).toEqual([]);
    const read = await as('rm')<RunStateView>('GET', `/api/runs/${runId}`);
    expect(read.body.status).toBe('rolled-back');
    expect(read.body.steps.find((s) => s.id === 'guardian-sign-off')?.status).toBe('cancelled');
  });
});
