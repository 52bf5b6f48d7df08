import { ApplicationFailure, condition, log, setHandler } from '@temporalio/workflow';
import type { z } from 'zod';
import { durationToMs } from '../src/runbook/duration';
import type { HypercareStep, Step } from '../src/runbook/schema';
import {
  approveStepSchema,
  approveStepSignal,
  approveStepUpdate,
  getRunStateQuery,
  rejectStepSchema,
  rejectStepSignal,
  rejectStepUpdate,
  REFUSAL_TYPES,
  reportErrorSchema,
  reportErrorSignal,
  reportErrorUpdate,
  requestRollbackSchema,
  requestRollbackSignal,
  requestRollbackUpdate,
  resolveReportSchema,
  resolveReportSignal,
  resolveReportUpdate,
  stopLineSchema,
  stopLineSignal,
  stopLineUpdate,
  submitEvidenceSchema,
  submitEvidenceSignal,
  submitEvidenceUpdate,
  type Actor,
  type ApproveStepInput,
  type RejectStepInput,
  type ReportErrorInput,
  type ReportView,
  type RequestRollbackInput,
  type ResolveReportInput,
  type RunFailure,
  type StepView,
  type StopLineInput,
  type SubmitEvidenceInput,
} from './definitions';
import { authorizeDecision, authorizeEvidence, checkEvidenceValue, isInvolved, quorumMet, Refusal, reportResolverRoles } from './policy';
import type { RunState } from './runState';

/**
 * The human side of the run: every Update has a validator that refuses before anything reaches
 * history, and a handler that re-checks (state may have moved between the two) and records.
 * Signals carry the same payloads through the same checks; a refused Signal is recorded in the
 * run's state and dropped, since a Signal cannot answer.
 */

export interface RunControl {
  /** Stop the plan and roll back (first failure wins). */
  abort(failure: RunFailure): void;
  /** Called after any accepted message, e.g. to refresh search attributes. */
  changed(): void;
  /** The hypercare step, while it runs (Red Button reports are accepted only then). */
  hypercare(): HypercareStep | undefined;
  now(): string;
}

function refuse(r: Refusal): never {
  throw ApplicationFailure.create({ type: r.type, message: r.message, nonRetryable: true });
}

function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  refuse(new Refusal(REFUSAL_TYPES.invalid, `${issue?.path.join('.') || 'input'}: ${issue?.message ?? 'invalid'}`));
}

