import type { EscalationLevel, Runbook, SeparationOfDuties } from './schemas/runbook';
import { durationToMs } from './duration';
import { REFUSAL_TYPES, type Delegation, type RefusalType, type RunAuthority, type StepStatus } from './definitions';

/**
 * The one source of authority: who may do what in a run. Pure functions over `RunFacts`, which
 * the workflow builds from its state (its validators and handlers decide with these) and the
 * server builds from the run's view (its read checks, the web UI's forms, the CLI's hints), so
 * the answers cannot drift apart: the authorization matrix test asks all of them.
 *
 * Evidence values, quorum and escalation timelines are here too: everything a decision rests on.
 */

export class Refusal {
  constructor(
    readonly type: RefusalType,
    readonly message: string,
  ) {}
}

export type Assignments = Record<string, string[]>;

/** The named rules of separation of duties, as refusals cite them. */
export const SOD_RULES = {
  initiator: 'initiator-never-approves',
  submitter: 'submitter-never-approves-own-evidence',
  onePerson: 'one-person-one-decision',
} as const;

export interface StepFacts {
  id: string;
  kind: 'action' | 'approval' | 'evidence' | 'hypercare';
  status: StepStatus;
  /** Approval steps. */
  approvers: readonly { role: string; quorum: number }[];
  covers: readonly string[];
  /** Roles that may decide in place of the approvers after escalation. */
  delegatedRoles: readonly string[];
  decisions: readonly { personId: string; decision: 'approve' | 'reject'; countsFor: string }[];
  /** Evidence steps: the items, and who submitted which. */
  items: readonly { id: string; submittedBy: readonly string[]; optional: boolean }[];
  submitters: readonly { itemId: string; personId: string }[];
  /** Notification steps: not delivered (the runbook said warn), and who may resend it. */
  undelivered: boolean;
  resendRoles: readonly string[];
  /** Approval steps the runbook marks `passkey`: decided only with the approver's passkey. */
  passkey?: boolean;
}

/** What every authority question needs to know about a run. */
export interface RunFacts {
  initiatorId: string;
  assignments: Assignments;
  delegations: readonly Delegation[];
  /** Taking human messages: not ended, not rolling back. */
  open: boolean;
  /** Ended: Temporal itself refuses messages to it. */
  ended: boolean;
  /** In hypercare: Red Button reports are taken and the hypercare step's stop authority applies. */
  hypercare: boolean;
  authority: RunAuthority;
  /** Absent in runs started before these rules: then only four-eyes and no double approval. */
  sod: SeparationOfDuties | undefined;
  /** Runs bound to the directory check a person's directory roles on every act. */
  directoryBound: boolean;
  /** Runs golive signs (a key pinned at start): only these can prove a passkey was checked. */
  signed?: boolean;
  steps: readonly StepFacts[];
  reports: readonly { id: string; status: 'open' | 'resolved' | 'closed' }[];
  /** In an oversight review (review.ts): the duty's reviewer roles and whether it still waits. */
  review?: { dutyId: string; reviewers: readonly string[]; waiting: boolean };
}

/** Who is asking: their id and, when golive verified them, their roles in the directory. */
export interface Person {
  id: string;
  roles?: readonly string[];
}

export type Action =
  /** `passkey`: whether the message carries the approver's passkey assertion. The workflow
   *  always says; left out, the question is who may decide (forms, hints), and the answer
   *  assumes the decision will be made with a passkey where the step needs one. */
  | { kind: 'decide'; stepId: string; decision: 'approve' | 'reject'; role?: string | undefined; passkey?: boolean }
  | { kind: 'submit'; stepId: string; itemId: string; role?: string | undefined }
  | { kind: 'report'; anonymous: boolean }
  | { kind: 'resolve'; reportId: string }
  /** The first response to a report: the same people as for resolving it. */
  | { kind: 'acknowledge'; reportId: string }
  | { kind: 'stop' }
  | { kind: 'rollback' }
  | { kind: 'resend'; stepId: string }
  | { kind: 'review' }
  | { kind: 'read' };

