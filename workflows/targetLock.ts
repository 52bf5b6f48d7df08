import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  ParentClosePolicy,
  patched,
  setHandler,
  startChild,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import { nowIso } from './clock';
import { GO_LIVE_WORKFLOW } from '../src/contract/definitions';
import {
  claimTargetUpdate,
  targetHolderQuery,
  type ClaimOutcome,
  type ClaimTargetInput,
  type TargetHolder,
} from '../src/contract/targetLockDefinitions';
import { initiatorKey, membersKey, readerRolesKey, runbookKey, systemKey } from '../src/contract/searchAttributes';

/**
 * The lock of targets held before holds (src/server/targetHold.ts), which no longer starts
 * locks: it stays so that locks still holding a run replay and end with their run.
 *
 * One open go-live per production target, guaranteed by Temporal: every target has one lock
 * workflow id (`golive-target-<hash>`, src/server/targetLock.ts), which the server starts with an
 * Update (update-with-start, conflict policy "use existing"). Temporal runs one workflow per id
 * and the lock handles its Updates one after the other, so of any number of starts — two clients
 * in the same millisecond included — the first claim starts its go-live as a child and every
 * later one hears whose run holds the target. The lock ends when its go-live ends (however:
 * live, rolled back, terminated), which frees the target. Its go-live outlives it if an operator
 * terminates the lock (parent close policy: abandon).
 *
 * Patched (`golive-lock-early-answer`): a granted claim is answered in the lock's first workflow
 * task, with the child's start requested, not after a second task has seen it started. Temporal
 * starts the child without any worker; the server confirms it by describing the run (server
 * targetLock.ts), so a start no longer waits for a second lock task queued behind every run's
 * tasks (issue 16: at 200 starts at once, 6–16 s). Before, the claim waited for the child.
 */

/** Patch id: the claim answered once the child's start is requested (see above). */
export const LOCK_EARLY_ANSWER_PATCH = 'golive-lock-early-answer';

export async function targetLock(target: string): Promise<void> {
  let holder: TargetHolder | undefined;
  let running: Promise<unknown> | undefined;

  setHandler(targetHolderQuery, () => holder);
  setHandler(
    claimTargetUpdate,
    async (claim): Promise<ClaimOutcome> => {
      if (holder) return { granted: false, holder };
      holder = {
        runId: claim.runId,
        system: claim.input.system,
        initiator: claim.input.initiator,
        target,
        since: nowIso(),
      };
      const child = startChild(GO_LIVE_WORKFLOW, childOptions(claim));
      if (patched(LOCK_EARLY_ANSWER_PATCH)) {
        // A start that fails (its id taken) frees the target; the server's describe tells the caller.
        running = untilEnded(child);
        return { granted: true, startRequested: true };
      }
      try {
        // Whatever way the go-live ends, the target is free again.
        running = untilEnded(Promise.resolve(await child));
      } catch (err) {
        holder = undefined;
        throw ApplicationFailure.create({
          type: 'RunNotStarted',
          message: `the run could not be started: ${err instanceof Error ? err.message : String(err)}`,
          nonRetryable: true,
        });
      }
      return { granted: true };
    },
    {
      validator: (claim) => {
        if (typeof claim?.runId !== 'string' || typeof claim.input?.system !== 'string')
          throw new Error('a claim names its run and carries its input');
      },
    },
  );

  // Hold the target while a go-live runs; a claim that arrives as one ends starts the next.
  for (;;) {
    await condition(() => running !== undefined || allHandlersFinished());
    if (!running) return;
    await running;
    running = undefined;
    holder = undefined;
  }
}

function childOptions(claim: ClaimTargetInput) {
  return {
    workflowId: claim.runId,
    args: [claim.input] as [typeof claim.input],
    parentClosePolicy: ParentClosePolicy.ABANDON,
    typedSearchAttributes: [
      { key: systemKey, value: claim.input.system },
      { key: runbookKey, value: claim.input.runbook.id },
      { key: initiatorKey, value: claim.input.initiator.id },
      { key: membersKey, value: claim.members },
      { key: readerRolesKey, value: claim.readerRoles },
    ],
  };
}

/** Settles when the go-live ends however it ends, or when it could not start. */
function untilEnded(child: Promise<ChildWorkflowHandle<never>>): Promise<void> {
  return child
    .then((c) => c.result())
    .then(
      () => undefined,
      () => undefined,
    );
}
