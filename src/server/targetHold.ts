import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowExecutionDescription,
} from '@temporalio/client';
import { TARGET_HOLD_WORKFLOW, targetHolderQuery, type TargetHolder } from '../contract/targetLockDefinitions';
import { endedInTemporal, isFinalStatus } from '../contract/runStatus';
import { runStateKey } from '../contract/searchAttributes';
import { HttpError } from './errors';
import { lockIdFor } from './targetLock';

/**
 * One open go-live per production target, guaranteed by Temporal: a target's hold is a workflow
 * with the target's one id (`golive-target-<hash>`), started with conflict policy "fail", so of
 * any number of starts (two servers in the same millisecond included) one gets the hold and
 * every other hears who has it. The hold runs no code: it sits on a task queue no worker polls,
 * which makes a claim one start call with no workflow task to wait for (issue 16: the lock
 * workflow it replaces wrote ≈18 events and 3 workflow tasks per run, and a start waited for
 * the first of them behind every run's tasks).
 *
 * The hold is worth what its holder is: it names its run in its memo, and a claim that meets a
 * hold whose run has ended (however: live, rolled back, terminated) ends that hold and takes the
 * target. golive also ends holds as their runs end (holdRelease.ts), so Temporal's list shows
 * held targets only. A hold whose run never started (its server died between the two starts)
 * gives the target up after START_GRACE_MS.
 *
 * Runs started before this change are children of a lock workflow (workflows/targetLock.ts) on
 * the same id: while one runs, its target is held, and its holder is asked of it.
 */

export interface HoldRef {
  workflowId: string;
  runId: string;
}

/** How long a hold names a run that does not exist yet before its target counts as free. */
export const START_GRACE_MS = 120_000;
/** Holds ended under a claim (their runs had ended) before it gives up: each end is another's. */
const CLAIM_ATTEMPTS = 4;

/** The task queue of holds: no worker polls it, so a hold never runs a workflow task. */
export function holdQueueOf(taskQueue: string): string {
  return `${taskQueue}-target-holds`;
}

/** Takes the target for `holder.runId`, or throws 409 naming the run that holds it. */
export async function holdTarget(
  client: Client,
  taskQueue: string,
  holder: TargetHolder,
  startGraceMs = START_GRACE_MS,
): Promise<HoldRef> {
  const workflowId = lockIdFor(holder.target);
  for (let attempt = 1; ; attempt++) {
    try {
      const handle = await client.workflow.start(TARGET_HOLD_WORKFLOW, {
        workflowId,
        taskQueue: holdQueueOf(taskQueue),
        args: [],
        memo: { holder },
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      });
      return { workflowId, runId: handle.firstExecutionRunId };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    const current = await holdOf(client, workflowId, startGraceMs);
    if (current.held) throw heldBy(holder.target, current.holder);
    if (current.stale) await endHold(client, current.stale, `released: ${current.why}`);
    if (attempt >= CLAIM_ATTEMPTS)
      throw new HttpError(409, `${holder.target} changed hands ${attempt} times during this start: start again`);
  }
}

type HoldState =
  { held: true; holder: TargetHolder } | { held: false; stale?: HoldRef; why?: string; holder?: undefined };

/** Who holds the target now, as Temporal says (no worker needed for a hold of this version). */
async function holdOf(client: Client, workflowId: string, startGraceMs: number): Promise<HoldState> {
  const hold = await describeOrNone(client, workflowId);
  if (!hold || hold.status.name !== 'RUNNING') return { held: false }; // ended meanwhile: try again
  // A lock from before holds (or anything else under a target's id): held while it runs.
  if (hold.type !== TARGET_HOLD_WORKFLOW) return { held: true, holder: await lockHolder(client, hold) };
  const holder = hold.memo?.holder as TargetHolder | undefined;
  const ref = { workflowId, runId: hold.runId };
  if (!holder) return { held: false, stale: ref, why: 'the hold names no run' };
  const run = await describeOrNone(client, holder.runId);
  if (run?.status.name === 'RUNNING') return { held: true, holder };
  if (run) return { held: false, stale: ref, why: `run ${holder.runId} ended (${howEnded(run)})` };
  if (Date.now() - hold.startTime.getTime() < startGraceMs) return { held: true, holder };
  return { held: false, stale: ref, why: `run ${holder.runId} never started` };
}

/**
 * How a run ended, in golive's words when the run said it (live, rolled-back…), else the state
 * Temporal's status gives it (terminated, timed-out…: a run ended in Temporal never said
 * anything, its last state is not its end), as the run list and the run's page show it. The reason
 * a hold is ended with, by a claim or by the release.
 */
export function howEnded(run: WorkflowExecutionDescription): string {
  const state = run.typedSearchAttributes.get(runStateKey);
  if (state && isFinalStatus(state)) return state;
  return endedInTemporal(state, run.status.name) ?? run.status.name.toLowerCase();
}

/** A lock from before holds: it answers who holds it; if it cannot, its child is named. */
async function lockHolder(client: Client, lock: WorkflowExecutionDescription): Promise<TargetHolder> {
  const holder = await client.workflow
    .getHandle(lock.workflowId)
    .query(targetHolderQuery)
    .catch(() => undefined);
  if (holder) return holder;
  const child = lock.raw.pendingChildren?.[0]?.workflowId ?? lock.workflowId;
  return { runId: child, system: '?', initiator: { id: '?' }, target: '?', since: lock.startTime.toISOString() };
}

/** The workflow as Temporal describes it (no worker needed), or undefined when there is none. */
export async function describeOrNone(
  client: Client,
  workflowId: string,
): Promise<WorkflowExecutionDescription | undefined> {
  return client.workflow
    .getHandle(workflowId)
    .describe()
    .catch((e: unknown) => {
      if (e instanceof WorkflowNotFoundError) return undefined;
      throw e;
    });
}

/** Ends this hold (this run of it, never a newer one); one that has already ended is fine. */
export async function endHold(client: Client, hold: HoldRef, reason: string): Promise<void> {
  await client.workflow
    .getHandle(hold.workflowId, hold.runId)
    .terminate(reason)
    .catch((e: unknown) => {
      if (!(e instanceof WorkflowNotFoundError)) throw e;
    });
}

function heldBy(target: string, holder: TargetHolder): HttpError {
  const who = holder.initiator.name ? `${holder.initiator.name} (${holder.initiator.id})` : holder.initiator.id;
  return new HttpError(
    409,
    `${target} already has a go-live in flight: run ${holder.runId} (system ${holder.system}, started by ${who} at ${holder.since}); finish, stop or roll it back before starting another`,
    { runId: holder.runId },
  );
}