/** One set of checks per message, shared by its validator, its handler and its Signal. */
function checks(state: RunState, control: RunControl) {
  const requireOpen = (): void => {
    if (!state.isOpen()) refuse(new Refusal(REFUSAL_TYPES.runClosed, `the run is ${state.data.failure ? 'rolling back' : state.data.status}`));
  };
  const waitingStep = <K extends 'approval' | 'evidence'>(stepId: string, kind: K): Extract<Step, { kind: K }> => {
    const step = state.stepDef(stepId);
    if (!step) refuse(new Refusal(REFUSAL_TYPES.unknownStep, `no step "${stepId}" in this run`));
    if (step.kind !== kind) refuse(new Refusal(REFUSAL_TYPES.notWaiting, `step "${stepId}" is a ${step.kind} step, not ${kind}`));
    const status = state.stepView(stepId).status;
    if (status !== 'waiting') refuse(new Refusal(REFUSAL_TYPES.notWaiting, `step "${stepId}" is ${status}, not waiting for ${kind === 'approval' ? 'a decision' : 'evidence'}`));
    return step as Extract<Step, { kind: K }>;
  };
  const decision = (input: ApproveStepInput | RejectStepInput, kind: 'approve' | 'reject') => {
    requireOpen();
    const step = waitingStep(input.stepId, 'approval');
    const grant = authorizeDecision(
      step,
      { actor: input.actor, role: input.role, decision: kind },
      { initiatorId: state.input.initiator.id, assignments: state.input.assignments, tally: state.tally(step.id) },
    );
    if (grant instanceof Refusal) refuse(grant);
    return { step, grant };
  };
  const evidence = (input: SubmitEvidenceInput) => {
    requireOpen();
    const step = waitingStep(input.stepId, 'evidence');
    const item = step.items.find((i) => i.id === input.itemId);
    if (!item) {
      refuse(new Refusal(REFUSAL_TYPES.unknownStep, `step "${step.id}" has no evidence item "${input.itemId}" (items: ${step.items.map((i) => i.id).join(', ')})`));
    }
    const role = authorizeEvidence(item, input.actor, input.role, state.input.assignments);
    if (role instanceof Refusal) refuse(role);
    const checked = checkEvidenceValue(item, input.value);
    if (checked instanceof Refusal) refuse(checked);
    return { step, item, role, value: checked.value };
  };
  const report = (input: ReportErrorInput) => {
    const hypercare = control.hypercare();
    if (!hypercare || !state.isOpen()) refuse(new Refusal(REFUSAL_TYPES.runClosed, 'Red Button reports are taken during hypercare, after go-live'));
    if (!input.anonymous && !input.actor) refuse(new Refusal(REFUSAL_TYPES.invalid, 'actor: required unless the report is anonymous'));
    if (input.actor && !input.anonymous && !isInvolved(input.actor.id, state.input.assignments)) {
      refuse(new Refusal(REFUSAL_TYPES.notAuthorized, `${input.actor.id} is not involved in this run`));
    }
    return hypercare;
  };
  const resolution = (input: ResolveReportInput) => {
    const found = state.data.reports.find((r) => r.id === input.reportId);
    if (!found) refuse(new Refusal(REFUSAL_TYPES.unknownReport, `no report "${input.reportId}" in this run`));
    if (found.status !== 'open') refuse(new Refusal(REFUSAL_TYPES.duplicate, `report ${found.id} is already ${found.status}`));
    const may = new Set(reportResolverRoles(state.input.runbook));
    if (!state.rolesOf(input.actor.id).some((r) => may.has(r))) {
      refuse(new Refusal(REFUSAL_TYPES.notAuthorized, `${input.actor.id} may not resolve reports: it needs ${[...may].join(' or ')}`));
    }
    return found;
  };
  const authority = (actor: Actor, roles: string[], what: string) => {
    requireOpen();
    const held = state.rolesOf(actor.id);
    if (!held.some((r) => roles.includes(r))) {
      refuse(new Refusal(REFUSAL_TYPES.notAuthorized, `${actor.id} may not ${what}: it needs ${roles.join(' or ') || 'a role this runbook does not grant'}`));
    }
  };
  const stopRoles = () => [...state.input.runbook.stopAuthority, ...(control.hypercare()?.stopAuthority ?? [])];
  return { decision, evidence, report, resolution, authority, stopRoles };
}

