import { Context } from '@temporalio/activity';

/**
 * The few things actions take from the running activity. Kept in one place so an action reads
 * as "what it does", and tests run it unchanged inside MockActivityEnvironment.
 */
export function activitySignal(): AbortSignal {
  return Context.current().cancellationSignal;
}

/** Progress for the UI and liveness for the heartbeat timeout; also how cancellation arrives. */
export function heartbeat(details: Record<string, unknown>): void {
  Context.current().heartbeat(details);
}

/** Rejects with the cancellation as soon as the activity is cancelled. */
export function sleep(ms: number): Promise<void> {
  return Context.current().sleep(ms);
}

/** Details from the last heartbeat of a previous attempt, so a retry can skip finished phases. */
export function previousHeartbeat(): unknown {
  return Context.current().info.heartbeatDetails;
}

/**
 * Same value on every attempt of this step (workflow id + activity id), never the attempt
 * number: a retried call must look like the first one to the target.
 */
export function idempotencyKey(explicit: string | undefined): string {
  if (explicit) return explicit;
  const info = Context.current().info;
  // Standalone activities have no workflow; their activity id is already caller-chosen.
  const owner = info.workflowExecution?.workflowId;
  return owner === undefined ? info.activityId : `${owner}/${info.activityId}`;
}

/** The go-live run this activity works for (its workflow id, stable across continue-as-new). */
export function owningRun(): string {
  const info = Context.current().info;
  return info.workflowExecution?.workflowId ?? info.activityId;
}

/** Rethrows the activity's cancellation if that is why `error` happened. */
export function rethrowIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason ?? new Error('cancelled');
}
