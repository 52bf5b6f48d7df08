import { condition, isCancellation, patched, workflowInfo } from '@temporalio/workflow';
import { compensationFor } from '../src/contract/compensation';
import { durationToMs } from '../src/contract/duration';
import type {
  ActionStep,
  ApprovalStep,
  EscalationLevel,
  EvidenceStep,
  HypercareStep,
  Step,
} from '../src/contract/schemas/runbook';
import { runAction } from './actions';
import { watchAnalyses } from './analysis';
import { watchTarget } from './targetWatch';
import { nowIso as now, nowMs } from './clock';
import { failurePolicy, quorumMet, resendRoles, waitTimeline } from '../src/contract/policy';
import { fillEvidence } from './evidenceText';
import { scheduleOversight } from './oversight';
import { reachedHypercareKey } from '../src/contract/searchAttributes';
import { sendThanks } from './recognition';
import { CHECKPOINT, failureMessage, patchedSince, RunAborted, type Outcome, type RunContext } from './runContext';
import { waitWithEscalation } from './waiting';
import { WakeTimer } from './wakeTimer';
import { stepSummary } from '../src/contract/activitySummary';

/** Hypercare announces Red Button reports in passes (see ReportAnnouncer). */
export const HYPERCARE_PASSES_PATCH = 'golive-hypercare-passes';

/**
 * How each kind of step runs. A runner records its step's progress in the run state and either
 * returns (the step completed), returns CHECKPOINT (hypercare wants a continue-as-new), or throws
 * RunAborted after recording why the run must roll back.
 */

export function runStep(ctx: RunContext, step: Step): Promise<Outcome> {
  switch (step.kind) {
    case 'action':
      return runActionStep(ctx, step);
    case 'approval':
      return runApprovalStep(ctx, step);
    case 'evidence':
      return runEvidenceStep(ctx, step);
    case 'hypercare':
      return runHypercareStep(ctx, step);
  }
}

async function runActionStep(ctx: RunContext, step: ActionStep): Promise<void> {
  const { state } = ctx;
  state.setStep(step.id, 'running', now());
  ctx.syncSearchAttributes();
  let result: unknown;
  // `${evidence.step.item}` in params: what a person submitted (a no-op for params without one).
  const call = { ...step, params: fillEvidence(step.params, state.data.evidence) };
  try {
    result = await runAction(
      failurePolicy(step) === 'warn' ? { ...call, retry: { ...call.retry, maximumAttempts: 1 } } : call,
      stepSummary(step.id, step.title),
    );
  } catch (err) {
    if (isCancellation(err)) {
      state.setStep(step.id, 'cancelled', now());
      throw err;
    }
    const message = failureMessage(err);
    // A notification the runbook lets fail: recorded as not delivered, escalated, and the run
    // goes on. Patched: runs recorded before this rolled back on such a failure.
    if (failurePolicy(step) !== 'fail' && patched('golive-notify-on-failure')) return notDelivered(ctx, step, message);
    state.setStep(step.id, 'failed', now(), { error: message });
    ctx.abort({ kind: 'action-failed', stepId: step.id, reason: message, at: now() });
    throw new RunAborted();
  }
  state.setStep(step.id, 'completed', now(), { result });
  const undo = compensationFor(step);
  if (undo) state.pushCompensation(step.id, undo);
}

/** The step completes "not delivered"; those it escalates to hear it on every channel left and may resend it. */
async function notDelivered(ctx: RunContext, step: ActionStep, message: string): Promise<void> {
  const warning = `not delivered: ${message}`;
  ctx.state.setStep(step.id, 'completed', now(), { undelivered: true, warning, error: message });
  const roles = resendRoles(step, ctx.input.runbook);
  await ctx.escalate(
    step.id,
    1,
    { after: '0s', notify: roles },
    `"${step.title}" was not delivered (${message}). The run goes on; resend it from the run page once the channel is back.`,
  );
}

async function runApprovalStep(ctx: RunContext, step: ApprovalStep): Promise<void> {
  const { state } = ctx;
  state.setStep(step.id, 'waiting', now());
  ctx.syncSearchAttributes();
  const rejected = () => state.data.decisions.find((d) => d.stepId === step.id && d.decision === 'reject');
  const approvers = step.approvers.map((a) => a.role);
  await ctx.tell(
    approvers,
    `decision needed: ${step.title}`,
    `Please approve or reject "${step.title}" (deadline ${step.deadline}).`,
    'info',
  );
  await waitWithEscalation(
    ctx,
    step,
    () => rejected() !== undefined || quorumMet(step, state.stepDecisions(step.id)),
    step.onDeadline,
    approvers,
  );
  const rejection = rejected();
  if (rejection) {
    state.setStep(step.id, 'rejected', now());
    ctx.abort({
      kind: 'rejected',
      stepId: step.id,
      by: rejection.actor,
      reason: rejection.comment ?? 'rejected',
      at: now(),
    });
    throw new RunAborted();
  }
  state.setStep(step.id, 'completed', now());
}

async function runEvidenceStep(ctx: RunContext, step: EvidenceStep): Promise<void> {
  const { state } = ctx;
  state.setStep(step.id, 'waiting', now());
  ctx.syncSearchAttributes();
  const required = step.items.filter((i) => !i.optional).map((i) => i.id);
  const complete = () => {
    const have = state.submittedItems(step.id);
    return required.every((id) => have.has(id));
  };
  await waitWithEscalation(ctx, step, complete, 'hold', [...new Set(step.items.flatMap((i) => i.submittedBy))]);
  state.setStep(step.id, 'completed', now());
}