export interface Grant {
  /** The role the person acts in (for read: "member" or the reader role). */
  role: string;
  /** Decisions: the approver role whose quorum it counts towards (differs for a delegate). */
  countsFor?: string;
  /** Where the role came from. */
  source: 'directory' | 'delegation' | 'unverified';
  delegationReason?: string;
}

// ---------------------------------------------------------------------------------------------
// Roles

/** The roles a person is assigned in this run (directory or not). */
export function rolesOf(personId: string, assignments: Assignments): string[] {
  return Object.entries(assignments)
    .filter(([, people]) => people.includes(personId))
    .map(([role]) => role);
}

/** Assigned roles the person may act in now: held in the directory, or delegated by name. */
export interface HeldRole {
  role: string;
  source: Grant['source'];
  reason?: string;
}

export function effectiveRoles(facts: RunFacts, person: Person): HeldRole[] {
  return rolesOf(person.id, facts.assignments).flatMap((role): HeldRole[] => {
    const delegation = facts.delegations.find((d) => d.role === role && d.person === person.id);
    if (delegation) return [{ role, source: 'delegation', reason: delegation.reason }];
    if (!facts.directoryBound) return [{ role, source: 'unverified' }];
    return person.roles?.includes(role) ? [{ role, source: 'directory' }] : [];
  });
}

function grantFor(facts: RunFacts, person: Person, role: string, countsFor?: string): Grant {
  const held = effectiveRoles(facts, person).find((r) => r.role === role);
  return {
    role,
    ...(countsFor !== undefined ? { countsFor } : {}),
    source: held?.source ?? 'unverified',
    ...(held?.reason ? { delegationReason: held.reason } : {}),
  };
}

const refuse = (type: RefusalType, message: string) => new Refusal(type, message);

/**
 * Roles as a refusal names them: each once, in the order given ("guardian or operations"). Lists
 * built from several runbook fields (approvers and delegations, stop and rollback authority,
 * escalation targets) can name a role twice; the message should not.
 */
export function rolesInWords(roles: readonly string[], separator: ' or ' | ', ', none: string): string {
  return [...new Set(roles)].join(separator) || none;
}
const closed = () => refuse(REFUSAL_TYPES.runClosed, 'the run is not taking messages: it has ended or is rolling back');

/** The authority lists of a runbook (older runbooks lack some: their defaults apply). */
export function authorityOf(
  runbook: Pick<Runbook, 'steps' | 'stopAuthority' | 'rollbackAuthority'> & Partial<Pick<Runbook, 'readAuthority'>>,
): RunAuthority {
  const hypercare = runbook.steps.filter((s) => s.kind === 'hypercare');
  const hypercareStop = [...new Set(hypercare.flatMap((s) => s.stopAuthority))];
  return {
    stop: [...runbook.stopAuthority],
    hypercareStop,
    rollback: [...runbook.rollbackAuthority],
    resolve: [...new Set([...hypercare.flatMap((s) => s.notifyOnReport), ...hypercareStop, ...runbook.stopAuthority])],
    read: [...(runbook.readAuthority ?? ['operations'])],
  };
}

// ---------------------------------------------------------------------------------------------
// The single entry point

/**
 * How a question is judged. `stateFirst`: the order of the code before the workflow's
 * `golive-authority-before-state` patch (the run's state before who may act), kept only for
 * refused Signals of runs recorded before it, whose record must replay as it was
 * (workflows/handlers.ts). Everyone else judges authority first.
 */
export interface Judging {
  stateFirst?: boolean;
}

