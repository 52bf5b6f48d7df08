import type { Step } from './schemas/runbook';
import {
  type DecisionRecord,
  type EvidenceRecord,
  type GoLiveInput,
  type RunStateView,
  type StepView,
} from './definitions';
import { FINAL_STATUSES } from './runStatus';
import { authorityOf, failurePolicy, resendRoles, type RunFacts, type StepFacts } from './policy';

/**
 * The two ways to get the facts the policy decides on: from the workflow's own state (its
 * validators and handlers), and from the view a query returns (the server, the web UI, the
 * CLI). A unit test builds both from the same runs and checks they are equal, so the workflow
 * and everyone who shows or pre-checks what it will accept read the same facts.
 */

const decisionFacts = (decisions: readonly DecisionRecord[], stepId: string): StepFacts['decisions'] =>
  decisions
    .filter((d) => d.stepId === stepId)
    .map((d) => ({ personId: d.actor.id, decision: d.decision, countsFor: d.onBehalfOf ?? d.role }));

const submitterFacts = (evidence: readonly EvidenceRecord[], stepId: string): StepFacts['submitters'] =>
  evidence.filter((e) => e.stepId === stepId).map((e) => ({ itemId: e.itemId, personId: e.submittedBy.id }));

/** The state's side: the runbook's step definitions plus what has happened. */
export interface StateSource {
  input: GoLiveInput;
  stepDefs: readonly Step[];
  status: RunStateView['status'];
  open: boolean;
  ended: boolean;
  stepStatus(stepId: string): StepView['status'];
  delegatedRoles(stepId: string): readonly string[];
  undelivered(stepId: string): boolean;
  decisions: readonly DecisionRecord[];
  evidence: readonly EvidenceRecord[];
  reports: RunStateView['reports'];
}

export function factsFromState(src: StateSource): RunFacts {
  const { input } = src;
  return {
    initiatorId: input.initiator.id,
    assignments: input.assignments,
    delegations: input.delegations ?? [],
    open: src.open,
    ended: src.ended,
    hypercare: src.status === 'hypercare',
    authority: authorityOf(input.runbook),
    sod: input.runbook.separationOfDuties,
    directoryBound: input.directory !== undefined,
    signed: input.signing !== undefined,
    steps: src.stepDefs.map((step) => ({
      id: step.id,
      kind: step.kind,
      status: src.stepStatus(step.id),
      approvers: step.kind === 'approval' ? step.approvers : [],
      covers: step.kind === 'approval' ? step.covers : [],
      delegatedRoles: step.kind === 'approval' ? src.delegatedRoles(step.id) : [],
      decisions: decisionFacts(src.decisions, step.id),
      items:
        step.kind === 'evidence'
          ? step.items.map((i) => ({ id: i.id, submittedBy: i.submittedBy, optional: i.optional }))
          : [],
      submitters: submitterFacts(src.evidence, step.id),
      undelivered: src.undelivered(step.id),
      resendRoles: step.kind === 'action' && failurePolicy(step) !== 'fail' ? resendRoles(step, input.runbook) : [],
      passkey: step.kind === 'approval' && step.passkey === true,
    })),
    reports: src.reports.map((r) => ({ id: r.id, status: r.status })),
  };
}

/** Is a run in this view taking human messages? (The workflow's own test: not ended, not rolling back.) */
function viewIsOpen(view: Pick<RunStateView, 'status' | 'failure'>): boolean {
  return ['running', 'waiting', 'hypercare'].includes(view.status) && view.failure === undefined;
}

export function factsFromView(view: RunStateView): RunFacts {
  return {
    initiatorId: view.initiator.id,
    assignments: view.assignments,
    // Views of runs recorded before these fields existed lack them: the older rules apply.
    delegations: view.delegations ?? [],
    open: viewIsOpen(view),
    ended: FINAL_STATUSES.includes(view.status),
    hypercare: view.status === 'hypercare',
    authority: view.authority ?? { stop: [], hypercareStop: [], rollback: [], resolve: [], read: ['operations'] },
    sod: view.separationOfDuties,
    directoryBound: view.directoryBound ?? false,
    signed: (view.pinnedKeys ?? []).length > 0,
    steps: view.steps.map((step) => ({
      id: step.id,
      kind: step.kind,
      status: step.status,
      approvers: (step.approvals ?? []).map((a) => ({ role: a.role, quorum: a.quorum })),
      covers: step.covers ?? [],
      delegatedRoles: step.delegatedRoles ?? [],
      decisions: decisionFacts(view.decisions, step.id),
      items: (step.items ?? []).map((i) => ({ id: i.id, submittedBy: i.submittedBy, optional: i.optional })),
      submitters: submitterFacts(view.evidence, step.id),
      undelivered: step.undelivered ?? false,
      resendRoles: step.resendRoles ?? [],
      passkey: step.passkey === true,
    })),
    reports: view.reports.map((r) => ({ id: r.id, status: r.status })),
  };
}

/** Enough facts to answer "may this person read the run?" from its start input alone (closed runs). */
export function readFacts(run: Pick<GoLiveInput, 'initiator' | 'assignments' | 'runbook'>): RunFacts {
  return {
    initiatorId: run.initiator.id,
    assignments: run.assignments,
    delegations: [],
    open: false,
    ended: false,
    hypercare: false,
    authority: authorityOf(run.runbook),
    sod: undefined,
    directoryBound: false,
    signed: false,
    steps: [],
    reports: [],
  };
}
