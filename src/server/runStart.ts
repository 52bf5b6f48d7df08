import { isGrpcDeadlineError, type Client } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import { GO_LIVE_WORKFLOW, type GoLiveInput } from '../contract/definitions';
import { authorityOf } from '../contract/policy';
import {
  initiatorKey,
  membersKey,
  readerRolesKey,
  runbookKey,
  runStateKey,
  systemKey,
  waitingRolesKey,
} from '../contract/searchAttributes';
import type { RunStatus } from '../contract/runStatus';
import { GRPC, grpcCodeOf, HttpError } from './errors';
import { describeOrNone, endHold, holdTarget, type HoldRef } from './targetHold';
import { targetOf } from './targetLock';

/**
 * Starts a go-live: its target's hold first (targetHold.ts: 409 if another run has it), then the
 * run itself, a plain start that needs no worker. The run's memo names its hold, so golive
 * ends the hold when the run ends (holdRelease.ts).
 */

/** How long each of the two starts may take before the caller hears 503. */
const START_DEADLINE_MS = 20_000;

export const HOLD_MEMO = 'targetHold';
/**
 * When golive started the run, in its memo: Temporal carries a run's memo into the execution it
 * continues as, so the list (visibility only) says the run's own start, not its latest
 * execution's, at no event's cost (the memo is part of the start).
 */
export const STARTED_MEMO = 'startedAt';

/** What a run's memo holds from its start: its hold, and when it was started. */
export function startMemo(hold: HoldRef | undefined, startedAt = new Date()): Record<string, unknown> {
  return { ...(hold ? { [HOLD_MEMO]: hold } : {}), [STARTED_MEMO]: startedAt.toISOString() };
}

/** The state a run shows from its start: what the workflow's first task would otherwise upsert. */
const FIRST_STATE: RunStatus = 'running';

/**
 * What a run is found by in visibility: its identity, who may read it (the list's filter), and
 * its first state with no one waiting yet. A run started with the values its first workflow task
 * holds writes no upsert for them (the workflow upserts only values that differ from what the
 * run shows: workflows/searchAttributeBatch.ts), one history event and visibility write fewer
 * (issue 16), and the list shows it `running` before a worker has taken it.
 */
export function runSearchAttributes(input: GoLiveInput): SearchAttributePair[] {
  return [
    { key: systemKey, value: input.system },
    { key: runbookKey, value: input.runbook.id },
    { key: initiatorKey, value: input.initiator.id },
    { key: membersKey, value: [...new Set([input.initiator.id, ...Object.values(input.assignments).flat()])] },
    { key: readerRolesKey, value: authorityOf(input.runbook).read },
    { key: runStateKey, value: FIRST_STATE },
    { key: waitingRolesKey, value: [] },
  ];
}

export async function startHeldRun(
  client: Client,
  taskQueue: string,
  workflowId: string,
  input: GoLiveInput,
): Promise<void> {
  const hold = await client.withDeadline(Date.now() + START_DEADLINE_MS, () =>
    holdTarget(client, taskQueue, {
      runId: workflowId,
      system: input.system,
      initiator: input.initiator,
      target: targetOf(input),
      since: new Date().toISOString(),
    }),
  );
  try {
    await client.withDeadline(Date.now() + START_DEADLINE_MS, () =>
      client.workflow.start(GO_LIVE_WORKFLOW, {
        workflowId,
        taskQueue,
        args: [input],
        memo: startMemo(hold),
        typedSearchAttributes: runSearchAttributes(input),
      }),
    );
  } catch (err) {
    await afterFailedStart(client, workflowId, hold, err);
  }
}

/**
 * A start whose answer did not come in time (Temporal reachable, busy) may have happened:
 * Temporal says whether the run exists, without a worker. If it does, the start succeeded; if not,
 * a 503 that names the run, which may still start, so the caller looks before starting again
 * (the hold keeps the target for it meanwhile). A start refused outright gives the target back.
 */
async function afterFailedStart(client: Client, workflowId: string, hold: HoldRef, err: unknown): Promise<void> {
  const unanswered = isGrpcDeadlineError(err) && grpcCodeOf(err) !== GRPC.unavailable;
  if (!unanswered) {
    await endHold(client, hold, `released: run ${workflowId} did not start`).catch(() => undefined);
    throw err;
  }
  const run = await describeOrNone(client, workflowId).catch(() => {
    throw err; // Temporal is away after all: the outage's own 503
  });
  if (run) return;
  throw new HttpError(
    503,
    `Temporal did not confirm the start of run ${workflowId} within ${START_DEADLINE_MS / 1000} s (it is busy); the run may still start: look for run ${workflowId} before starting again`,
    { runId: workflowId, code: 'start_unconfirmed', headers: { 'Retry-After': '5' } },
  );
}
