import { ApplicationFailure, condition, patched, setHandler } from '@temporalio/workflow';
import { durationToMs } from '../src/contract/duration';
import type { ActionStep, HypercareStep } from '../src/contract/schemas/runbook';
import { fillEvidence } from './evidenceText';
import { runAction } from './actions';
import { withoutPlainTextRule, withPlainTextRule, type Check as Shape } from './checks';
import { isPlainTextProblem } from '../src/contract/freeText';
import {
  approveStepSignal,
  approveStepUpdate,
  getRunRecordQuery,
  getRunStateQuery,
  rejectStepSignal,
  rejectStepUpdate,
  REFUSAL_TYPES,
  reportErrorSignal,
  reportErrorUpdate,
  requestRollbackSignal,
  requestRollbackUpdate,
  resendNotificationUpdate,
  resolveReportSignal,
  resolveReportUpdate,
  acknowledgeReportSignal,
  acknowledgeReportUpdate,
  stopLineSignal,
  stopLineUpdate,
  submitEvidenceSignal,
  submitEvidenceUpdate,
  type Actor,
  type ReportErrorInput,
  type ReportView,
  type RunFailure,
  type RunStateView,
  type StepView,
} from '../src/contract/definitions';
import { checkEvidenceValue } from './evidenceValues';
import {
  checkApproveStep,
  checkRejectStep,
  checkReportError,
  checkRequestRollback,
  checkResendNotification,
  checkResolveReport,
  checkAcknowledgeReport,
  checkStopLine,
  checkSubmitEvidence,
} from './messageChecks';
import { bindingProblem } from '../src/contract/passkeyBinding';
import {
  authorize,
  NO_HYPERCARE,
  NOT_IN_HYPERCARE_YET,
  quorumMet,
  Refusal,
  REPORTS_IN_HYPERCARE,
  type Action,
  type Grant,
} from '../src/contract/policy';
import type { RunState } from './runState';
import { checkSignature, type MessageSignature } from '../src/contract/signedMessages';
import { refusals } from './sinks';
import { recordThanks } from './recognition';
import { stepSummary } from '../src/contract/activitySummary';

/**
 * The human side of the run. Every message is checked in the same order by its Update's
 * validator (before anything reaches history) and again by its handler at the moment it
 * records (state may have moved in between: of two racing decisions the first to record wins,
 * the second is refused for the same reason the validator would give now):
 *   1. its shape (messageChecks.ts, the rules of the server's zod schemas), 2. golive's signature (signedMessages.ts): a run that pinned keys
 *   refuses what golive did not sign, 3. the policy (policy.ts): who may do this here, now.
 * Signals carry the same payloads through the same checks; each Signal's outcome is recorded
 * in order (a Signal cannot answer), so the audit trail never shows a refused one as done.
 */

export interface RunControl {
  /** Stop the plan and roll back (first failure wins). */
  abort(failure: RunFailure): void;
  /** Called after any accepted message, e.g. to refresh search attributes. */
  changed(): void;
  /** The hypercare step, while it runs (Red Button reports are accepted only then). */
  hypercare(): HypercareStep | undefined;
  now(): string;
  nowMs(): number;
  /** The golive run id (workflow id), which every signature names. */
  runId: string;
}

type Via = 'validator' | 'update' | 'signal';

/**
 * A Red Button report refused by an open run before hypercare is `NotInHypercare`, not
 * `RunClosed`. Validators and Update handlers leave no refusal in the run's state; a refused
 * Signal does (type and reason), so its new words are patched.
 */
export const NOT_IN_HYPERCARE_PATCH = 'golive-not-in-hypercare';

/**
 * A named report from someone who may not report is refused as NotAuthorized before the run says
 * whether it is in hypercare (the policy's order). A refused Signal keeps its type, so runs
 * recorded before this keep NotInHypercare for such a Signal sent before hypercare.
 */
export const REPORT_AUTHORITY_FIRST_PATCH = 'golive-report-authority-first';

/**
 * Someone who may never stop, ask for a rollback, report or answer reports is refused as
 * NotAuthorized whatever the run's state (the policy's order), not RunClosed once it rolls back
 * or has ended. A refused Signal keeps its type, so runs recorded before this judge their Signals
 * to a run that is not open in the old order (policy.ts `stateFirst`).
 */