export function authorize(facts: RunFacts, person: Person, action: Action, judging: Judging = {}): Grant | Refusal {
  switch (action.kind) {
    case 'decide':
      return authorizeDecision(facts, person, action);
    case 'submit':
      return authorizeSubmission(facts, person, action);
    case 'report':
      return authorizeReport(facts, person, judging);
    case 'resolve':
      return authorizeResolution(facts, person, action.reportId, 'resolve', judging);
    case 'acknowledge':
      return authorizeResolution(facts, person, action.reportId, 'acknowledge', judging);
    case 'stop':
      return authorizeLine(facts, person, stopRoles(facts), everyStopRole(facts), 'stop the line', judging);
    case 'rollback':
      return authorizeLine(
        facts,
        person,
        facts.authority.rollback,
        facts.authority.rollback,
        'ask for a rollback',
        judging,
      );
    case 'resend':
      return authorizeResend(facts, person, action.stepId);
    case 'review':
      return authorizeReview(facts, person);
    case 'read':
      return authorizeRead(facts, person);
  }
}

/** Every action this person may take now: what the web UI offers and the CLI lists. */
export function allowedActions(facts: RunFacts, person: Person): Action[] {
  const candidates: Action[] = [
    { kind: 'read' },
    { kind: 'report', anonymous: false },
    { kind: 'stop' },
    { kind: 'rollback' },
  ];
  for (const step of facts.steps) {
    if (step.kind === 'approval')
      candidates.push(
        { kind: 'decide', stepId: step.id, decision: 'approve' },
        { kind: 'decide', stepId: step.id, decision: 'reject' },
      );
    if (step.kind === 'evidence')
      for (const item of step.items) candidates.push({ kind: 'submit', stepId: step.id, itemId: item.id });
  }
  for (const report of facts.reports) candidates.push({ kind: 'resolve', reportId: report.id });
  for (const step of facts.steps) if (step.undelivered) candidates.push({ kind: 'resend', stepId: step.id });
  if (facts.review) candidates.push({ kind: 'review' });
  return candidates.filter((a) => !(authorize(facts, person, a) instanceof Refusal));
}

export function isAllowed(facts: RunFacts, person: Person, action: Action): boolean {
  return !(authorize(facts, person, action) instanceof Refusal);
}

/** Roles that may stop the line now: the run's, and during hypercare the hypercare step's. */
export function stopRoles(facts: RunFacts): string[] {
  return [...new Set([...facts.authority.stop, ...(facts.hypercare ? facts.authority.hypercareStop : [])])];
}

/** Roles that may stop the line in some phase of the run: whoever holds none may never stop it. */
function everyStopRole(facts: RunFacts): string[] {
  return [...new Set([...facts.authority.stop, ...facts.authority.hypercareStop])];
}

// ---------------------------------------------------------------------------------------------
// Decisions

function approvalStep(facts: RunFacts, stepId: string): StepFacts | Refusal {
  const step = facts.steps.find((s) => s.id === stepId);
  if (!step) return refuse(REFUSAL_TYPES.unknownStep, `no step "${stepId}" in this run`);
  if (step.kind !== 'approval')
    return refuse(REFUSAL_TYPES.notWaiting, `step "${stepId}" is ${withArticle(step.kind)} step, not an approval step`);
  return step;
}

