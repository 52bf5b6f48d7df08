import { createHash } from 'node:crypto';
import {
  isGrpcDeadlineError,
  WithStartWorkflowOperation,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import type { GoLiveInput } from '../contract/definitions';
import {
  claimTargetUpdate,
  TARGET_LOCK_WORKFLOW,
  type ClaimOutcome,
  type ClaimTargetInput,
  type TargetHolder,
} from '../contract/targetLockDefinitions';
import type { targetLock } from '../../workflows/targetLock';
import { GRPC, grpcCodeOf, HttpError } from './errors';

/**
 * The server's side of the per-target lock (workflows/targetLock.ts): which target a run goes
 * live on, the lock's workflow id for it, and the claim that starts the run or names the one that
 * holds the target.
 */

/**
 * The target a run's input names: the runbook's `target` as filled at start (URLs compared by
 * scheme, host, port and path, so `http://Host:80/` and `http://host` are one target, and the
 * loopback by any of its names), else its system name.
 */
export function targetOf(input: Pick<GoLiveInput, 'runbook' | 'system'>): string {
  const declared = input.runbook.target?.trim();
  if (!declared) return `system ${input.system}`;
  try {
    const u = new URL(declared);
    if (u.protocol === 'http:' || u.protocol === 'https:')
      return `${u.protocol}//${hostOf(u)}${u.pathname.replace(/\/+$/, '')}${u.search}`;
  } catch {
    // not a URL: the text itself names the target
  }
  return declared;
}

/**
 * The URL's host and port, every name of this machine's loopback written as `localhost`: the
 * same production reached as `localhost`, `127.0.0.1` or `[::1]` is one target (found by QA: a
 * second run on `localhost` rolled back the live system the first run held as `127.0.0.1`).
 * Other aliases (two DNS names, one server) are beyond what a URL can tell.
 */
function hostOf(u: URL): string {
  const h = u.hostname;
  const loopback = h === 'localhost' || h.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(h) || h === '[::1]';
  return loopback ? `localhost${u.port ? `:${u.port}` : ''}` : u.host;
}

function lockIdFor(target: string): string {
  return `golive-target-${createHash('sha256').update(target).digest('hex').slice(0, 32)}`;
}

/** How long a start waits for a worker to take the claim; after that the caller hears 503. */
const CLAIM_DEADLINE_MS = 20_000;
/** A lock that ends while a claim reaches it: the claim is sent again (a fresh lock starts). */
const CLAIM_ATTEMPTS = 3;

export async function claimTarget(client: Client, taskQueue: string, claim: ClaimTargetInput): Promise<void> {
  const target = targetOf(claim.input);
  const deadline = Date.now() + CLAIM_DEADLINE_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      const outcome: ClaimOutcome = await client.withDeadline(Date.now() + CLAIM_DEADLINE_MS, () =>
        client.workflow.executeUpdateWithStart(claimTargetUpdate, {
          args: [claim],
          startWorkflowOperation: new WithStartWorkflowOperation<typeof targetLock>(TARGET_LOCK_WORKFLOW, {
            workflowId: lockIdFor(target),
            taskQueue,
            args: [target],
            workflowIdConflictPolicy: 'USE_EXISTING',
          }),
        }),
      );
      if (!outcome.granted) throw heldBy(target, outcome.holder);
      if (outcome.startRequested) await confirmStarted(client, claim.runId, lockIdFor(target), deadline);
      return;
    } catch (err) {
      if (err instanceof HttpError) throw err;
      if (isUnanswered(err)) return afterUnansweredClaim(client, claim.runId, err);
      if (
        err instanceof WorkflowUpdateFailedError &&
        err.cause instanceof ApplicationFailure &&
        err.cause.type === 'RunNotStarted'
      )
        throw err;
      // The lock closed under the claim (its go-live just ended): a new lock takes it.
      const lockClosed =
        err instanceof WorkflowNotFoundError ||
        (err instanceof WorkflowUpdateFailedError && !(err.cause instanceof ApplicationFailure));
      if (!lockClosed || attempt >= CLAIM_ATTEMPTS) throw err;
    }
  }
}

/**
 * The claim's answer did not come within the deadline (Temporal reachable, its workers busy: at
 * 200 starts at once the lock's tasks queue behind the runs'), and the claim may have been
 * granted meanwhile. An unreachable Temporal (UNAVAILABLE, the fail-fast) is the outage mapper's.
 */
function isUnanswered(err: unknown): boolean {
  return (
    (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || isGrpcDeadlineError(err)) &&
    grpcCodeOf(err) !== GRPC.unavailable
  );
}

/**
 * Whether the run started is Temporal's to say, without the worker: started, the start succeeded
 * (the caller gets its run id); not yet, a 503 that names the run, which may still start, so the
 * caller looks it up before starting again. Never the misleading "Temporal is unreachable".
 */
async function afterUnansweredClaim(client: Client, runId: string, err: unknown): Promise<void> {
  const started = await client.workflow
    .getHandle(runId)
    .describe()
    .then(
      () => true,
      (e: unknown) => {
        if (e instanceof WorkflowNotFoundError) return false;
        throw err; // Temporal is away after all: the outage's own 503
      },
    );
  if (started) return;
  throw unconfirmed(runId);
}

function unconfirmed(runId: string): HttpError {
  return new HttpError(
    503,
    `Temporal did not confirm the start of run ${runId} within ${CLAIM_DEADLINE_MS / 1000} s (its workers are busy); the run may still start: look for run ${runId} before starting again`,
    { runId, code: 'start_unconfirmed', headers: { 'Retry-After': '5' } },
  );
}

/** Pauses between looks whether a requested start happened (Temporal starts it within milliseconds). */
const CONFIRM_PAUSES_MS = [5, 10, 20, 50, 100, 200];

/**
 * The lock answered once it asked Temporal to start the run (workflows/targetLock.ts, patched):
 * the run exists when Temporal describes it as the lock's child, which needs no worker. A run
 * of that id with another parent is not this start's (its id was taken): the start failed.
 */
async function confirmStarted(client: Client, runId: string, lockId: string, deadline: number): Promise<void> {
  for (let look = 0; ; look++) {
    const parent = await client.workflow
      .getHandle(runId)
      .describe()
      .then(
        (d) => d.parentExecution?.workflowId ?? '',
        (e: unknown) => {
          if (e instanceof WorkflowNotFoundError) return undefined;
          throw e;
        },
      );
    if (parent === lockId) return;
    if (parent !== undefined)
      throw new Error(`the run could not be started: the id ${runId} is taken by another workflow`);
    if (Date.now() >= deadline) throw unconfirmed(runId);
    await new Promise((r) => setTimeout(r, CONFIRM_PAUSES_MS[Math.min(look, CONFIRM_PAUSES_MS.length - 1)]));
  }
}

function heldBy(target: string, holder: TargetHolder): HttpError {
  const who = holder.initiator.name ? `${holder.initiator.name} (${holder.initiator.id})` : holder.initiator.id;
  return new HttpError(
    409,
    `${target} already has a go-live in flight: run ${holder.runId} (system ${holder.system}, started by ${who} at ${holder.since}); finish, stop or roll it back before starting another`,
    { runId: holder.runId },
  );
}
