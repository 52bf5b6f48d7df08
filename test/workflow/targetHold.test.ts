import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpError } from '../../src/server/errors';
import { HoldRelease } from '../../src/server/holdRelease';
import { startHeldRun } from '../../src/server/runStart';
import { holdTarget } from '../../src/server/targetHold';
import { lockIdFor, targetOf } from '../../src/server/targetLock';
import { claimTargetUpdate, TARGET_LOCK_WORKFLOW } from '../../src/contract/targetLockDefinitions';
import type { GoLiveInput } from '../../src/contract/definitions';
import { WORKFLOW_STACK_FRAMES } from '../../workflows/stackFrames';
import type { targetLock } from '../../workflows/targetLock';
import { eventually } from '../support/eventually';
import { inputFor, oneApproval } from '../support/runs';
import { testWorker, uniqueId, useTestClient } from '../support/temporal';

/**
 * A target's hold (src/server/targetHold.ts): one start call, no workflow task, and the target
 * is free again once its run ends, whoever notices first (the next claim or the release).
 */

function runOn(target: string): { runId: string; input: GoLiveInput } {
  return {
    runId: uniqueId('golive-hold-run'),
    input: inputFor({ target, ...oneApproval() }, { system: uniqueId('hold') }),
  };
}

async function startOn(client: Client, taskQueue: string, target: string): Promise<string> {
  const run = runOn(target);
  await startHeldRun(client, taskQueue, run.runId, run.input);
  return run.runId;
}

async function refusal(p: Promise<unknown>): Promise<HttpError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HttpError);
  return err as HttpError;
}

const uniqueTarget = () => `https://${uniqueId('hold')}.example.com`;

