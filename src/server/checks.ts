import { FINAL_STATUSES, REFUSAL_TYPES, type RefusalType, type RunStateView, type StepView } from '../../workflows/definitions';
import { rolesOf } from '../../workflows/policy';
import { RACI_ROLES } from '../auth/roles';

/**
 * The server's own look at a request before it becomes an Update (defence in depth): the same
 * questions the workflow's validators ask, answered from the run's current state. The workflow
 * still decides; these only stop what is plainly not allowed and give the person a clear reason.
 */

export interface RefusalReason {
  type: RefusalType;
  reason: string;
}

function refuse(type: RefusalType, reason: string): RefusalReason {
  return { type, reason };
}

export function isClosed(state: RunStateView): boolean {
  return FINAL_STATUSES.includes(state.status);
}

/** People who may act on a waiting step now (after delegation), over all their roles. */
export function mayAct(step: StepView, personId: string): boolean {
  return (step.mayDecide ?? []).some((m) => m.people.includes(personId));
}

/**
 * The step, if it waits for input. Role comes before state: someone who can never act on the
 * step (the `neverActs` check) hears "not yours", whatever the step's state, so a refusal does
 * not tell people outside the step how far it has got.
 */
function waitingStep(state: RunStateView, stepId: string, neverActs?: (step: StepView) => RefusalReason | undefined): StepView | RefusalReason {
  if (isClosed(state)) return refuse(REFUSAL_TYPES.runClosed, `the run has ended (${state.status})`);
  const step = state.steps.find((s) => s.id === stepId);
  if (!step) return refuse(REFUSAL_TYPES.unknownStep, `the run has no step "${stepId}"`);
  const outsider = neverActs?.(step);
  if (outsider) return outsider;
  if (step.status !== 'waiting') return refuse(REFUSAL_TYPES.notWaiting, `step "${stepId}" is not waiting for input (it is ${step.status})`);
  return step;
}

/** Roles that may ever decide an approval step: its approvers, and delegates named so far. */
function deciderRoles(state: RunStateView, step: StepView): string[] {
  const delegates = state.escalations.filter((e) => e.subject === step.id && e.delegatedTo).map((e) => e.delegatedTo as string);
  return [...(step.approvals ?? []).map((a) => a.role), ...(step.mayDecide ?? []).map((m) => m.role), ...delegates];
}

function neverDecides(state: RunStateView, personId: string) {
  return (step: StepView): RefusalReason | undefined => {
    // Without the approver list (not an approval step) the later checks answer.
    if (step.kind !== 'approval' || !step.approvals) return undefined;
    // The initiator never decides their own run, whatever the step's state (four eyes).
    if (state.initiator.id === personId) return refuse(REFUSAL_TYPES.selfApproval, 'the person who started the run may not approve its steps (four eyes)');
    const mine = rolesOf(personId, state.assignments);
    return deciderRoles(state, step).some((r) => mine.includes(r))
      ? undefined
      : refuse(REFUSAL_TYPES.notAuthorized, `you hold none of the roles that decide step "${step.id}" in this run`);
  };
}

function neverSubmits(state: RunStateView, personId: string, itemId: string | undefined) {
  return (step: StepView): RefusalReason | undefined => {
    if (step.kind !== 'evidence' || !step.items) return undefined;
    const mine = rolesOf(personId, state.assignments);
    const item = itemId === undefined ? undefined : step.items.find((i) => i.id === itemId);
    const roles = item ? item.submittedBy : step.items.flatMap((i) => i.submittedBy);
    if (roles.some((r) => mine.includes(r))) return undefined;
    return item
      ? refuse(REFUSAL_TYPES.notAuthorized, `"${item.id}" is submitted by ${item.submittedBy.join(' or ')}; you hold none of those roles in this run`)
      : refuse(REFUSAL_TYPES.notAuthorized, `you hold none of the roles that submit evidence for step "${step.id}" in this run`);
  };
}