export const AUTHORITY_BEFORE_STATE_PATCH = 'golive-authority-before-state';
/** The acts whose order AUTHORITY_BEFORE_STATE_PATCH changed. */
const AUTHORITY_FIRST_KINDS: readonly Action['kind'][] = ['stop', 'rollback', 'report', 'resolve', 'acknowledge'];

function refuse(r: Refusal): never {
  throw ApplicationFailure.create({ type: r.type, message: r.message, nonRetryable: true });
}

function parse<T>(check: Shape<T>, input: unknown): T {
  const parsed = check(input, []);
  if (parsed.ok) return parsed.value;
  refuse(new Refusal(REFUSAL_TYPES.invalid, `${parsed.path.join('.') || 'input'}: ${parsed.message}`));
}

interface Checked<T> {
  input: T;
  /** The signature that let it in (absent in runs started before golive signed messages). */
  signature?: MessageSignature;
}

/** One set of checks per message, shared by its validator, its handler and its Signal. */
function checks(state: RunState, control: RunControl) {
  /**
   * Golive's signature. Update handlers skip the curve arithmetic: their validator verified the
   * very same bytes before Temporal accepted the Update, and handlers also run on every replay.
   * The nonce is checked every time, since a racing twin may have recorded it meanwhile.
   */
  const authenticate = <T>(name: string, shape: Shape<T>, raw: unknown, via: Via): Checked<T> => {
    const input = parse(shape, raw);
    const keys = state.input.signing?.keys;
    if (!keys) return { input };
    const signature = (input as { signature?: MessageSignature }).signature;
    if (via === 'update' && signature) {
      if (state.nonceSeen(signature.nonce))
        refuse(new Refusal(REFUSAL_TYPES.replayed, `${name} with nonce ${signature.nonce} was accepted before`));
      return { input, signature };
    }
    const check = checkSignature(
      { runId: control.runId, keys, nowMs: control.nowMs(), seen: (n) => state.nonceSeen(n) },
      name,
      raw,
    );
    if (!check.ok)
      refuse(
        new Refusal(check.problem === 'replayed' ? REFUSAL_TYPES.replayed : REFUSAL_TYPES.badSignature, check.reason),
      );
    return { input, signature: check.signature };
  };
  const allow = (actor: Actor | undefined, action: Action, via: Via): Grant => {
    // Only a Signal to a run that is not open is judged differently in runs recorded before the patch.
    const stateFirst =
      via === 'signal' &&
      !state.isOpen() &&
      AUTHORITY_FIRST_KINDS.includes(action.kind) &&
      !patched(AUTHORITY_BEFORE_STATE_PATCH);
    const grant = authorize(
      state.facts(),
      { id: actor?.id ?? 'anonymous', ...(actor?.roles ? { roles: actor.roles } : {}) },
      action,
      { stateFirst },
    );
    if (grant instanceof Refusal) refuse(grant);
    return grant;
  };
  /** Accepted: its nonce may not be used again. */
  const consume = (signature: MessageSignature | undefined) => {
    if (signature) state.recordNonce(signature.nonce, Date.parse(signature.at), control.nowMs());
  };
  const hypercare = (via: Via): HypercareStep => {
    const step = control.hypercare();
    if (step && state.isOpen()) return step;
    // An open run before hypercare is not closed. A refused Signal's type and reason stay in the
    // run's record (refusedSignals), so runs recorded before this keep the old words on replay.
    if (state.isOpen() && (via !== 'signal' || patched(NOT_IN_HYPERCARE_PATCH))) {
      const ahead = state.plan.some((p) => p.step.kind === 'hypercare');
      refuse(new Refusal(REFUSAL_TYPES.notInHypercare, ahead ? NOT_IN_HYPERCARE_YET : NO_HYPERCARE));
    }
    refuse(new Refusal(REFUSAL_TYPES.runClosed, REPORTS_IN_HYPERCARE));
  };
  return { authenticate, allow, consume, hypercare };
}

type Check = ReturnType<typeof checks>;

/**
 * Answers once the step has reacted to the message: completed or rejected when this decision
 * settled it, still waiting when others must act too. Callers see the real outcome.
 */
async function outcomeOf(state: RunState, stepId: string, settles: () => boolean): Promise<StepView> {
  await condition(() => state.stepView(stepId).status !== 'waiting' || !settles());
  return state.shownStepView(stepId);
}