/** Checks in the order a person can act on: role first, so outsiders learn nothing of the step's state. */
function authorizeDecision(
  facts: RunFacts,
  person: Person,
  action: Extract<Action, { kind: 'decide' }>,
): Grant | Refusal {
  if (!facts.open) return closed();
  const step = approvalStep(facts, action.stepId);
  if (step instanceof Refusal) return step;
  const held = effectiveRoles(facts, person).map((r) => r.role);
  const assigned = rolesOf(person.id, facts.assignments);
  if (action.role !== undefined && !held.includes(action.role)) {
    const why = assigned.includes(action.role)
      ? 'the directory no longer grants them that role'
      : 'they are not assigned it in this run';
    return refuse(REFUSAL_TYPES.notAuthorized, `${person.id} may not decide as ${action.role}: ${why}`);
  }
  const approverRoles = step.approvers.map((a) => a.role);
  const eligible = [...new Set([...approverRoles, ...step.delegatedRoles])];
  const candidates = (action.role !== undefined ? [action.role] : held).filter((r) => eligible.includes(r));
  if (candidates.length === 0) {
    return refuse(
      REFUSAL_TYPES.notAuthorized,
      `${person.id} may not decide "${step.id}": it needs ${rolesInWords(eligible, ' or ', 'a role the runbook names')}` +
        (held.length ? ` (they hold ${rolesInWords(held, ', ', '')})` : ' (they hold no role in this run)'),
    );
  }
  if (person.id === facts.initiatorId) {
    return refuse(
      REFUSAL_TYPES.selfApproval,
      `${person.id} started this run and may not decide on it (four-eyes, rule ${SOD_RULES.initiator})`,
    );
  }
  if (step.status !== 'waiting')
    return refuse(REFUSAL_TYPES.notWaiting, `step "${step.id}" is ${step.status}, not waiting for a decision`);
  const mine = step.decisions.filter(
    (d) => d.personId === person.id && (facts.sod !== undefined || d.decision === 'approve'),
  );
  if (mine[0]) {
    return refuse(
      REFUSAL_TYPES.duplicate,
      `${person.id} has already ${mine[0].decision === 'approve' ? 'approved' : 'rejected'} "${step.id}" (rule ${SOD_RULES.onePerson})`,
    );
  }
  // Decided, though the run has not moved on yet (racing messages in one workflow task): the first settles it.
  const settledBy = settlement(step, facts);
  if (settledBy) return refuse(REFUSAL_TYPES.notWaiting, `step "${step.id}" is already decided (${settledBy})`);
  const submitted = submitterConflict(facts, step, person.id);
  if (submitted) return submitted;
  const unsigned = passkeyMissing(facts, step, action);
  if (unsigned) return unsigned;
  return pickQuorumRole(facts, person, step, candidates, action.decision);
}

/**
 * A step the runbook marks `passkey` is decided only with the approver's own passkey: in a run
 * golive signs, a decision message without an assertion is refused. (Runs started without
 * golive's signature prove nothing either way: their dossiers verify as unsigned.)
 */
function passkeyMissing(
  facts: RunFacts,
  step: StepFacts,
  action: Extract<Action, { kind: 'decide' }>,
): Refusal | undefined {
  if (!step.passkey || !facts.signed || action.passkey !== false) return undefined;
  return refuse(
    REFUSAL_TYPES.passkeyRequired,
    `"${step.id}" is decided only with your passkey: open the run in golive's web UI (run page or My approvals) and decide there; ` +
      `your browser asks your passkey to sign exactly this decision. No passkey yet? Register one on the Passkeys page (/passkeys).`,
  );
}

/** Whether a waiting step is already decided: rejected, or every quorum met (runs since one-decision-per-person). */
function settlement(step: StepFacts, facts: RunFacts): string | undefined {
  if (facts.sod === undefined) return undefined;
  const rejection = step.decisions.find((d) => d.decision === 'reject');
  if (rejection) return `rejected by ${rejection.personId}`;
  return unmetApprovers(step).length === 0 ? 'every quorum is met' : undefined;
}

/** Separation of duties: nobody approves evidence they submitted themselves. */
function submitterConflict(facts: RunFacts, step: StepFacts, personId: string): Refusal | undefined {
  if (!facts.sod?.submitterNeverApproves) return undefined;
  for (const coveredId of step.covers) {
    const covered = facts.steps.find((s) => s.id === coveredId);
    const own = covered?.submitters.find((s) => s.personId === personId);
    if (own) {
      return refuse(
        REFUSAL_TYPES.separationOfDuties,
        `${personId} submitted "${own.itemId}" of "${coveredId}", which "${step.id}" covers, and may not decide on it (rule ${SOD_RULES.submitter})`,
      );
    }
  }
  return undefined;
}

function unmetApprovers(step: Pick<StepFacts, 'approvers' | 'decisions'>): string[] {
  const approvals = step.decisions.filter((d) => d.decision === 'approve');
  return step.approvers
    .filter((a) => approvals.filter((x) => x.countsFor === a.role).length < a.quorum)
    .map((a) => a.role);
}