describe('the target hold', () => {
  const client = useTestClient({ beforeAll, afterAll });

  it(
    'takes the target in one start with no workflow task, refuses a second run naming the first, and frees the target when the first ends',
    { timeout: 60_000 },
    async () => {
      const { taskQueue, run } = await testWorker();
      const target = uniqueTarget();
      await run(async () => {
        const first = await startOn(client(), taskQueue, target);
        expect((await client().workflow.getHandle(first).describe()).status.name).toBe('RUNNING');

        const hold = client().workflow.getHandle(lockIdFor(target));
        const events = (await hold.fetchHistory()).events ?? [];
        expect(events.map((e) => Object.keys(e).find((k) => k.endsWith('EventAttributes')))).toEqual([
          'workflowExecutionStartedEventAttributes',
          'workflowTaskScheduledEventAttributes',
        ]);
        expect((await hold.describe()).memo?.holder).toMatchObject({ runId: first, target });

        const second = await refusal(startOn(client(), taskQueue, target));
        expect(second.status).toBe(409);
        expect(second.message).toContain(`${target} already has a go-live in flight: run ${first}`);

        // Errors made in workflow code keep WORKFLOW_STACK_FRAMES frames (workflows/stackFrames.ts).
        const stacks: string = await client().workflow.getHandle(first).query('__stack_trace');
        const frames = stacks
          .split('\n\n')
          .filter((s) => s.trim())
          .map((s) => s.split('\n').filter((l) => l.trim().startsWith('at ')).length);
        expect(frames.length).toBeGreaterThan(0);
        expect(Math.max(...frames)).toBeLessThanOrEqual(WORKFLOW_STACK_FRAMES);

        // The run ends (terminated, so no workflow code of it runs): the next claim frees the target.
        await client().workflow.getHandle(first).terminate('test: the first go-live is over');
        const next = await startOn(client(), taskQueue, target);
        const ended = await client()
          .workflow.getHandle(lockIdFor(target), (await hold.describe()).runId)
          .describe();
        expect(ended.status.name).toBe('RUNNING');
        expect(ended.memo?.holder).toMatchObject({ runId: next });
        await client().workflow.getHandle(next).terminate('test done');
      });
    },
  );

  it(
    'keeps a target whose run has not started yet, and frees it once that run is overdue',
    { timeout: 30_000 },
    async () => {
      const target = uniqueTarget();
      const holder = { runId: uniqueId('golive-never'), system: 's', initiator: { id: 'rm' }, target, since: 'now' };
      await holdTarget(client(), uniqueId('tq'), holder);
      const again = { ...holder, runId: uniqueId('golive-next') };
      const refused = await refusal(holdTarget(client(), uniqueId('tq'), again));
      expect(refused.status).toBe(409);
      expect(refused.message).toContain(holder.runId);
      // Overdue (a grace of 0 ms): the server that took the hold died before starting its run.
      const hold = await holdTarget(client(), uniqueId('tq'), again, 0);
      expect(hold.workflowId).toBe(lockIdFor(target));
      const history = await client().workflow.getHandle(hold.workflowId, hold.runId).describe();
      expect(history.memo?.holder).toMatchObject({ runId: again.runId });
      await client().workflow.getHandle(hold.workflowId, hold.runId).terminate('test done');
    },
  );

  it('is released by golive once its run ends, without a claim, saying how it ended', { timeout: 90_000 }, async () => {
    const { taskQueue, run } = await testWorker();
    const target = uniqueTarget();
    await run(async () => {
      // A sign-off nobody gives within a second: the run rolls back on its own.
      const input = inputFor(
        { target, ...oneApproval({ deadline: '1s', onDeadline: 'reject' }) },
        { system: uniqueId('hold') },
      );
      const runId = uniqueId('golive-hold-run');
      const release = new HoldRelease(client(), { lookbackMs: 60_000 });
      await startHeldRun(client(), taskQueue, runId, input);
      const holdRun = (await client().workflow.getHandle(lockIdFor(target)).describe()).runId;
      await release.sweep();
      expect((await client().workflow.getHandle(lockIdFor(target), holdRun).describe()).status.name).toBe('RUNNING');
      await client().workflow.getHandle(runId).result();
      const ended = await eventually(async () => {
        await release.sweep(); // visibility records the close a moment later
        const d = await client().workflow.getHandle(lockIdFor(target), holdRun).describe();
        return d.status.name === 'TERMINATED' ? d : undefined;
      }, 'the hold to be released');
      expect(ended.status.name).toBe('TERMINATED');
      const events = (await client().workflow.getHandle(lockIdFor(target), holdRun).fetchHistory()).events ?? [];
      expect(events.at(-1)?.workflowExecutionTerminatedEventAttributes?.reason).toBe(
        `released: run ${runId} ended (rolled-back)`,
      );
    });
  });

  it('stays with a run reset in Temporal (the run goes on under its id)', { timeout: 90_000 }, async () => {
    const { taskQueue, run } = await testWorker();
    const target = uniqueTarget();
    await run(async () => {
      const runId = await startOn(client(), taskQueue, target);
      const handle = client().workflow.getHandle(runId);
      const base = await eventually(async () => {
        const d = await handle.describe();
        return (d.raw.workflowExecutionInfo?.historyLength?.toNumber() ?? 0) >= 4 ? d : undefined;
      }, 'the first workflow task');
      const events = (await handle.fetchHistory()).events ?? [];
      const firstTaskDone = events.find((e) => e.workflowTaskCompletedEventAttributes)!;
      await client().workflowService.resetWorkflowExecution({
        namespace: 'default',
        workflowExecution: { workflowId: runId, runId: base.runId },
        workflowTaskFinishEventId: firstTaskDone.eventId,
        reason: 'test: an operator reset',
        requestId: randomUUID(),
      });
      // Visibility lists the base run as closed (terminated by the reset) before the release looks.
      await eventually(async () => {
        for await (const r of client().workflow.list({
          query: `WorkflowId = '${runId}' AND ExecutionStatus = 'Terminated'`,
        }))
          return r;
        return undefined;
      }, 'the base run closed in visibility');
      await new HoldRelease(client(), { lookbackMs: 60_000 }).sweep();
      expect((await client().workflow.getHandle(lockIdFor(target)).describe()).status.name).toBe('RUNNING');
      expect((await refusal(startOn(client(), taskQueue, target))).status).toBe(409);
      await handle.terminate('test done');
    });
  });

  it('meets a lock from before holds: its target stays held by the lock child', { timeout: 60_000 }, async () => {
    const { taskQueue, run } = await testWorker();
    const target = uniqueTarget();
    const old = runOn(target);
    await run(async () => {
      // What the server did before holds: update-with-start on the target's lock.
      await client().workflow.executeUpdateWithStart(claimTargetUpdate, {
        args: [{ runId: old.runId, input: old.input, members: [], readerRoles: [] }],
        startWorkflowOperation: new WithStartWorkflowOperation<typeof targetLock>(TARGET_LOCK_WORKFLOW, {
          workflowId: lockIdFor(targetOf(old.input)),
          taskQueue,
          args: [targetOf(old.input)],
          workflowIdConflictPolicy: 'USE_EXISTING',
        }),
      });
      const refused = await refusal(startOn(client(), taskQueue, target));
      expect(refused.status).toBe(409);
      expect(refused.message).toContain(`run ${old.runId}`);
      await client().workflow.getHandle(old.runId).terminate('test: the old go-live is over');
      // The lock ends with its child (its code runs on the worker); then the target is free.
      const next = await eventually(
        () =>
          startOn(client(), taskQueue, target).catch((e: unknown) =>
            e instanceof HttpError ? undefined : Promise.reject(e),
          ),
        'the old lock to end',
      );
      await client().workflow.getHandle(next).terminate('test done');
    });
  });
});