export function checkDecision(state: RunStateView, stepId: string, personId: string): RefusalReason | undefined {
  const step = waitingStep(state, stepId, neverDecides(state, personId));
  if ('type' in step) return step;
  if (step.kind !== 'approval') return refuse(REFUSAL_TYPES.invalid, `step "${stepId}" is not an approval step`);
  if (state.initiator.id === personId) return refuse(REFUSAL_TYPES.selfApproval, 'the person who started the run may not approve its steps (four eyes)');
  if (state.decisions.some((d) => d.stepId === stepId && d.actor.id === personId)) {
    return refuse(REFUSAL_TYPES.duplicate, `you have already decided on step "${stepId}"`);
  }
  if (!mayAct(step, personId)) {
    // A role of theirs may decide this step but has its quorum already: say so, not "no role".
    const mine = rolesOf(personId, state.assignments);
    const met = (step.approvals ?? []).filter((a) => mine.includes(a.role) && a.approvedBy.length >= a.quorum);
    if (met.length > 0) {
      const which = met.map((a) => `${a.role} (${a.approvedBy.length}/${a.quorum}: ${a.approvedBy.join(', ')})`).join(', ');
      return refuse(REFUSAL_TYPES.duplicate, `the quorum for ${which} on step "${stepId}" is already met; the step waits for other roles`);
    }
    return refuse(REFUSAL_TYPES.notAuthorized, `you hold none of the roles that decide step "${stepId}" in this run`);
  }
  return undefined;
}


/** The roles that may submit an evidence item (from the step's own list), when the state says. */
export function itemSubmitters(step: StepView, itemId: string): string[] | undefined {
  return step.items?.find((i) => i.id === itemId)?.submittedBy;
}

export function checkEvidence(state: RunStateView, stepId: string, personId: string, itemId?: string): RefusalReason | undefined {
  const step = waitingStep(state, stepId, neverSubmits(state, personId, itemId));
  if ('type' in step) return step;
  // Per item when the state lists items: its submitters may also replace a value they sent.
  const submitters = itemId === undefined ? undefined : itemSubmitters(step, itemId);
  if (submitters) {
    const mine = rolesOf(personId, state.assignments);
    return submitters.some((r) => mine.includes(r))
      ? undefined
      : refuse(REFUSAL_TYPES.notAuthorized, `"${itemId}" is submitted by ${submitters.join(' or ')}; you hold none of those roles in this run`);
  }
  if (step.mayDecide && step.mayDecide.length > 0 && !mayAct(step, personId)) {
    return refuse(REFUSAL_TYPES.notAuthorized, `you hold none of the roles that submit evidence for step "${stepId}" in this run`);
  }
  return undefined;
}

/** Stop, rollback, resolution: only people with a role in the run (the workflow checks which). */
export function checkRunMember(state: RunStateView, personId: string, what: string): RefusalReason | undefined {
  if (isClosed(state)) return refuse(REFUSAL_TYPES.runClosed, `the run has ended (${state.status})`);
  const member = Object.values(state.assignments).some((people) => people.includes(personId));
  return member ? undefined : refuse(REFUSAL_TYPES.notAuthorized, `you have no role in this run, so you may not ${what}`);
}

export function checkRunOpen(state: RunStateView): RefusalReason | undefined {
  return isClosed(state) ? refuse(REFUSAL_TYPES.runClosed, `the run has ended (${state.status})`) : undefined;
}

/**
 * Who may read a run's audit trail and dossier: its initiator, anyone assigned a role in it, and
 * operations, whose job is to inspect trails across runs. The trail names people and quotes
 * their comments, so the rest of the organisation does not read it by default.
 */
export const AUDIT_READER_ROLES: readonly string[] = [RACI_ROLES.operations];

export function mayReadAudit(run: Pick<RunStateView, 'initiator' | 'assignments'>, person: { id: string; roles: readonly string[] }): boolean {
  return (
    run.initiator.id === person.id ||
    Object.values(run.assignments).some((people) => people.includes(person.id)) ||
    person.roles.some((r) => AUDIT_READER_ROLES.includes(r))
  );
}