/** Which role the decision counts for: a reject needs any eligible role, an approval an unmet quorum. */
function pickQuorumRole(
  facts: RunFacts,
  person: Person,
  step: StepFacts,
  candidates: string[],
  decision: 'approve' | 'reject',
): Grant | Refusal {
  const approverRoles = step.approvers.map((a) => a.role);
  const unmet = unmetApprovers(step);
  for (const role of candidates) {
    if (decision === 'reject')
      return grantFor(facts, person, role, approverRoles.includes(role) ? role : (unmet[0] ?? role));
    if (approverRoles.includes(role)) {
      if (unmet.includes(role)) return grantFor(facts, person, role, role);
    } else if (unmet[0] !== undefined) {
      return grantFor(facts, person, role, unmet[0]);
    }
  }
  return refuse(
    REFUSAL_TYPES.duplicate,
    `the quorum for ${rolesInWords(candidates, ', ', '')} on "${step.id}" is already met; the step waits for other roles`,
  );
}

/** Approver roles whose quorum is not yet met (the workflow's wait and the view use it). */
export function unmetRoles(step: { approvers: StepFacts['approvers'] }, decisions: StepFacts['decisions']): string[] {
  return unmetApprovers({ approvers: step.approvers, decisions });
}

export function quorumMet(step: { approvers: StepFacts['approvers'] }, decisions: StepFacts['decisions']): boolean {
  return unmetRoles(step, decisions).length === 0;
}

// ---------------------------------------------------------------------------------------------
// Evidence, reports, the line, reading

function authorizeSubmission(
  facts: RunFacts,
  person: Person,
  action: Extract<Action, { kind: 'submit' }>,
): Grant | Refusal {
  if (!facts.open) return closed();
  const step = facts.steps.find((s) => s.id === action.stepId);
  if (!step) return refuse(REFUSAL_TYPES.unknownStep, `no step "${action.stepId}" in this run`);
  if (step.kind !== 'evidence')
    return refuse(
      REFUSAL_TYPES.notWaiting,
      `step "${step.id}" is ${withArticle(step.kind)} step, not an evidence step`,
    );
  const item = step.items.find((i) => i.id === action.itemId);
  if (!item)
    return refuse(
      REFUSAL_TYPES.unknownEvidenceItem,
      `step "${step.id}" has no evidence item "${action.itemId}" (its items: ${step.items.map((i) => i.id).join(', ')})`,
    );
  const held = effectiveRoles(facts, person).map((r) => r.role);
  // A role named but not held is the problem, not the item's roles (which the person may hold).
  if (action.role !== undefined && !held.includes(action.role)) {
    const why = rolesOf(person.id, facts.assignments).includes(action.role)
      ? 'the directory no longer grants them that role'
      : 'they are not assigned it in this run';
    return refuse(REFUSAL_TYPES.notAuthorized, `${person.id} may not submit as ${action.role}: ${why}`);
  }
  const allowed = (action.role !== undefined ? [action.role] : held).filter(
    (r) => held.includes(r) && item.submittedBy.includes(r),
  );
  if (allowed[0] === undefined)
    return refuse(
      REFUSAL_TYPES.notAuthorized,
      `${person.id} may not submit "${item.id}": it needs ${rolesInWords(item.submittedBy, ' or ', 'a role the runbook names')}`,
    );
  if (step.status !== 'waiting')
    return refuse(REFUSAL_TYPES.notWaiting, `step "${step.id}" is ${step.status}, not waiting for evidence`);
  return grantFor(facts, person, allowed[0]);
}

/** Why a report is refused by a run that has ended or is rolling back (the words runs have always recorded). */
export const REPORTS_IN_HYPERCARE = 'Red Button reports are taken during hypercare, after go-live';
/** Why a report is refused by an open run before hypercare: not closed, just not there yet (hypercare is last). */
export const NOT_IN_HYPERCARE_YET = `the run has not reached hypercare yet: ${REPORTS_IN_HYPERCARE}`;
/** …and by an open run whose runbook has no hypercare step (it never will take one). */
export const NO_HYPERCARE = `the run's runbook has no hypercare step: ${REPORTS_IN_HYPERCARE}`;

