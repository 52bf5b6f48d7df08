import {
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  log,
  patched,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { durationToMs } from '../src/runbook/duration';
import type { ActionStep, ApprovalStep, EscalationLevel, EvidenceStep, HypercareStep, Step } from '../src/runbook/schema';
import { compensationFor } from '../src/runbook/compensation';
import { notify, runAction } from './actions';
import { nowIso as now, nowMs } from './clock';
import type { GoLiveInput, RunFailure, RunStateView } from './definitions';
import { registerHandlers } from './handlers';
import { quorumMet, waitTimeline } from './policy';
import { RunState } from './runState';
import { initiatorKey, runbookKey, runStateKey, systemKey, waitingRolesKey } from './searchAttributes';

/**
 * The go-live interpreter: one generic, durable workflow that runs any validated runbook.
 * It schedules steps by their `after` dependencies, waits for people with deadlines and
 * escalation, and when anything goes wrong undoes every completed step in reverse (saga).
 * State lives in RunState, message handling in handlers.ts, policy in policy.ts.
 */


/** Thrown inside the plan to end it; the reason is already recorded in state.failure. */
class RunAborted extends Error {}

/** Returned by the plan when hypercare reaches a checkpoint: continue as new with the state. */
const CHECKPOINT: unique symbol = Symbol('checkpoint');
type Outcome = typeof CHECKPOINT | void;

export async function goLive(input: GoLiveInput): Promise<RunStateView> {
  const state = new RunState(input, now());
  const planScope = new CancellationScope();
  let hypercareStep: HypercareStep | undefined;

  let lastAttributes = '';
  const syncSearchAttributes = (): void => {
    const waiting = state.waitingRoles();
    const key = `${state.data.status}|${waiting.join(',')}`;
    if (key === lastAttributes) return;
    lastAttributes = key;
    upsertSearchAttributes([
      { key: runStateKey, value: state.data.status },
      { key: waitingRolesKey, value: waiting },
    ]);
  };

  const abort = (failure: RunFailure): void => {
    if (state.fail(failure)) planScope.cancel();
  };

  registerHandlers(state, {
    abort,
    changed: syncSearchAttributes,
    hypercare: () => hypercareStep,
    now,
  });

  // ---- notifications and escalation -----------------------------------------------------------

  const peopleIn = (roles: string[]): string[] => [...new Set(roles.flatMap((r) => input.assignments[r] ?? []))];

  const tell = (roles: string[], subject: string, text: string, severity: 'info' | 'warning' | 'critical') =>
    notify(peopleIn(roles), `[golive ${input.system}] ${subject}`, text, severity);

  async function escalate(subject: string, level: number, e: EscalationLevel, why: string): Promise<void> {
    const roles = [...new Set(e.delegateTo ? [...e.notify, e.delegateTo] : e.notify)];
    state.recordEscalation({
      subject,
      level,
      at: now(),
      notified: roles,
      ...(e.delegateTo ? { delegatedTo: e.delegateTo } : {}),
    });
    await tell(roles, `escalation level ${level}: ${subject}`, why, 'warning');
  }

  /**
   * Waits until `settled()` while firing the step's escalation levels on time. At the deadline
   * an approval either rejects (the run rolls back) or holds, reminding again every deadline.
   */
  async function waitWithEscalation(
    step: ApprovalStep | EvidenceStep,
    settled: () => boolean,
    onDeadline: 'reject' | 'hold',
    fallbackRoles: string[],
  ): Promise<void> {
    const waitingSince = nowMs();
    const timeline = waitTimeline(step.escalation, step.deadline);
    const deadlineMs = step.deadline !== undefined ? durationToMs(step.deadline) : undefined;
    if (deadlineMs !== undefined) state.stepView(step.id).deadlineAt = new Date(waitingSince + deadlineMs).toISOString();
    let level = state.stepView(step.id).escalationLevel ?? 0;
    for (let i = 0; ; ) {
      const event = timeline[i];
      const timeout = event ? Math.max(0, waitingSince + event.atMs - nowMs()) : undefined;
      const done = timeout === undefined ? (await condition(settled), true) : await condition(settled, timeout);
      if (done) return;
      i++;
      if (!event) return;
      level++;
      state.stepView(step.id).escalationLevel = level;
      if (event.kind === 'escalate') {
        if (event.escalation.delegateTo && step.kind === 'approval') {
          state.tally(step.id).delegatedRoles.push(event.escalation.delegateTo);
        }
        await escalate(step.id, level, event.escalation, `"${step.title}" is still waiting (level ${level}).`);
        syncSearchAttributes();
        continue;
      }
      if (onDeadline === 'reject') {
        abort({ kind: 'deadline', stepId: step.id, reason: `no decision on "${step.title}" before its deadline (${step.deadline})`, at: now() });
        throw new RunAborted();
      }
      // Hold: remind everyone who could act (and the escalation roles), then wait another deadline.
      const roles = [...new Set([...fallbackRoles, ...step.escalation.flatMap((e) => e.notify)])];
      await escalate(step.id, level, { after: step.deadline!, notify: roles }, `"${step.title}" is past its deadline and holds.`);
      timeline.push({ kind: 'deadline', atMs: event.atMs + deadlineMs! });
    }
  }

  // ---- step runners ----------------------------------------------------------------------------

  async function runActionStep(step: ActionStep): Promise<void> {
    state.setStep(step.id, 'running', now());
    syncSearchAttributes();
    let result: unknown;
    try {
      result = await runAction(step, `${step.id}: ${step.title}`);
    } catch (err) {
      if (isCancellation(err)) {
        state.setStep(step.id, 'cancelled', now());
        throw err;
      }
      const message = failureMessage(err);
      state.setStep(step.id, 'failed', now(), { error: message });
      abort({ kind: 'action-failed', stepId: step.id, reason: message, at: now() });
      throw new RunAborted();
    }
    state.setStep(step.id, 'completed', now(), { result });
    const undo = compensationFor(step);
    if (undo) state.pushCompensation(step.id, undo);
  }

  async function runApprovalStep(step: ApprovalStep): Promise<void> {
    state.setStep(step.id, 'waiting', now());
    syncSearchAttributes();
    const rejected = () => state.data.decisions.find((d) => d.stepId === step.id && d.decision === 'reject');
    await tell(
      step.approvers.map((a) => a.role),
      `decision needed: ${step.title}`,
      `Please approve or reject "${step.title}" (deadline ${step.deadline}).`,
      'info',
    );
    await waitWithEscalation(step, () => rejected() !== undefined || quorumMet(step, state.tally(step.id)), step.onDeadline, step.approvers.map((a) => a.role));
    const rejection = rejected();
    if (rejection) {
      state.setStep(step.id, 'rejected', now());
      abort({ kind: 'rejected', stepId: step.id, by: rejection.actor, reason: rejection.comment ?? 'rejected', at: now() });
      throw new RunAborted();
    }
    state.setStep(step.id, 'completed', now());
  }

  async function runEvidenceStep(step: EvidenceStep): Promise<void> {
    state.setStep(step.id, 'waiting', now());
    syncSearchAttributes();
    const required = step.items.filter((i) => !i.optional).map((i) => i.id);
    const complete = () => {
      const have = state.submittedItems(step.id);
      return required.every((id) => have.has(id));
    };
    await waitWithEscalation(step, complete, 'hold', [...new Set(step.items.flatMap((i) => i.submittedBy))]);
    state.setStep(step.id, 'completed', now());
  }

  /** Returns CHECKPOINT when the run should continue as new to keep its history short. */
  async function runHypercareStep(step: HypercareStep): Promise<typeof CHECKPOINT | void> {
    hypercareStep = step;
    if (state.stepView(step.id).status !== 'running') state.setStep(step.id, 'running', now());
    state.data.hypercareStartedAt ??= now();
    state.setStatus('hypercare');
    syncSearchAttributes();
    const endsAt = Date.parse(state.data.hypercareStartedAt) + durationToMs(step.duration);
    state.stepView(step.id).deadlineAt = new Date(endsAt).toISOString();
    const checkpointAt = step.checkpointEvery !== undefined ? nowMs() + durationToMs(step.checkpointEvery) : Infinity;
    const timeline = waitTimeline(step.escalation, step.responseDeadline);
    const announced = new Set(state.data.reports.map((r) => r.id));

    for (;;) {
      // Tell people about new reports first: the handler only records them.
      for (const report of state.data.reports) {
        if (announced.has(report.id)) continue;
        announced.add(report.id);
        await tell(
          [...step.notifyOnReport, ...step.stopAuthority],
          `Red Button ${report.severity}: AI error reported (${report.id})`,
          `${report.description}\n\nRespond by ${report.responseDueAt}.`,
          report.severity === 'critical' || report.severity === 'high' ? 'critical' : 'warning',
        );
      }
      // Fire every report escalation that is due.
      let nextWake = Math.min(endsAt, checkpointAt);
      for (const report of state.data.reports) {
        if (report.status !== 'open') continue;
        for (;;) {
          const event = timeline[report.escalationLevel];
          if (!event) break;
          const dueAt = Date.parse(report.at) + event.atMs;
          if (dueAt > nowMs()) {
            nextWake = Math.min(nextWake, dueAt);
            break;
          }
          report.escalationLevel++;
          const e: EscalationLevel =
            event.kind === 'escalate' ? event.escalation : { after: step.responseDeadline, notify: [...step.notifyOnReport, ...step.stopAuthority] };
          await escalate(report.id, report.escalationLevel, e, `Report ${report.id} (${report.severity}) has no response yet: ${report.description}`);
        }
      }
      if (nowMs() >= endsAt) break;
      if (nowMs() >= checkpointAt || workflowInfo().continueAsNewSuggested) return CHECKPOINT;
      const seen = state.version;
      await condition(() => state.version !== seen, Math.max(1, nextWake - nowMs()));
    }
    hypercareStep = undefined;
    state.setStep(step.id, 'completed', now());
  }

  async function runStep(step: Step): Promise<typeof CHECKPOINT | void> {
    switch (step.kind) {
      case 'action':
        return runActionStep(step);
      case 'approval':
        return runApprovalStep(step);
      case 'evidence':
        return runEvidenceStep(step);
      case 'hypercare':
        return runHypercareStep(step);
    }
  }

  /** Runs every step once its dependencies completed; parallel where the runbook allows. */
  async function executePlan(): Promise<typeof CHECKPOINT | void> {
    const done = new Set(state.data.steps.filter((s) => s.status === 'completed').map((s) => s.id));
    const inFlight = new Map<string, Promise<{ id: string; outcome: Outcome }>>();
    const started = new Set(done);
    while (done.size < state.plan.length) {
      for (const { step, after } of state.plan) {
        if (started.has(step.id) || !after.every((d) => done.has(d))) continue;
        started.add(step.id);
        const running = runStep(step).then((outcome): { id: string; outcome: Outcome } => ({ id: step.id, outcome }));
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

  // ---- saga ------------------------------------------------------------------------------------

  async function compensate(): Promise<void> {
    state.setStatus('compensating');
    syncSearchAttributes();
    await CancellationScope.nonCancellable(async () => {
      for (const entry of [...state.data.compensationStack].reverse()) {
        state.setStep(entry.stepId, 'compensating', now());
        try {
          const result = await runAction(entry.call, `undo ${entry.stepId}: ${entry.call.action}`);
          state.recordCompensation({ stepId: entry.stepId, action: entry.call.action, status: 'completed', at: now(), result });
          state.setStep(entry.stepId, 'compensated', now());
        } catch (err) {
          const error = failureMessage(err);
          state.recordCompensation({ stepId: entry.stepId, action: entry.call.action, status: 'failed', at: now(), error });
          state.setStep(entry.stepId, 'compensation-failed', now(), { error });
          log.error('compensation failed', { stepId: entry.stepId, error });
        }
      }
      state.data.compensationStack = [];
      const failure = state.data.failure;
      await tell(
        [...input.runbook.stopAuthority, ...input.runbook.rollbackAuthority],
        `go-live rolled back: ${failure?.reason ?? 'unknown reason'}`,
        `The run was rolled back (${failure?.kind}). ${state.data.compensations.filter((c) => c.status === 'failed').length} compensation(s) failed.`,
        'critical',
      );
    });
  }

  // ---- main ------------------------------------------------------------------------------------

  // Runs started by other clients may lack the identity attributes the run list filters on;
  // the run sets them itself. Patched: histories recorded before this upsert replay without it.
  if (patched('golive-identity-search-attributes')) {
    upsertSearchAttributes([
      { key: systemKey, value: input.system },
      { key: runbookKey, value: input.runbookRef.id },
      { key: initiatorKey, value: input.initiator.id },
    ]);
  }
  syncSearchAttributes();
  let outcome: typeof CHECKPOINT | void = undefined;
  try {
    outcome = await planScope.run(executePlan);
  } catch (err) {
    if (!(err instanceof RunAborted) && !state.data.failure) {
      // The workflow itself was cancelled (or the plan broke): roll back all the same.
      state.fail({ kind: isCancellation(err) ? 'cancelled' : 'action-failed', reason: failureMessage(err), at: now() });
    }
  }

  if (outcome === CHECKPOINT && !state.data.failure) {
    await condition(allHandlersFinished);
    if (!state.data.failure) {
      return continueAsNew<typeof goLive>({ ...input, carried: state.data });
    }
  }

  if (state.data.failure) {
    for (const s of state.data.steps) if (s.status === 'waiting' || s.status === 'running') state.setStep(s.id, 'cancelled', now());
    await compensate();
    const anyFailed = state.data.compensations.some((c) => c.status === 'failed');
    state.setStatus(anyFailed ? 'rollback-incomplete' : state.data.failure.kind === 'cancelled' ? 'cancelled' : 'rolled-back');
  } else {
    state.setStatus('live');
  }
  state.data.endedAt = now();
  syncSearchAttributes();
  await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
  return state.view();
}

function failureMessage(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message}: ${cause.message}` : err.message;
  }
  return String(err);
}
