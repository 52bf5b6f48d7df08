import { Context } from '@temporalio/activity';
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { systemKey } from '../src/contract/searchAttributes';
import {
  OVERSIGHT_REVIEW_WORKFLOW,
  oversightScheduleId,
  reviewWorkflowIdPrefix,
  type ReviewInput,
} from '../src/contract/reviewDefinitions';

/**
 * The oversight duties of a go-live as durable Temporal Schedules (visible in the Temporal UI
 * and in golive). Activities, because a schedule is created through the Temporal client: the
 * worker's own (`Context.current().client`). Ids derive from the run and the duty, so a retried
 * activity finds the schedule it already made and changes nothing.
 */

interface CreateOversightSchedulesParams {
  runId: string;
  /** The task queue the reviews run on: the go-live's own. */
  taskQueue: string;
  reviews: ReviewInput[];
}

interface OversightSchedule {
  dutyId: string;
  scheduleId: string;
  every: string;
}

async function createOversightSchedules(params: CreateOversightSchedulesParams): Promise<OversightSchedule[]> {
  const client = Context.current().client;
  const made: OversightSchedule[] = [];
  for (const review of params.reviews) {
    const scheduleId = oversightScheduleId(params.runId, review.duty.id);
    try {
      await client.schedule.create({
        scheduleId,
        spec: { intervals: [{ every: review.duty.every }] },
        action: {
          type: 'startWorkflow',
          workflowType: OVERSIGHT_REVIEW_WORKFLOW,
          workflowId: reviewWorkflowIdPrefix(params.runId, review.duty.id),
          taskQueue: params.taskQueue,
          args: [review],
          typedSearchAttributes: [{ key: systemKey, value: review.system }],
        },
        // Every period gets its own review, even while an earlier one still waits.
        policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL },
        state: {
          note: `oversight of ${review.system} (go-live ${params.runId}, Mode ${review.collaborationMode}): ${review.duty.title}`,
        },
        typedSearchAttributes: [{ key: systemKey, value: review.system }],
        memo: { parentRunId: params.runId, dutyId: review.duty.id },
      });
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    }
    made.push({ dutyId: review.duty.id, scheduleId, every: review.duty.every });
  }
  return made;
}

interface SettleOversightSchedulesParams {
  scheduleIds: string[];
  /** pause: the line was stopped (kept for the record, resumable); delete: the run rolled back. */
  action: 'pause' | 'delete';
  note: string;
}

async function settleOversightSchedules(params: SettleOversightSchedulesParams): Promise<{ settled: string[] }> {
  const client = Context.current().client;
  const settled: string[] = [];
  for (const id of params.scheduleIds) {
    const handle = client.schedule.getHandle(id);
    try {
      if (params.action === 'pause') await handle.pause(params.note.slice(0, 1000));
      else await handle.delete();
      settled.push(id);
    } catch (err) {
      // Deleted already (an earlier attempt, or an operator): nothing left to settle.
      if (err instanceof ScheduleNotFoundError) continue;
      throw ApplicationFailure.retryable(
        `could not ${params.action} schedule ${id}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
  return { settled };
}

export function createOversightActivities() {
  return { createOversightSchedules, settleOversightSchedules };
}
export type OversightActivities = ReturnType<typeof createOversightActivities>;