/**
 * Anyone involved may report, also anonymously: anonymity hides the name in the record, not the check.
 * Authority before the run's phase, as for every other message (a closed run aside): someone who
 * may not report hears only that, whether or not the run has reached hypercare.
 */
/** Who may report first (anyone else hears NotAuthorized whatever the run's state), then the run's phase. */
function authorizeReport(facts: RunFacts, person: Person, judging: Judging): Grant | Refusal {
  if (judging.stateFirst && !facts.open) return refuse(REFUSAL_TYPES.runClosed, REPORTS_IN_HYPERCARE);
  const held = effectiveRoles(facts, person);
  if (!held[0]) return refuse(REFUSAL_TYPES.notAuthorized, `${person.id} is not involved in this run`);
  if (!facts.open) return refuse(REFUSAL_TYPES.runClosed, REPORTS_IN_HYPERCARE);
  if (!facts.hypercare) {
    const ahead = facts.steps.some((s) => s.kind === 'hypercare');
    return refuse(REFUSAL_TYPES.notInHypercare, ahead ? NOT_IN_HYPERCARE_YET : NO_HYPERCARE);
  }
  return grantFor(facts, person, held[0].role);
}

/** Reports are answered while the run lives, rolling back included (the loop closes with the reporter). */
function authorizeResolution(
  facts: RunFacts,
  person: Person,
  reportId: string,
  verb: 'resolve' | 'acknowledge',
  judging: Judging,
): Grant | Refusal {
  if (judging.stateFirst && facts.ended) return closed();
  const role = effectiveRoles(facts, person).find((r) => facts.authority.resolve.includes(r.role));
  const notAuthorized = () =>
    refuse(
      REFUSAL_TYPES.notAuthorized,
      `${person.id} may not ${verb} reports: it needs ${rolesInWords(facts.authority.resolve, ' or ', 'a role the runbook names')}`,
    );
  // An ended run: who may never answer reports hears that, the others that it has ended.
  if (facts.ended) return role ? closed() : notAuthorized();
  const report = facts.reports.find((r) => r.id === reportId);
  if (!report) return refuse(REFUSAL_TYPES.unknownReport, `no report "${reportId}" in this run`);
  if (!role) return notAuthorized();
  if (report.status !== 'open')
    return refuse(REFUSAL_TYPES.duplicate, `report ${report.id} is already ${report.status}`);
  return grantFor(facts, person, role.role);
}

/**
 * Stop the line, ask for a rollback: `roles` may now, `ever` in some phase of the run. Who holds
 * none of `ever` may never do it and hears so whatever the run's state; only those who might
 * hear that the run is closed (an auditor who reads an ended run learns nothing more from a stop).
 */
function authorizeLine(
  facts: RunFacts,
  person: Person,
  roles: readonly string[],
  ever: readonly string[],
  what: string,
  judging: Judging,
): Grant | Refusal {
  if (judging.stateFirst && !facts.open) return closed();
  const held = effectiveRoles(facts, person);
  const notAuthorized = () =>
    refuse(
      REFUSAL_TYPES.notAuthorized,
      `${person.id} may not ${what}: it needs ${rolesInWords(facts.open ? roles : ever, ' or ', 'a role this runbook does not grant')}`,
    );
  if (!held.some((r) => ever.includes(r.role))) return notAuthorized();
  if (!facts.open) return closed();
  const role = held.find((r) => roles.includes(r.role));
  if (!role) return notAuthorized();
  return grantFor(facts, person, role.role);
}

/** An undelivered notification may be sent again by those it escalated to, while the run is open. */
function authorizeResend(facts: RunFacts, person: Person, stepId: string): Grant | Refusal {
  if (!facts.open) return closed();
  const step = facts.steps.find((s) => s.id === stepId);
  if (!step || step.kind !== 'action')
    return refuse(REFUSAL_TYPES.unknownStep, `no notification step "${stepId}" in this run`);
  const role = effectiveRoles(facts, person).find((r) => step.resendRoles.includes(r.role));
  if (!role)
    return refuse(
      REFUSAL_TYPES.notAuthorized,
      `${person.id} may not resend "${stepId}": it needs ${rolesInWords(step.resendRoles, ' or ', 'a role the runbook names')}`,
    );
  if (!step.undelivered)
    return refuse(
      REFUSAL_TYPES.notWaiting,
      `"${stepId}" is not waiting to be resent (delivered, not run yet, or being resent now)`,
    );
  return grantFor(facts, person, role.role);
}

