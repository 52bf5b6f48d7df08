import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { RunbookInput } from '../../src/contract/schemas/runbook';
import {
  getRunStateQuery,
  reportErrorSignal,
  reportErrorUpdate,
  resolveReportUpdate,
  stopLineSignal,
  stopLineUpdate,
} from '../../src/contract/definitions';
import { startRecorder, type Recorder } from '../support/recorder';
import { NOT_IN_HYPERCARE_YET } from '../../src/contract/policy';
import { AUTHORITY_BEFORE_STATE_PATCH, REPORT_AUTHORITY_FIRST_PATCH } from '../../workflows/handlers';
import {
  actor,
  hypercareOnly,
  inputFor,
  oneApproval,
  people,
  startRun,
  stepStatus,
  waitForState,
} from '../support/runs';
import { testClient, testWorker } from '../support/temporal';

/** Hypercare: the Red Button after go-live, report deadlines and escalation, stopping the line. */

function runbook(
  recorder: Recorder,
  hypercare: Partial<Extract<RunbookInput['steps'][number], { kind: 'hypercare' }>> = {},
): Parameters<typeof inputFor>[0] {
  const hook = (path: string) => ({ action: 'webhook', params: { url: `${recorder.url}${path}` }, timeout: '10s' });
  return {
    steps: [
      {
        id: 'go-live',
        kind: 'action',
        title: 'Switch traffic',
        ...hook('/do/go-live'),
        compensate: hook('/undo/go-live'),
      },
      {
        id: 'hypercare',
        kind: 'hypercare',
        title: 'Hypercare',
        duration: '1h',
        responseDeadline: '1s',
        notifyOnReport: ['operations'],
        escalation: [{ after: '2s', notify: ['business-sponsor'] }],
        stopAuthority: ['guardian', 'operations'],
        ...hypercare,
      },
    ],
  };
}

/** The patch ids the run's history marks (patched() records one marker per patch it met). */
async function patchesOf(handle: WorkflowHandle): Promise<string[]> {
  const markers = (await handle.fetchHistory()).events?.filter((e) => e.markerRecordedEventAttributes) ?? [];
  return markers.map((e) =>
    Buffer.from(e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data ?? []).toString(),
  );
}

