import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { approveStepUpdate, type RunStateView } from '../../src/contract/definitions';
import { actor, inputFor, people, startRun, waitForState } from '../support/runs';
import { useTestClient, testWorker } from '../support/temporal';
import { eventually } from '../support/eventually';

/**
 * Step deadlines on the run's one timer (workflows/deadlineAlarm.ts, patched
 * 'golive-deadline-alarm'): a timer kept from an earlier step that rings before the next step's
 * deadline does not end that step early, and a step whose deadline comes before the timer kept
 * gets a timer of its own. Both histories replay.
 */

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const typeOf = (e: HistoryEvent) => temporal.api.enums.v1.EventType[e.eventType!]!.replace(/^EVENT_TYPE_/, '');

function twoApprovals(firstDeadline: string, secondDeadline: string) {
  return inputFor({
    steps: [
      { id: 'first', kind: 'approval', title: 'First', approvers: [{ role: 'guardian' }], deadline: firstDeadline },
      {
        id: 'second',
        kind: 'approval',
        title: 'Second',
        approvers: [{ role: 'business-sponsor' }],
        deadline: secondDeadline,
        onDeadline: 'reject',
      },
    ],
  });
}

const stepOf = (s: RunStateView, id: string) => s.steps.find((x) => x.id === id);

/**
 * Approves the first step once its deadline's timer is in the history (a query can see the step
 * waiting before the task that started the timer is recorded; an approval in between would
 * leave no timer to keep), then waits until the run has ended on the second step's deadline.
 */
async function missSecondDeadline(handle: WorkflowHandle): Promise<{ secondWaiting: number; failedAt: number }> {
  await waitForState(handle, (s) => stepOf(s, 'first')?.status === 'waiting');
  await eventually(async () => {
    const events = (await handle.fetchHistory()).events ?? [];
    return events.some((e) => typeOf(e) === 'TIMER_STARTED') ? true : undefined;
  }, "the first step's deadline timer");
  await handle.executeUpdate(approveStepUpdate, { args: [{ actor: actor(people.guardian), stepId: 'first' }] });
  const ended = await waitForState(handle, (s) => s.failure?.kind === 'deadline', 30_000);
  expect(ended.failure).toMatchObject({ kind: 'deadline', stepId: 'second' });
  return { secondWaiting: Date.parse(stepOf(ended, 'second')!.startedAt!), failedAt: Date.parse(ended.failure!.at) };
}

async function replays(handle: WorkflowHandle): Promise<HistoryEvent[]> {
  const history = await handle.fetchHistory();
  const replay = await Worker.runReplayHistory(
    { workflowBundle: { codePath: inject('workflowBundlePath') } },
    history,
    handle.workflowId,
  );
  expect(replay).toBeUndefined();
  return history.events ?? [];
}

describe('step deadlines on one timer', () => {
  const client = useTestClient({ beforeAll, afterAll });

  it('a timer kept from the step before rings early: the next step waits on to its own deadline', async () => {
    const { taskQueue, run } = await testWorker();
    await run(async () => {
      const handle = await startRun(client(), taskQueue, twoApprovals('2s', '5s'));
      const { secondWaiting, failedAt } = await missSecondDeadline(handle);
      // The first step's timer (2 s) rang while the second waited; its deadline is 5 s after it began.
      expect(failedAt - secondWaiting).toBeGreaterThanOrEqual(5000);
      const events = await replays(handle);
      const decision = events.findIndex((e) => typeOf(e) === 'WORKFLOW_EXECUTION_UPDATE_ACCEPTED');
      const answered = events.findIndex((e) => typeOf(e) === 'WORKFLOW_EXECUTION_UPDATE_COMPLETED');
      expect(events.slice(decision, answered).filter((e) => /^TIMER_/.test(typeOf(e)))).toEqual([]);
      // One timer at a time: the kept one rang, then one for the second step's deadline.
      expect(events.filter((e) => typeOf(e) === 'TIMER_STARTED').length).toBe(2);
      expect(events.some((e) => typeOf(e) === 'TIMER_CANCELED')).toBe(false);
      expect(events.some((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')).toBe(true);
    });
  });

  it('a step whose deadline comes before the timer kept gets a timer of its own', async () => {
    const { taskQueue, run } = await testWorker();
    await run(async () => {
      // Were the hour-long timer kept for the second step, the run would not end within the wait.
      const handle = await startRun(client(), taskQueue, twoApprovals('1h', '2s'));
      const { secondWaiting, failedAt } = await missSecondDeadline(handle);
      expect(failedAt - secondWaiting).toBeGreaterThanOrEqual(2000);
      const events = await replays(handle);
      // Its own timer, of at most its 2 s. (Whether the hour-long one shows as cancelled depends
      // on whether its start had reached Temporal when the decision came: not asserted.)
      const seconds = events
        .map((e) => e.timerStartedEventAttributes?.startToFireTimeout?.seconds)
        .filter((s) => s !== undefined && s !== null)
        .map(Number);
      expect(seconds.some((s) => s <= 2)).toBe(true);
    });
  });
});