// ---------------------------------------------------------------------------------------------
// Notifications that fail

export type FailurePolicy = 'fail' | 'warn' | 'retry';

/** What a failure of an action step does: notifications warn (after retrying) unless told otherwise. */
export function failurePolicy(step: { action: string; onFailure?: FailurePolicy | undefined }): FailurePolicy {
  return step.onFailure ?? (step.action === 'notify' ? 'retry' : 'fail');
}

/** Who hears of an undelivered notification and may resend it. */
export function resendRoles(
  step: { escalateTo?: string[] | undefined },
  runbook: Pick<Runbook, 'rollbackAuthority' | 'stopAuthority'>,
): string[] {
  return step.escalateTo ?? [...new Set([...runbook.rollbackAuthority, ...runbook.stopAuthority])];
}

/** A scheduled oversight review is recorded once, by a reviewer role's member, never by who put the system live (four-eyes). */
function authorizeReview(facts: RunFacts, person: Person): Grant | Refusal {
  const review = facts.review;
  if (!review) return refuse(REFUSAL_TYPES.unknownStep, 'this is not an oversight review');
  const role = effectiveRoles(facts, person).find((r) => review.reviewers.includes(r.role));
  if (!role)
    return refuse(
      REFUSAL_TYPES.notAuthorized,
      `${person.id} may not record the "${review.dutyId}" review: it needs ${rolesInWords(review.reviewers, ' or ', 'a role the runbook names')}`,
    );
  if (person.id === facts.initiatorId)
    return refuse(
      REFUSAL_TYPES.selfApproval,
      `${person.id} started the go-live and may not review its oversight (four-eyes, rule ${SOD_RULES.initiator})`,
    );
  if (!review.waiting)
    return refuse(REFUSAL_TYPES.notWaiting, `the "${review.dutyId}" review is no longer waiting (recorded or missed)`);
  return grantFor(facts, person, role.role);
}

/** People involved in a run read it; so do the directory roles the runbook names (auditors, operations). */
function authorizeRead(facts: RunFacts, person: Person): Grant | Refusal {
  if (person.id === facts.initiatorId || rolesOf(person.id, facts.assignments).length > 0)
    return { role: 'member', source: 'unverified' };
  const reader = person.roles?.find((r) => facts.authority.read.includes(r));
  if (reader) return { role: reader, source: 'directory' };
  return refuse(REFUSAL_TYPES.notAuthorized, `${person.id} is not involved in this run`);
}

// ---------------------------------------------------------------------------------------------
// Deadlines and escalation

export type TimelineEvent =
  { kind: 'escalate'; atMs: number; level: number; escalation: EscalationLevel } | { kind: 'deadline'; atMs: number };

/**
 * The timers of a waiting step, as offsets from when it started waiting: each escalation level,
 * then the final deadline (if any). Levels later than the deadline still fire when the step holds.
 */
export function waitTimeline(escalation: EscalationLevel[], deadline: string | undefined): TimelineEvent[] {
  const events: TimelineEvent[] = escalation.map((e, i) => ({
    kind: 'escalate' as const,
    atMs: durationToMs(e.after),
    level: i + 1,
    escalation: e,
  }));
  if (deadline !== undefined) events.push({ kind: 'deadline', atMs: durationToMs(deadline) });
  // Stable sort: at equal times an escalation fires before the deadline that follows it.
  return events.sort((a, b) => a.atMs - b.atMs);
}

/** "an approval", "a hypercare": step kinds as a sentence says them. */
function withArticle(word: string): string {
  return `${/^[aeiou]/.test(word) ? 'an' : 'a'} ${word}`;
}