describe('hypercare and the Red Button', () => {
  let client: Client;
  let recorder: Recorder;
  beforeAll(async () => {
    client = await testClient();
    recorder = await startRecorder();
  });
  afterAll(async () => {
    await recorder.close();
    await client.connection.close();
  });

  it('takes reports from anyone involved (also anonymously), escalates missed responses, records resolutions', async () => {
    const { taskQueue, run } = await testWorker();
    await run(async () => {
      const handle = await startRun(client, taskQueue, inputFor(runbook(recorder)));
      await waitForState(handle, (s) => s.status === 'hypercare');

      const report = await handle.executeUpdate(reportErrorUpdate, {
        args: [{ actor: actor(people.user), severity: 'high', description: 'The assistant invented a refund policy' }],
      });
      expect(report).toMatchObject({ id: 'R1', reporter: people.user, status: 'open', escalationLevel: 0 });
      expect(Date.parse(report.responseDueAt) - Date.parse(report.at)).toBe(1000);

      const anonymous = await handle.executeUpdate(reportErrorUpdate, {
        args: [
          {
            anonymous: true,
            severity: 'low',
            description: 'Tone is off in German answers',
            receiptHash: 'a'.repeat(64),
          },
        ],
      });
      expect(anonymous.reporter).toBe('anonymous');

      const outsider = await handle
        .executeUpdate(reportErrorUpdate, { args: [{ actor: actor('stranger'), severity: 'low', description: 'x' }] })
        .catch((e: unknown) => e);
      expect(outsider).toBeInstanceOf(WorkflowUpdateFailedError);

      // Missed response deadline (1s), then the escalation level at 2s.
      const escalated = await waitForState(
        handle,
        (s) => (s.reports.find((r) => r.id === 'R1')?.escalationLevel ?? 0) >= 2,
        15_000,
      );
      const r1 = escalated.escalations.filter((e) => e.subject === 'R1');
      expect(r1.map((e) => e.level)).toEqual([1, 2]);
      expect(r1[0]?.notified).toEqual(['operations', 'guardian']);
      expect(r1[1]?.notified).toEqual(['business-sponsor']);

      const resolved = await handle.executeUpdate(resolveReportUpdate, {
        args: [
          {
            actor: actor(people.ops),
            reportId: 'R1',
            resolution: 'Policy text fixed in the prompt; answers re-checked',
          },
        ],
      });
      expect(resolved).toMatchObject({
        status: 'resolved',
        resolution: { by: { id: people.ops }, text: 'Policy text fixed in the prompt; answers re-checked' },
      });

      const notAllowed = await handle
        .executeUpdate(resolveReportUpdate, {
          args: [{ actor: actor(people.user), reportId: 'R2', resolution: 'fine' }],
        })
        .catch((e: unknown) => e);
      expect(notAllowed).toBeInstanceOf(WorkflowUpdateFailedError);

      const state = await handle.query(getRunStateQuery);
      expect(state.status).toBe('hypercare');
      expect(state.reports.map((r) => [r.id, r.status])).toEqual([
        ['R1', 'resolved'],
        ['R2', 'open'],
      ]);
      await handle.terminate('test done');
    });
  });

  it('refuses a report before hypercare as NotInHypercare, not RunClosed: Update and Signal alike', async () => {
    const { taskQueue, run } = await testWorker();
    await run(async () => {
      const input = inputFor({ steps: [...oneApproval().steps, ...hypercareOnly().steps] });
      const handle = await startRun(client, taskQueue, input);
      await waitForState(handle, (s) => stepStatus(s, 'sign-off') === 'waiting');
      const report = { actor: actor(people.user), severity: 'low' as const, description: 'too early' };
      const refused = await handle.executeUpdate(reportErrorUpdate, { args: [report] }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((refused as WorkflowUpdateFailedError).cause).toMatchObject({
        type: 'NotInHypercare',
        message: NOT_IN_HYPERCARE_YET,
      });
      await handle.signal(reportErrorSignal, report);
      const state = await waitForState(handle, (s) => s.refusedSignals.length > 0);
      expect(state.refusedSignals).toEqual([
        expect.objectContaining({ signal: 'reportError', type: 'NotInHypercare', reason: NOT_IN_HYPERCARE_YET }),
      ]);
      expect(state.status).toBe('waiting');
      // The Signal's refusal stays in the run's record: new runs mark that they record the new type
      // (the policy's order, authority first, decides it in runs that carry that marker).
      const patchIds = await patchesOf(handle);
      expect(patchIds.some((p) => p.includes(REPORT_AUTHORITY_FIRST_PATCH))).toBe(true);
    });
  });

  it('refuses a report from someone not involved as NotAuthorized, before hypercare as in it', async () => {
    const { taskQueue, run } = await testWorker();
    await run(async () => {
      const input = inputFor({ steps: [...oneApproval().steps, ...hypercareOnly().steps] });
      const handle = await startRun(client, taskQueue, input);
      await waitForState(handle, (s) => stepStatus(s, 'sign-off') === 'waiting');
      const report = { actor: actor('olga.outsider'), severity: 'low' as const, description: 'too early' };
      const refused = await handle.executeUpdate(reportErrorUpdate, { args: [report] }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((refused as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'NotAuthorized' });
      await handle.signal(reportErrorSignal, report);
      const state = await waitForState(handle, (s) => s.refusedSignals.length > 0);
      expect(state.refusedSignals).toEqual([
        expect.objectContaining({ signal: 'reportError', type: 'NotAuthorized', actorId: 'olga.outsider' }),
      ]);
      expect(await patchesOf(handle)).toContainEqual(expect.stringContaining(REPORT_AUTHORITY_FIRST_PATCH));
      await handle.terminate('test done');
    });
  });

  it('refuses a stop and a report from someone who may never make them as NotAuthorized while the run rolls back', async () => {
    const { taskQueue, run } = await testWorker();
    await run(async () => {
      const hook = (path: string) => ({ action: 'webhook', params: { url: `${recorder.url}${path}` }, timeout: '10s' });
      const slowUndo = runbook(recorder);
      slowUndo.steps[0] = { ...slowUndo.steps[0]!, compensate: hook('/slow/undo/go-live') } as never;
      const handle = await startRun(client, taskQueue, inputFor(slowUndo));
      await waitForState(handle, (s) => s.status === 'hypercare');
      await handle.executeUpdate(stopLineUpdate, { args: [{ actor: actor(people.ops), reason: 'roll it back' }] });
      await waitForState(handle, (s) => s.status === 'compensating');
      const outsider = actor('olga.outsider');
      // Authority first: the run's state (rolling back) is told only to those who might act.
      const stop = await handle
        .executeUpdate(stopLineUpdate, { args: [{ actor: outsider, reason: 'me too' }] })
        .catch((e: unknown) => e);
      expect((stop as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'NotAuthorized' });
      const byOps = await handle
        .executeUpdate(stopLineUpdate, { args: [{ actor: actor(people.ops), reason: 'again' }] })
        .catch((e: unknown) => e);
      expect((byOps as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'RunClosed' });
      await handle.signal(stopLineSignal, { actor: outsider, reason: 'me too' });
      await handle.signal(reportErrorSignal, { actor: outsider, severity: 'low', description: 'late' });
      const result = await handle.result();
      expect(result.status).toBe('rolled-back');
      expect(result.refusedSignals).toEqual([
        expect.objectContaining({ signal: 'stopLine', type: 'NotAuthorized', actorId: 'olga.outsider' }),
        expect.objectContaining({ signal: 'reportError', type: 'NotAuthorized', actorId: 'olga.outsider' }),
      ]);
      expect(await patchesOf(handle)).toContainEqual(expect.stringContaining(AUTHORITY_BEFORE_STATE_PATCH));
    });
  });

  it('stops the line from hypercare: the go-live is rolled back at once', async () => {
    const { taskQueue, run } = await testWorker();
    await run(async () => {
      const handle = await startRun(client, taskQueue, inputFor(runbook(recorder)));
      await waitForState(handle, (s) => s.status === 'hypercare');
      const refused = await handle
        .executeUpdate(stopLineUpdate, { args: [{ actor: actor(people.user), reason: 'I do not like it' }] })
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
      await handle.executeUpdate(reportErrorUpdate, {
        args: [{ actor: actor(people.user), severity: 'critical', description: 'Made-up citations' }],
      });
      await handle.executeUpdate(stopLineUpdate, {
        args: [{ actor: actor(people.ops), reason: 'hallucinations in production' }],
      });
      const result = await handle.result();
      // A report nobody answered is closed with the run, saying so; it is never left open.
      expect(result.reports[0]).toMatchObject({
        status: 'closed',
        resolution: { by: { id: 'golive' }, text: 'closed without a response: the run ended (rolled-back)' },
      });
      expect(result.status).toBe('rolled-back');
      expect(result.failure).toMatchObject({ kind: 'stopped', by: { id: people.ops } });
      expect(result.compensations.map((c) => c.stepId)).toEqual(['go-live']);
      expect(stepStatus(result, 'hypercare')).toBe('cancelled');
    });
  });

  it('continues as new during long hypercare, carrying reports and decisions, and ends live', async () => {
    const { taskQueue, run } = await testWorker();
    const goLivesBefore = recorder.paths().filter((p) => p === '/do/go-live').length;
    await run(async () => {
      const handle = await startRun(
        client,
        taskQueue,
        inputFor(runbook(recorder, { duration: '6s', checkpointEvery: '2s', responseDeadline: '1h' })),
      );
      await waitForState(handle, (s) => s.status === 'hypercare');
      await handle.executeUpdate(reportErrorUpdate, {
        args: [{ actor: actor(people.guardian), severity: 'medium', description: 'Slow answers' }],
      });
      const later = await waitForState(handle, (s) => s.chainLength >= 2, 15_000);
      expect(later.reports.map((r) => r.id)).toEqual(['R1']);
      expect(stepStatus(later, 'go-live')).toBe('completed');
      const result = await client.workflow.getHandle(handle.workflowId).result();
      expect(result.status).toBe('live');
      expect(result.chainLength).toBeGreaterThanOrEqual(3);
      expect(result.reports).toHaveLength(1);
      // The go-live step ran once across the whole chain.
      expect(recorder.paths().filter((p) => p === '/do/go-live').length - goLivesBefore).toBe(1);
    });
  });
});
