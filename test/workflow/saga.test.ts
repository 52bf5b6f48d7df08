import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { NOTIFY_SUBJECT_MAX } from '../../src/contract/notifyLimits';
import type { RunbookInput } from '../../src/contract/schemas/runbook';
import { rejectStepUpdate, requestRollbackUpdate, stopLineUpdate } from '../../src/contract/definitions';
import { startRecorder, type Recorder } from '../support/recorder';
import { actor, inputFor, people, startRun, stepStatus, waitForState } from '../support/runs';
import { testClient, testWorker } from '../support/temporal';

/**
 * Saga: whatever ends a run early, every completed step is undone in exact reverse order of
 * completion, shown by the workflow's own record and by the order the undo calls arrived.
 */

type Steps = RunbookInput['steps'];

function call(recorder: Recorder, path: string) {
  return {
    action: 'webhook',
    params: { url: `${recorder.url}${path}`, method: 'POST', expectStatus: 200 },
    timeout: '10s',
    retry: { maximumAttempts: 2, initialInterval: '100ms' },
  };
}

/** Three steps that each leave something to undo (c runs beside b), then a gate. */
function doneSteps(recorder: Recorder): Steps {
  return [
    { id: 'a', kind: 'action', title: 'Step A', ...call(recorder, '/do/a'), compensate: call(recorder, '/undo/a') },
    { id: 'b', kind: 'action', title: 'Step B', ...call(recorder, '/do/b'), compensate: call(recorder, '/undo/b') },
    {
      id: 'c',
      kind: 'action',
      title: 'Step C',
      after: ['b'],
      ...call(recorder, '/do/c'),
      compensate: call(recorder, '/undo/c'),
    },
  ];
}

const gate = (deadline = '1h', onDeadline: 'reject' | 'hold' = 'reject'): Steps[number] => ({
  id: 'gate',
  kind: 'approval',
  title: 'Go / no-go',
  after: ['c'],
  approvers: [{ role: 'guardian' }],
  deadline,
  onDeadline,
});