export function registerHandlers(state: RunState, control: RunControl): void {
  const check = checks(state, control);

  /**
   * Answers once the step has reacted to the message: completed or rejected when this decision
   * settled it, still waiting when others must act too. Callers see the real outcome.
   */
  const outcome = async (stepId: string, settles: () => boolean): Promise<StepView> => {
    await condition(() => state.stepView(stepId).status !== 'waiting' || !settles());
    return state.view().steps.find((s) => s.id === stepId)!;
  };
  const approve = (raw: ApproveStepInput): Promise<StepView> => {
    const input = parse(approveStepSchema, raw);
    const { step, grant } = check.decision(input, 'approve');
    state.recordDecision(step.id, 'approve', input.actor, grant, input.comment, step.covers, control.now());
    control.changed();
    return outcome(step.id, () => quorumMet(step, state.tally(step.id)));
  };
  const reject = (raw: RejectStepInput): Promise<StepView> => {
    const input = parse(rejectStepSchema, raw);
    const { step, grant } = check.decision(input, 'reject');
    state.recordDecision(step.id, 'reject', input.actor, grant, input.comment, step.covers, control.now());
    control.changed();
    return outcome(step.id, () => true);
  };
  const submitEvidence = (raw: SubmitEvidenceInput): Promise<StepView> => {
    const input = parse(submitEvidenceSchema, raw);
    const { step, role, value } = check.evidence(input);
    state.recordEvidence(step.id, input.itemId, value, input.note, input.actor, role, control.now());
    control.changed();
    const have = () => state.submittedItems(step.id);
    return outcome(step.id, () => step.items.every((i) => i.optional || have().has(i.id)));
  };
  const reportError = (raw: ReportErrorInput): ReportView => {
    const input = parse(reportErrorSchema, raw);
    const hypercare = check.report(input);
    const now = control.now();
    const view = state.addReport(
      {
        severity: input.severity,
        description: input.description,
        reporter: input.anonymous || !input.actor ? 'anonymous' : input.actor.id,
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
  const resolveReport = (raw: ResolveReportInput): ReportView => {
    const input = parse(resolveReportSchema, raw);
    const report = check.resolution(input);
    state.resolveReport(report, input.actor, input.resolution, control.now());
    control.changed();
    return report;
  };
  const stopLine = (raw: StopLineInput) => {
    const input = parse(stopLineSchema, raw);
    check.authority(input.actor, check.stopRoles(), 'stop the line');
    control.abort({ kind: 'stopped', by: input.actor, reason: input.reason, at: control.now() });
    return state.view();
  };
  const requestRollback = (raw: RequestRollbackInput) => {
    const input = parse(requestRollbackSchema, raw);
    check.authority(input.actor, state.input.runbook.rollbackAuthority, 'ask for a rollback');
    control.abort({ kind: 'rollback-requested', by: input.actor, reason: input.reason, at: control.now() });
    return state.view();
  };

  // Validators run the same code as handlers but throw before anything is recorded: they only
  // read state, so running the checks is enough.
  setHandler(approveStepUpdate, approve, { validator: (i) => void check.decision(parse(approveStepSchema, i), 'approve') });
  setHandler(rejectStepUpdate, reject, { validator: (i) => void check.decision(parse(rejectStepSchema, i), 'reject') });
  setHandler(submitEvidenceUpdate, submitEvidence, { validator: (i) => void check.evidence(parse(submitEvidenceSchema, i)) });
  setHandler(reportErrorUpdate, reportError, { validator: (i) => void check.report(parse(reportErrorSchema, i)) });
  setHandler(resolveReportUpdate, resolveReport, { validator: (i) => void check.resolution(parse(resolveReportSchema, i)) });
  setHandler(stopLineUpdate, stopLine, {
    validator: (i) => check.authority(parse(stopLineSchema, i).actor, check.stopRoles(), 'stop the line'),
  });
  setHandler(requestRollbackUpdate, requestRollback, {
    validator: (i) => check.authority(parse(requestRollbackSchema, i).actor, state.input.runbook.rollbackAuthority, 'ask for a rollback'),
  });

  const asSignal =
    <A>(name: string, handler: (input: A) => unknown) =>
    (input: A): void => {
      try {
        void Promise.resolve(handler(input)).catch(() => undefined);
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        const actorId = (input as { actor?: { id?: unknown } })?.actor?.id;
        state.refuseSignal({ at: control.now(), signal: name, ...(typeof actorId === 'string' ? { actorId } : {}), reason });
        log.warn('refused signal', { signal: name, reason });
      }
    };
  setHandler(approveStepSignal, asSignal('approveStep', approve));
  setHandler(rejectStepSignal, asSignal('rejectStep', reject));
  setHandler(submitEvidenceSignal, asSignal('submitEvidence', submitEvidence));
  setHandler(reportErrorSignal, asSignal('reportError', reportError));
  setHandler(resolveReportSignal, asSignal('resolveReport', resolveReport));
  setHandler(stopLineSignal, asSignal('stopLine', stopLine));
  setHandler(requestRollbackSignal, asSignal('requestRollback', requestRollback));

  setHandler(getRunStateQuery, () => state.view());
}
