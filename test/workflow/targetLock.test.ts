import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimTarget, targetOf } from '../../src/server/targetLock';
import { HttpError } from '../../src/server/errors';
import type { ClaimTargetInput } from '../../src/contract/targetLockDefinitions';
import { WORKFLOW_STACK_FRAMES } from '../../workflows/stackFrames';
import { LOCK_EARLY_ANSWER_PATCH } from '../../workflows/targetLock';
import { inputFor, oneApproval } from '../support/runs';
import { testWorker, uniqueId, useTestClient } from '../support/temporal';

/**
 * A start through the target lock (workflows/targetLock.ts) is answered in the lock's first
 * workflow task: the claim is granted once the run's start is requested, and the server confirms
 * the run exists (as the lock's child) without waiting for a second lock task (issue 16).
 */

function claimFor(target: string): ClaimTargetInput {
  const input = inputFor({ target, ...oneApproval() }, { system: uniqueId('lock') });
  return { runId: uniqueId('golive-lock-run'), input, members: [], readerRoles: [] };
}

describe('the target lock', () => {
  const client = useTestClient({ beforeAll, afterAll });

  it(
    'answers a granted claim before the run has started, the run exists when the claim returns, and a second claim hears who holds the target',
    { timeout: 60_000 },
    async () => {
      const { taskQueue, run } = await testWorker();
      const target = `https://${uniqueId('lock')}.example.com`;
      const first = claimFor(target);
      await run(async () => {
        await claimTarget(client(), taskQueue, first);
        const described = await client().workflow.getHandle(first.runId).describe();
        expect(described.status.name).toBe('RUNNING');
        const lockId = described.parentExecution?.workflowId;
        expect(lockId).toMatch(/^golive-target-/);

        const second = await claimTarget(client(), taskQueue, claimFor(target)).catch((e: unknown) => e);
        expect(second).toBeInstanceOf(HttpError);
        expect((second as HttpError).status).toBe(409);
        expect((second as HttpError).message).toContain(first.runId);

        // The lock's history: the patch marker, and the claim's answer in the task that asked
        // for the child, before Temporal recorded the child as started.
        const events = (await client().workflow.getHandle(lockId!).fetchHistory()).events ?? [];
        const index = (pred: (e: (typeof events)[number]) => unknown) => events.findIndex(pred);
        expect(
          events.some((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch'),
          `${LOCK_EARLY_ANSWER_PATCH} marker`,
        ).toBe(true);
        const completed = index((e) => e.workflowExecutionUpdateCompletedEventAttributes);
        const childStarted = index((e) => e.childWorkflowExecutionStartedEventAttributes);
        expect(completed).toBeGreaterThan(0);
        expect(childStarted).toBeGreaterThan(completed);

        // Errors made in workflow code keep WORKFLOW_STACK_FRAMES frames (workflows/stackFrames.ts):
        // the SDK's stack trace query answers from the stacks its promise hook captured.
        const stacks: string = await client().workflow.getHandle(first.runId).query('__stack_trace');
        const frames = stacks
          .split('\n\n')
          .filter((s) => s.trim())
          .map((s) => s.split('\n').filter((l) => l.trim().startsWith('at ')).length);
        expect(frames.length).toBeGreaterThan(0);
        expect(Math.max(...frames)).toBeLessThanOrEqual(WORKFLOW_STACK_FRAMES);

        await client().workflow.getHandle(first.runId).terminate('test done');
      });
      expect(targetOf(first.input)).toBe(target);
    },
  );
});