/** An approval or a rejection: authenticated, allowed by the policy, bound to its passkey when it carries one. */
function decisionHandler(state: RunState, control: RunControl, check: Check, decision: 'approve' | 'reject') {
  return (raw: unknown, via: Via) => {
    const name = decision === 'approve' ? 'approveStep' : 'rejectStep';
    const { input, signature } = check.authenticate(
      name,
      decision === 'approve' ? checkApproveStep : checkRejectStep,
      raw,
      via,
    );
    const grant = check.allow(
      input.actor,
      { kind: 'decide', stepId: input.stepId, decision, role: input.role, passkey: input.passkey !== undefined },
      via,
    );
    const step = state.stepDef(input.stepId)!;
    const covers = step.kind === 'approval' ? step.covers : [];
    if (input.passkey) {
      const facts = {
        runId: control.runId,
        stepId: step.id,
        decision,
        comment: input.comment ?? '',
        personId: input.actor.id,
        evidenceHash: state.evidenceHash(covers),
      };
      const unbound = bindingProblem(facts, input.passkey);
      if (unbound)
        refuse(
          new Refusal(REFUSAL_TYPES.passkeyMismatch, `the passkey assertion does not fit this decision: ${unbound}`),
        );
    }
    if (via === 'validator') return undefined;
    check.consume(signature);
    const record = state.recordDecision(
      step.id,
      decision,
      input.actor,
      grant,
      input.comment,
      covers,
      control.now(),
      signature?.keyId,
    );
    if (input.passkey) record.passkey = { credentialId: input.passkey.credentialId };
    control.changed();
    const settles = () =>
      decision === 'reject' || (step.kind === 'approval' && quorumMet(step, state.stepDecisions(step.id)));
    return outcomeOf(state, step.id, settles);
  };
}

function messageHandlers(state: RunState, control: RunControl, check: Check) {
  const submitEvidence = (raw: unknown, via: Via) => {
    const { input, signature } = check.authenticate('submitEvidence', checkSubmitEvidence, raw, via);
    const grant = check.allow(
      input.actor,
      { kind: 'submit', stepId: input.stepId, itemId: input.itemId, role: input.role },
      via,
    );
    const step = state.stepDef(input.stepId)!;
    const item = step.kind === 'evidence' ? step.items.find((i) => i.id === input.itemId)! : undefined;
    const checked = item
      ? checkEvidenceValue(item, input.value)
      : new Refusal(REFUSAL_TYPES.invalid, 'not an evidence item');
    if (checked instanceof Refusal) refuse(checked);
    if (via === 'validator' || step.kind !== 'evidence') return undefined;
    check.consume(signature);
    state.recordEvidence(step.id, input.itemId, checked.value, input.note, input.actor, grant.role, control.now());
    control.changed();
    const have = () => state.submittedItems(step.id);
    return outcomeOf(state, step.id, () => step.items.every((i) => i.optional || have().has(i.id)));
  };
  return {
    approve: decisionHandler(state, control, check, 'approve'),
    reject: decisionHandler(state, control, check, 'reject'),
    submitEvidence,
  };
}

/**
 * Who may report, then whether the run takes reports now (the policy's order); the hypercare step
 * that takes it. Signals of runs recorded before REPORT_AUTHORITY_FIRST_PATCH keep the old order.
 */
function checkReport(check: Check, input: ReportErrorInput, via: Via): HypercareStep {
  // An anonymous report names nobody, so golive checked the reporter before signing it.
  const named = !input.anonymous && input.actor !== undefined;
  const authorityFirst = named && (via !== 'signal' || patched(REPORT_AUTHORITY_FIRST_PATCH));
  if (authorityFirst) check.allow(input.actor, { kind: 'report', anonymous: false }, via);
  const hypercare = check.hypercare(via);
  if (!input.anonymous && !input.actor)
    refuse(new Refusal(REFUSAL_TYPES.invalid, 'actor: required unless the report is anonymous'));
  if (named && !authorityFirst) check.allow(input.actor, { kind: 'report', anonymous: false }, via);
  return hypercare;
}

