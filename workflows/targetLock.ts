import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  defineQuery,
  ParentClosePolicy,
  setHandler,
  startChild,
} from '@temporalio/workflow';
import { nowIso } from './clock';
import { GO_LIVE_WORKFLOW } from '../src/contract/definitions';
import { claimTargetUpdate, type ClaimOutcome, type TargetHolder } from '../src/contract/targetLockDefinitions';
import { initiatorKey, membersKey, readerRolesKey, runbookKey, systemKey } from '../src/contract/searchAttributes';

/**
 * One open go-live per production target, guaranteed by Temporal: every target has one lock
 * workflow id (`golive-target-<hash>`, src/server/targetLock.ts), which the server starts with an
 * Update (update-with-start, conflict policy "use existing"). Temporal runs one workflow per id
 * and the lock handles its Updates one after the other, so of any number of starts — two clients
 * in the same millisecond included — the first claim starts its go-live as a child and every
 * later one hears whose run holds the target. The lock ends when its go-live ends (however:
 * live, rolled back, terminated), which frees the target. Its go-live outlives it if an operator
 * terminates the lock (parent close policy: abandon).
 */

const targetHolderQuery = defineQuery<TargetHolder | undefined>('targetHolder');

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
      try {
        const child = await startChild(GO_LIVE_WORKFLOW, {
          workflowId: claim.runId,
          args: [claim.input],
          parentClosePolicy: ParentClosePolicy.ABANDON,
          typedSearchAttributes: [
            { key: systemKey, value: claim.input.system },
            { key: runbookKey, value: claim.input.runbook.id },
            { key: initiatorKey, value: claim.input.initiator.id },
            { key: membersKey, value: claim.members },
            { key: readerRolesKey, value: claim.readerRoles },
          ],
        });
        // Whatever way the go-live ends, the target is free again.
        running = child.result().then(
          () => undefined,
          () => undefined,
        );
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
