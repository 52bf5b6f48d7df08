import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import { getRunStateQuery, REFUSAL_TYPES, type RefusalType } from '../contract/definitions';
import { Refusal } from '../contract/policy';

/**
 * Sending a human message (decision, evidence) to a run, for the server and the CLI alike.
 *
 * A worker that has just taken over a run (after a crash) can run an Update's validator in the
 * same activation as history it is still applying: the SDK runs Update jobs before activity
 * resolutions, so a step that is about to start waiting can look "pending" for that one task.
 * A query makes the worker catch up; if the step then waits, the decision is sent once more.
 * The validator stays strict, and nothing is written to history by the refused first attempt.
 * The catch-up look is bounded and only ever helps: when it does not answer (a run closing under
 * a crowd of racing decisions can leave a query unanswered for 30 s), the refusal stands, never
 * an outage.
 */
/** How long the look after a "not waiting" refusal may take before the refusal is answered as it is. */
const CATCH_UP_LOOK_MS = 5_000;

export async function sendStepMessage<Ret, Input extends { stepId: string }>(
  handle: WorkflowHandle,
  update: UpdateDefinition<Ret, [Input]>,
  input: Input,
  /** The Update's id (an idempotency key); a refused first attempt left nothing under it. */
  updateId?: string,
): Promise<Ret> {
  const options = { args: [input] as [Input], ...(updateId ? { updateId } : {}) };
  try {
    return await handle.executeUpdate(update, options);
  } catch (err) {
    if (refusalOf(err)?.type !== REFUSAL_TYPES.notWaiting) throw err;
    const state = await handle.client
      .withDeadline(Date.now() + CATCH_UP_LOOK_MS, () => handle.query(getRunStateQuery))
      .catch(() => undefined);
    if (state?.steps.find((s) => s.id === input.stepId)?.status !== 'waiting') throw err;
    return handle.executeUpdate(update, options);
  }
}

/** The workflow's reason for refusing an Update, or undefined for any other error. */
function refusalOf(err: unknown): Refusal | undefined {
  if (!(err instanceof WorkflowUpdateFailedError)) return undefined;
  const cause = err.cause;
  if (!(cause instanceof ApplicationFailure) || !cause.type) return undefined;
  const known = Object.values(REFUSAL_TYPES) as string[];
  return known.includes(cause.type) ? new Refusal(cause.type as RefusalType, cause.message) : undefined;
}