function redButtonHandlers(state: RunState, control: RunControl, check: Check) {
  const reportError = (raw: unknown, via: Via): ReportView | undefined => {
    const { input, signature } = check.authenticate('reportError', checkReportError, raw, via);
    const hypercare = checkReport(check, input, via);
    if (via === 'validator') return undefined;
    check.consume(signature);
    const now = control.now();
    const view = state.addReport(
      {
        severity: input.severity,
        description: input.description,
        reporter: input.anonymous || !input.actor ? 'anonymous' : input.actor.id,
        ...(input.anonymous || !input.actor?.name ? {} : { reporterName: input.actor.name }),
        at: now,
        responseDueAt: new Date(Date.parse(now) + durationToMs(hypercare.responseDeadline)).toISOString(),
        status: 'open',
        escalationLevel: 0,
      },
      input.receiptHash,
    );
    control.changed();
    return view;
  };
  const resolveReport = (raw: unknown, via: Via): ReportView | undefined => {
    const { input, signature } = check.authenticate('resolveReport', checkResolveReport, raw, via);
    check.allow(input.actor, { kind: 'resolve', reportId: input.reportId }, via);
    if (via === 'validator') return undefined;
    check.consume(signature);
    const report = state.data.reports.find((r) => r.id === input.reportId)!;
    state.resolveReport(report, input.actor, input.resolution, control.now());
    recordThanks(report, control.now());
    control.changed();
    return report;
  };
  const line =
    (name: 'stopLine' | 'requestRollback') =>
    (raw: unknown, via: Via): RunStateView | undefined => {
      const { input, signature } = check.authenticate(
        name,
        name === 'stopLine' ? checkStopLine : checkRequestRollback,
        raw,
        via,
      );
      check.allow(input.actor, { kind: name === 'stopLine' ? 'stop' : 'rollback' }, via);
      if (via === 'validator') return undefined;
      check.consume(signature);
      control.abort({
        kind: name === 'stopLine' ? 'stopped' : 'rollback-requested',
        by: input.actor,
        reason: input.reason,
        at: control.now(),
      });
      return state.view({ bounded: true });
    };
  return { reportError, resolveReport, stopLine: line('stopLine'), requestRollback: line('requestRollback') };
}

/** The first response to a report: the policy's rule for answering reports decides who (an open report only). */
function acknowledgeHandler(state: RunState, control: RunControl, check: Check) {
  return (raw: unknown, via: Via): ReportView | undefined => {
    const { input, signature } = check.authenticate('acknowledgeReport', checkAcknowledgeReport, raw, via);
    check.allow(input.actor, { kind: 'acknowledge', reportId: input.reportId }, via);
    const report = state.data.reports.find((r) => r.id === input.reportId)!;
    if (report.acknowledgement)
      refuse(
        new Refusal(
          REFUSAL_TYPES.duplicate,
          `report ${report.id} was acknowledged before, by ${report.acknowledgement.by.id}`,
        ),
      );
    if (via === 'validator') return undefined;
    check.consume(signature);
    report.acknowledgement = { by: input.actor, at: control.now(), text: input.text };
    control.changed();
    return report;
  };
}

/** An undelivered notification, sent again on request; the answer says whether it got through this time. */
function resendHandler(state: RunState, control: RunControl, check: Check) {
  const send = async (step: ActionStep, by: string): Promise<StepView | undefined> => {
    try {
      const result = await runAction(
        { ...step, params: fillEvidence(step.params, state.data.evidence) },
        stepSummary(step.id, step.title, by),
      );
      state.setStep(step.id, 'completed', control.now(), { result, warning: undefined, error: undefined });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      state.setStep(step.id, 'completed', control.now(), {
        undelivered: true,
        warning: `not delivered: ${message}`,
        error: message,
      });
    }
    control.changed();
    return state.shownStepView(step.id);
  };
  // Synchronous up to the send, so a validator sees every refusal as a throw.
  return (raw: unknown, via: Via): Promise<StepView | undefined> | undefined => {
    const { input, signature } = check.authenticate('resendNotification', checkResendNotification, raw, via);
    check.allow(input.actor, { kind: 'resend', stepId: input.stepId }, via);
    if (via === 'validator') return undefined;
    check.consume(signature);
    const step = state.stepDef(input.stepId) as ActionStep;
    // Not "undelivered" while it is sent: a second resend racing this one is refused.
    state.setStep(step.id, 'completed', control.now(), { undelivered: false });
    return send(step, input.actor.id);
  };
}

type Handler = (raw: unknown, via: Via) => unknown;

