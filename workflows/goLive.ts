import {
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  patched,
  workflowInfo,
} from '@temporalio/workflow';
import { nowIso as now, nowMs } from './clock';
import type { GoLiveInput, RunStateView } from '../src/contract/definitions';
import { registerHandlers } from './handlers';
import {
  CHECKPOINT,
  failureMessage,
  patchedSince,
  RunAborted,
  RunContext,
  showFailure,
  type Outcome,
} from './runContext';
import { settleOversight } from './oversight';
import { RunState } from './runState';
import { compensate } from './saga';
import { initiatorKey, runbookKey, systemKey } from '../src/contract/searchAttributes';
import { HYPERCARE_PASSES_PATCH, runStep } from './stepRunners';
import { sendThanks } from './recognition';
import type { HypercareStep } from '../src/contract/schemas/runbook';

/**
 * The go-live interpreter: one generic, durable workflow that runs any validated runbook.
 * It schedules steps by their `after` dependencies (stepRunners.ts runs each kind), waits for
 * people with deadlines and escalation (waiting.ts), and when anything goes wrong undoes every
 * completed step in reverse (saga.ts). State lives in RunState, messages in handlers.ts, the
 * approval policy in policy.ts.
 */
export async function goLive(input: GoLiveInput): Promise<RunStateView> {
  const state = new RunState(input, now());
  const planScope = new CancellationScope();
  const ctx = new RunContext(input, state, () => planScope.cancel());

  ctx.hypercare = carriedHypercare(state);
  registerHandlers(state, {
    abort: (failure) => ctx.abort(failure),
    changed: () => ctx.syncSearchAttributes(),
    hypercare: () => ctx.hypercare,
    now,
    nowMs,
    runId: workflowInfo().workflowId,
  });

  // Runs started by other clients may lack the identity attributes the run list filters on;
  // the run sets them itself. Patched: histories recorded before this upsert replay without it.
  if (patchedSince('golive-identity-search-attributes')) {
    ctx.showAttributes([
      { key: systemKey, value: input.system },
      { key: runbookKey, value: input.runbookRef.id },
      { key: initiatorKey, value: input.initiator.id },
    ]);
  }
  ctx.syncSearchAttributes();
  let outcome: Outcome = undefined;
  try {
    outcome = await planScope.run(() => executePlan(ctx, state));
  } catch (err) {
    if (!(err instanceof RunAborted) && !state.data.failure) {
      // The workflow itself was cancelled (or the plan broke): roll back all the same.
      state.fail({ kind: isCancellation(err) ? 'cancelled' : 'action-failed', reason: failureMessage(err), at: now() });
    }
  }

  if (outcome === CHECKPOINT && !state.data.failure) {
    await condition(allHandlersFinished);
    if (!state.data.failure) {
      ctx.flushSearchAttributes();
      return continueAsNew<typeof goLive>({ ...input, carried: state.data });
    }
  }

  await settle(ctx, state);
  await sendThanks(ctx); // answered while rolling back: thanked all the same
  state.closeOpenReports(now());
  state.data.endedAt = now();
  ctx.syncSearchAttributes();
  await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
  ctx.flushSearchAttributes(); // no command may follow the run's completion
  return state.view();
}

/** Runs every step once its dependencies completed; parallel where the runbook allows. */
async function executePlan(ctx: RunContext, state: RunState): Promise<Outcome> {
  const done = new Set(state.data.steps.filter((s) => s.status === 'completed').map((s) => s.id));
  const inFlight = new Map<string, Promise<{ id: string; outcome: Outcome }>>();
  const started = new Set(done);
  while (done.size < state.plan.length) {
    for (const { step, after } of state.plan) {
      if (started.has(step.id) || !after.every((d) => done.has(d))) continue;
      started.add(step.id);
      const running = runStep(ctx, step).then((outcome): { id: string; outcome: Outcome } => ({
        id: step.id,
        outcome,
      }));
      running.catch(() => undefined); // a failure is handled through Promise.race below
      inFlight.set(step.id, running);
    }
    if (inFlight.size === 0) throw new Error('runbook plan is stuck: a step waits for one that never runs');
    const { id, outcome } = await Promise.race(inFlight.values());
    inFlight.delete(id);
    if (outcome === CHECKPOINT) return CHECKPOINT;
    done.add(id);
  }
}

/** How the run ends: rolled back (cancelling what still waits) after a failure, else live. */
async function settle(ctx: RunContext, state: RunState): Promise<void> {
  if (state.data.failure) {
    showFailure(state.data.failure);
    for (const s of state.data.steps)
      if (s.status === 'waiting' || s.status === 'running') state.setStep(s.id, 'cancelled', now());
    await compensate(ctx);
    await settleOversight(ctx);
    const anyFailed = state.data.compensations.some((c) => c.status === 'failed');
    state.setStatus(
      anyFailed ? 'rollback-incomplete' : state.data.failure.kind === 'cancelled' ? 'cancelled' : 'rolled-back',
    );
  } else {
    state.setStatus('live');
  }
}

/**
 * The hypercare step a run continued from hypercare is in, from its first task: reports sent while
 * the chain moved on reach the new run before its plan is back in the watch, and were refused as
 * "not in hypercare" (a 409 the reporter would not resend). Patched with the passes (same change).
 */
function carriedHypercare(state: RunState): HypercareStep | undefined {
  if (state.input.carried === undefined || state.data.status !== 'hypercare') return undefined;
  const step = state.plan.find(({ step: s }) => s.kind === 'hypercare' && state.stepView(s.id).status === 'running');
  if (step?.step.kind !== 'hypercare' || !patched(HYPERCARE_PASSES_PATCH)) return undefined;
  return step.step;
}