describe('saga compensation', () => {
  let client: Client;
  let recorder: Recorder;
  beforeAll(async () => {
    client = await testClient();
  });
  afterAll(async () => {
    await client.connection.close();
  });

  async function scenario(
    steps: (r: Recorder) => Steps,
    act: (handle: Awaited<ReturnType<typeof startRun>>) => Promise<void>,
    extra: Partial<RunbookInput> = {},
  ) {
    recorder = await startRecorder();
    const { taskQueue, run } = await testWorker();
    try {
      return await run(async () => {
        const handle = await startRun(
          client,
          taskQueue,
          inputFor({
            stopAuthority: ['guardian'],
            rollbackAuthority: ['operations'],
            ...extra,
            steps: steps(recorder),
          }),
        );
        await act(handle);
        return handle.result();
      });
    } finally {
      await recorder.close();
    }
  }

  const undoOrder = () => recorder.paths().filter((p) => p.startsWith('/undo/'));

  it('undoes completed steps in reverse when an action fails after its retries', async () => {
    const result = await scenario(
      (r) => [
        ...doneSteps(r),
        {
          id: 'd',
          kind: 'action',
          title: 'Step D',
          after: ['c'],
          ...call(r, '/fail/d'),
          compensate: call(r, '/undo/d'),
        },
      ],
      async () => undefined,
    );
    expect(result.status).toBe('rolled-back');
    expect(result.failure).toMatchObject({ kind: 'action-failed', stepId: 'd' });
    expect(recorder.paths().filter((p) => p === '/fail/d')).toHaveLength(2); // retried, then given up
    expect(result.compensations.map((c) => c.stepId)).toEqual(['c', 'b', 'a']);
    expect(undoOrder()).toEqual(['/undo/c', '/undo/b', '/undo/a']);
    expect(stepStatus(result, 'd')).toBe('failed');
    expect(stepStatus(result, 'a')).toBe('compensated');
  });

  it('undoes completed steps in reverse when an approver rejects', async () => {
    const result = await scenario(
      (r) => [...doneSteps(r), gate()],
      async (handle) => {
        await waitForState(handle, (s) => stepStatus(s, 'gate') === 'waiting');
        const step = await handle.executeUpdate(rejectStepUpdate, {
          args: [{ actor: actor(people.guardian), stepId: 'gate', comment: 'failover numbers are not convincing' }],
        });
        expect(step.status).toBe('rejected');
      },
    );
    expect(result.status).toBe('rolled-back');
    expect(result.failure).toMatchObject({
      kind: 'rejected',
      stepId: 'gate',
      by: { id: people.guardian },
      reason: 'failover numbers are not convincing',
    });
    expect(result.compensations.map((c) => c.stepId)).toEqual(['c', 'b', 'a']);
    expect(undoOrder()).toEqual(['/undo/c', '/undo/b', '/undo/a']);
  });

  it('undoes completed steps in reverse when a deadline ends in reject', async () => {
    const result = await scenario(
      (r) => [...doneSteps(r), gate('1s', 'reject')],
      async () => undefined,
    );
    expect(result.status).toBe('rolled-back');
    expect(result.failure).toMatchObject({ kind: 'deadline', stepId: 'gate' });
    expect(undoOrder()).toEqual(['/undo/c', '/undo/b', '/undo/a']);
  });

  it('undoes completed steps in reverse when an authorized person stops the line', async () => {
    const result = await scenario(
      (r) => [...doneSteps(r), gate()],
      async (handle) => {
        await waitForState(handle, (s) => stepStatus(s, 'gate') === 'waiting');
        await handle.executeUpdate(stopLineUpdate, {
          args: [{ actor: actor(people.guardian), reason: 'bias found in outputs' }],
        });
      },
    );
    expect(result.status).toBe('rolled-back');
    expect(result.failure).toMatchObject({
      kind: 'stopped',
      by: { id: people.guardian },
      reason: 'bias found in outputs',
    });
    expect(undoOrder()).toEqual(['/undo/c', '/undo/b', '/undo/a']);
    expect(stepStatus(result, 'gate')).toBe('cancelled');
  });

  it('undoes completed steps in reverse when an operator asks for a rollback', async () => {
    const result = await scenario(
      (r) => [...doneSteps(r), gate()],
      async (handle) => {
        await waitForState(handle, (s) => stepStatus(s, 'gate') === 'waiting');
        await handle.executeUpdate(requestRollbackUpdate, {
          args: [{ actor: actor(people.ops), reason: 'capacity not ready' }],
        });
      },
    );
    expect(result.status).toBe('rolled-back');
    expect(result.failure).toMatchObject({ kind: 'rollback-requested', by: { id: people.ops } });
    expect(undoOrder()).toEqual(['/undo/c', '/undo/b', '/undo/a']);
  });

  it('undoes completed steps in reverse when the run is cancelled in Temporal, and ends "cancelled"', async () => {
    const result = await scenario(
      (r) => [...doneSteps(r), gate()],
      async (handle) => {
        await waitForState(handle, (s) => stepStatus(s, 'gate') === 'waiting');
        await handle.cancel();
      },
    );
    expect(result.status).toBe('cancelled');
    expect(result.failure).toMatchObject({ kind: 'cancelled' });
    expect(undoOrder()).toEqual(['/undo/c', '/undo/b', '/undo/a']);
  });

  it('records a compensation that still fails and ends "rollback incomplete", still undoing the rest', async () => {
    const result = await scenario(
      (r) => [
        { id: 'a', kind: 'action', title: 'Step A', ...call(r, '/do/a'), compensate: call(r, '/undo/a') },
        { id: 'b', kind: 'action', title: 'Step B', ...call(r, '/do/b'), compensate: call(r, '/undo/fail/b') },
        { id: 'boom', kind: 'action', title: 'Boom', ...call(r, '/fail/boom') },
      ],
      async () => undefined,
    );
    expect(result.status).toBe('rollback-incomplete');
    expect(result.compensations.map((c) => [c.stepId, c.status])).toEqual([
      ['b', 'failed'],
      ['a', 'completed'],
    ]);
    expect(result.compensations[0]?.error).toBeTruthy();
    expect(stepStatus(result, 'b')).toBe('compensation-failed');
    expect(undoOrder()).toEqual(['/undo/fail/b', '/undo/fail/b', '/undo/a']);
  });

  it('tells the people who may stop or roll back of the rollback, however long its reason', async () => {
    // Reasons take up to thousands of characters; a notification's subject at most NOTIFY_SUBJECT_MAX.
    const reason = `${'the failover numbers are not convincing '.repeat(10)}— see the drill report`;
    let notices: { subject: string; text: string }[] = [];
    let failed = 0;
    await scenario(
      (r) => [...doneSteps(r), gate()],
      async (handle) => {
        await waitForState(handle, (s) => stepStatus(s, 'gate') === 'waiting');
        await handle.executeUpdate(rejectStepUpdate, {
          args: [{ actor: actor(people.guardian), stepId: 'gate', comment: reason }],
        });
        await handle.result();
        const events = (await handle.fetchHistory()).events ?? [];
        notices = events
          .map((e) => e.activityTaskScheduledEventAttributes)
          .filter((a) => a?.activityType?.name === 'notify')
          .map((a) => defaultPayloadConverter.fromPayload(a!.input!.payloads![0]!));
        failed = events.filter((e) => e.activityTaskFailedEventAttributes).length;
      },
    );
    const rolledBack = notices.find((n) => n.subject.includes('go-live rolled back'));
    expect(rolledBack?.subject).toHaveLength(NOTIFY_SUBJECT_MAX);
    expect(rolledBack?.subject).toMatch(/^\[golive test-system\] go-live rolled back: the failover numbers .*…$/);
    expect(rolledBack?.text).toContain(reason);
    // Delivered (here: logged, no channel configured), not refused as invalid.
    expect(failed).toBe(0);
  });

  it('ends "live" without undoing anything when every step passes', async () => {
    const result = await scenario(
      (r) => doneSteps(r),
      async () => undefined,
    );
    expect(result.status).toBe('live');
    expect(result.compensations).toEqual([]);
    expect(undoOrder()).toEqual([]);
    // b and c ran after a; c waited for b only.
    expect(recorder.paths().slice(0, 3)).toEqual(['/do/a', '/do/b', '/do/c']);
  });
});