/** Hypercare with its automated analyses (analysis.ts) and the watch of the target (targetWatch.ts) beside it. */
async function runHypercareStep(ctx: RunContext, step: HypercareStep): Promise<Outcome> {
  const analyses = watchAnalyses(ctx, step);
  const target = watchTarget(ctx, step);
  try {
    return await watchHypercare(ctx, step);
  } finally {
    await Promise.all([analyses.stop(), target.stop()]);
  }
}

/**
 * The post-go-live watch: announces Red Button reports, escalates those whose response is late,
 * and ends after the step's duration. Returns CHECKPOINT when the run should continue as new
 * to keep its history short (the state, hypercare start included, is carried).
 */
async function watchHypercare(ctx: RunContext, step: HypercareStep): Promise<Outcome> {
  const { state } = ctx;
  ctx.hypercare = step;
  if (state.stepView(step.id).status !== 'running') state.setStep(step.id, 'running', now());
  state.data.hypercareStartedAt ??= now();
  state.setStatus('hypercare');
  ctx.syncSearchAttributes();
  // The Red Button view reads only runs that can hold reports (patched: older runs never marked).
  if (patchedSince('golive-reached-hypercare')) ctx.showAttributes([{ key: reachedHypercareKey, value: 'yes' }]);
  await scheduleOversight(ctx);
  const endsAt = Date.parse(state.data.hypercareStartedAt) + durationToMs(step.duration);
  state.stepView(step.id).deadlineAt = new Date(endsAt).toISOString();
  const checkpointAt = step.checkpointEvery !== undefined ? nowMs() + durationToMs(step.checkpointEvery) : Infinity;
  const timeline = waitTimeline(step.escalation, step.responseDeadline);
  const announcer = new ReportAnnouncer(ctx, [...step.notifyOnReport, ...step.stopAuthority]);
  // One timer per wake-up time (patched with the passes; see WakeTimer), not one per report.
  const wake = announcer.inPasses ? new WakeTimer() : undefined;

  for (;;) {
    await announcer.announceNew();
    await sendThanks(ctx);
    const nextWake = await escalateLateReports(
      ctx,
      step,
      timeline,
      announcer.responders,
      Math.min(endsAt, checkpointAt),
    );
    if (nowMs() >= endsAt) break;
    if (nowMs() >= checkpointAt || workflowInfo().continueAsNewSuggested) {
      announcer.carryUnannounced();
      wake?.stop();
      return CHECKPOINT;
    }
    const seen = state.version;
    if (wake) await wake.until(nextWake, () => state.version !== seen);
    else await condition(() => state.version !== seen, Math.max(1, nextWake - nowMs()));
  }
  wake?.stop();
  ctx.hypercare = undefined;
  state.setStep(step.id, 'completed', now());
}

/** Fires every report escalation that is due; returns when the next one is (or `wakeBy`, if sooner). */
async function escalateLateReports(
  ctx: RunContext,
  step: HypercareStep,
  timeline: ReturnType<typeof waitTimeline>,
  responders: string[],
  wakeBy: number,
): Promise<number> {
  let nextWake = wakeBy;
  for (const report of ctx.state.data.reports) {
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
        event.kind === 'escalate' ? event.escalation : { after: step.responseDeadline, notify: responders };
      await ctx.escalate(
        report.id,
        report.escalationLevel,
        e,
        `Report ${report.id} (${report.severity}) has no response yet: ${report.description}`,
      );
    }
  }
  return nextWake;
}

/**
 * Each Red Button report announced once to the step's responders (the Update handler only records
 * it). Patched (`golive-hypercare-passes`): a pass announces the reports recorded when it began.
 * Before, it walked the live list, so a flood of reports arriving while it awaited each `notify`
 * kept it from ever reaching the watch's escalation and continue-as-new checks, until Temporal's
 * limit of Updates per run refused every report.
 */
class ReportAnnouncer {
  private readonly announced: Set<string>;
  readonly inPasses = patched(HYPERCARE_PASSES_PATCH);

  constructor(
    private readonly ctx: RunContext,
    readonly responders: string[],
  ) {
    // Reports a previous run of the chain recorded but did not announce are announced here.
    const { reports, unannouncedReports } = ctx.state.data;
    const owed = new Set(unannouncedReports);
    this.announced = new Set(reports.filter((r) => !owed.has(r.id)).map((r) => r.id));
    delete ctx.state.data.unannouncedReports;
  }

  /** Before continuing as new: the next run announces what this one recorded but did not. */
  carryUnannounced(): void {
    const owed = this.ctx.state.data.reports.filter((r) => !this.announced.has(r.id)).map((r) => r.id);
    if (owed.length > 0) this.ctx.state.data.unannouncedReports = owed;
  }

  async announceNew(): Promise<void> {
    const reports = this.ctx.state.data.reports;
    for (const report of this.inPasses ? [...reports] : reports) {
      if (this.announced.has(report.id)) continue;
      this.announced.add(report.id);
      await this.ctx.tell(
        this.responders,
        `Red Button ${report.severity}: AI error reported (${report.id})`,
        `${report.description}\n\nRespond by ${report.responseDueAt}.`,
        report.severity === 'critical' || report.severity === 'high' ? 'critical' : 'warning',
      );
    }
  }
}