/** Runs a validator; what it refuses never reaches history, so operators hear of it here. */
function validatorOf(control: RunControl, name: string, handler: Handler) {
  return (raw: unknown): void => {
    try {
      handler(raw, 'validator');
    } catch (err) {
      const claimed = (raw as { actor?: { id?: unknown }; signature?: unknown } | undefined) ?? {};
      refusals.refused({
        runId: control.runId,
        messageName: name,
        ...(typeof claimed.actor?.id === 'string' ? { actorId: claimed.actor.id } : {}),
        type: err instanceof ApplicationFailure ? (err.type ?? 'Error') : 'Error',
        reason: err instanceof Error ? err.message : String(err),
        signed: claimed.signature !== undefined,
      });
      throw err;
    }
  };
}

/**
 * Control characters in a Signal's free text are refused from this patch on (a Signal has no
 * validator): a history recorded before took them, and replays take them as it did.
 */
export const PLAIN_TEXT_PATCH = 'golive-plain-text';
/**
 * The full rule (C1 control characters, lone surrogates, names on one line: freeText.ts) from
 * this patch on; a history recorded under golive-plain-text alone replays with its C0 rule. Asked
 * only when a Signal's text is refused, so other runs record neither patch.
 */
export const PLAIN_TEXT_FULL_PATCH = 'golive-plain-text-full';

function checkedSignal(run: () => unknown): unknown {
  try {
    return run();
  } catch (err) {
    const aboutText = err instanceof ApplicationFailure && isPlainTextProblem(err.message);
    if (!aboutText || patched(PLAIN_TEXT_FULL_PATCH)) throw err;
    return withPlainTextRule(patched(PLAIN_TEXT_PATCH) ? 'c0' : 'none', run);
  }
}

/** A Signal cannot answer: its outcome, accepted or refused (and why), is recorded in order. */
function signalOf(state: RunState, control: RunControl, name: string, handler: Handler) {
  return (raw: unknown): void => {
    try {
      void Promise.resolve(checkedSignal(() => handler(raw, 'signal'))).catch(() => undefined);
      state.recordSignal({ signal: name, outcome: 'accepted', at: control.now() });
    } catch (err) {
      const actorId = (raw as { actor?: { id?: unknown } } | undefined)?.actor?.id;
      const type = err instanceof ApplicationFailure && err.type ? (err.type as Refusal['type']) : undefined;
      state.recordSignal({ signal: name, outcome: 'refused', at: control.now() });
      state.refuseSignal({
        at: control.now(),
        signal: name,
        ...(typeof actorId === 'string' ? { actorId } : {}),
        reason: err instanceof Error ? err.message : String(err),
        ...(type ? { type } : {}),
      });
    }
  };
}

export function registerHandlers(state: RunState, control: RunControl): void {
  const check = checks(state, control);
  const all = {
    ...messageHandlers(state, control, check),
    ...redButtonHandlers(state, control, check),
    resendNotification: resendHandler(state, control, check),
    acknowledgeReport: acknowledgeHandler(state, control, check),
  };
  // Every message once: its Update (validator + handler) and, for tools that cannot wait, its Signal.
  const messages = [
    [approveStepUpdate, approveStepSignal, all.approve],
    [rejectStepUpdate, rejectStepSignal, all.reject],
    [submitEvidenceUpdate, submitEvidenceSignal, all.submitEvidence],
    [reportErrorUpdate, reportErrorSignal, all.reportError],
    [resolveReportUpdate, resolveReportSignal, all.resolveReport],
    [acknowledgeReportUpdate, acknowledgeReportSignal, all.acknowledgeReport],
    [stopLineUpdate, stopLineSignal, all.stopLine],
    [requestRollbackUpdate, requestRollbackSignal, all.requestRollback],
    [resendNotificationUpdate, undefined, all.resendNotification],
  ] as const;
  for (const [update, signal, handler] of messages) {
    // The validator checked the text; a handler records what the validator of its day let in (checks.ts).
    setHandler(update, ((raw: unknown) => withoutPlainTextRule(() => handler(raw, 'update'))) as never, {
      validator: validatorOf(control, update.name, handler),
    });
    if (signal) setHandler(signal, signalOf(state, control, update.name, handler) as never);
  }
  setHandler(getRunStateQuery, () => state.view({ bounded: true }));
  setHandler(getRunRecordQuery, () => state.view());
}
