import type { ActionCall, Step } from '../src/contract/schemas/runbook';
import {
  type Actor,
  type CompensationRecord,
  type DecisionRecord,
  type EscalationRecord,
  type EvidenceRecord,
  type GoLiveInput,
  type NotificationRecord,
  type RefusedSignal,
  type ReportView,
  type SignalRecord,
  type RunFailure,
  type RunStateView,
  type StepStatus,
  type StepView,
} from '../src/contract/definitions';
import { FINAL_STATUSES, type RunStatus } from '../src/contract/runStatus';
import {
  authorityOf,
  failurePolicy,
  isAllowed,
  resendRoles,
  rolesOf,
  unmetRoles,
  type Grant,
  type RunFacts,
} from '../src/contract/policy';
import { factsFromState } from '../src/contract/runFacts';
import { MESSAGE_MAX_AGE_MS } from '../src/contract/signedMessages';
import { canonicalJson, sha256Hex } from '../src/contract/sha256';
import { materialiseSteps, type PlannedStep } from '../src/contract/steps';
import { boundedRecords } from './viewBounds';

/** How many recorded notifications a query's answer carries (the most recent). */
const NOTIFICATIONS_SHOWN = 200;

/**
 * Everything a go-live run knows, as one serializable record, so continue-as-new can carry it
 * whole. Methods change it; `view()` derives what queries return. No timers or activities here:
 * the workflow drives, this records.
 */

interface CompensationEntry {
  stepId: string;
  call: ActionCall;
}

/** The records a query shows, as kept; plus what only the workflow needs to carry on. */
export type CarriedState = Pick<
  RunStateView,
  | 'status'
  | 'startedAt'
  | 'endedAt'
  | 'failure'
  | 'steps'
  | 'decisions'
  | 'evidence'
  | 'compensations'
  | 'escalations'
  | 'notifications'
  | 'reports'
  | 'refusedSignals'
  | 'chainLength'
  | 'oversight'
> & {
  /** Receipt hashes of anonymous reports, by report id (never shown in the view). */
  receipts: Record<string, string>;
  /** Per approval step: roles delegated to decide after escalation. (Runs carried from older
   *  versions also hold their approvals here; decisions are now counted from `decisions`.) */
  tallies: Record<string, { delegatedRoles: string[] }>;
  /** Nonces of accepted signed messages → when they were signed (ms), pruned past their age. */
  nonces?: Record<string, number>;
  signals?: SignalRecord[];
  compensationStack: CompensationEntry[];
  seq: number;
  hypercareStartedAt?: string;
  /** Red Button reports recorded but not yet announced when hypercare continued as new. */
  unannouncedReports?: string[];
};

export class RunState {
  readonly plan: PlannedStep[];
  readonly data: CarriedState;
  /** Bumped on every change that a waiting step or the hypercare loop may react to. */
  version = 0;

  constructor(
    readonly input: GoLiveInput,
    now: string,
  ) {
    this.plan = materialiseSteps(input.runbook);
    const carried = input.carried as CarriedState | undefined;
    this.data = carried
      ? { ...carried, chainLength: carried.chainLength + 1 }
      : {
          status: 'running',
          startedAt: now,
          steps: this.plan.map(({ step, after }) => ({
            id: step.id,
            title: step.title,
            kind: step.kind,
            ...(step.phase !== undefined ? { phase: step.phase } : {}),
            after,
            status: 'pending' as StepStatus,
          })),
          decisions: [],
          evidence: [],
          compensations: [],
          escalations: [],
          reports: [],
          receipts: {},
          tallies: {},
          compensationStack: [],
          refusedSignals: [],
          seq: 0,
          chainLength: 1,
        };
  }

  private touch(): void {
    this.version++;
  }

  private nextSeq(): number {
    return ++this.data.seq;
  }

  stepDef(stepId: string): Step | undefined {
    return this.plan.find((p) => p.step.id === stepId)?.step;
  }

  stepView(stepId: string): StepView {
    const view = this.data.steps.find((s) => s.id === stepId);
    if (!view) throw new Error(`unknown step ${stepId}`);
    return view;
  }

  isFinal(): boolean {
    return FINAL_STATUSES.includes(this.data.status);
  }

  /** Open for decisions: not closed, not rolling back. */
  isOpen(): boolean {
    return !this.isFinal() && this.data.status !== 'compensating' && this.data.failure === undefined;
  }

  setStatus(status: RunStatus): void {
    this.data.status = status;
    this.touch();
  }

  setStep(stepId: string, status: StepStatus, now: string, patch: Partial<StepView> = {}): void {
    const view = this.stepView(stepId);
    view.status = status;
    if (status === 'running' || status === 'waiting') view.startedAt ??= now;
    if (['completed', 'failed', 'rejected', 'cancelled'].includes(status)) view.endedAt = now;
    Object.assign(view, patch);
    this.refreshRunStatus();
    this.touch();
  }

  /** While the plan runs, the run is "waiting" when nothing runs but people are awaited. */
  private refreshRunStatus(): void {
    if (this.data.status !== 'running' && this.data.status !== 'waiting') return;
    const active = this.data.steps.filter((s) => s.status === 'running' || s.status === 'waiting');
    this.data.status = active.length > 0 && active.every((s) => s.status === 'waiting') ? 'waiting' : 'running';
  }

  /** The roles delegated on an approval step, to add to (an escalation delegates). */
  delegatedRoles(stepId: string): string[] {
    return (this.data.tallies[stepId] ??= { delegatedRoles: [] }).delegatedRoles;
  }

  /** The same, read only: a query must not change the record a continue-as-new carries. */
  private delegatedRolesOf(stepId: string): readonly string[] {
    return this.data.tallies[stepId]?.delegatedRoles ?? [];
  }

  /** The facts the policy decides on, as of now. */
  facts(): RunFacts {
    return factsFromState({
      input: this.input,
      stepDefs: this.plan.map((p) => p.step),
      status: this.data.status,
      open: this.isOpen(),
      ended: this.isFinal(),
      stepStatus: (id) => this.stepView(id).status,
      delegatedRoles: (id) => this.delegatedRolesOf(id),
      undelivered: (id) => this.stepView(id).undelivered ?? false,
      decisions: this.data.decisions,
      evidence: this.data.evidence,
      reports: this.data.reports,
    });
  }

  /** Decisions on a step, as the quorum counts them. */
  stepDecisions(stepId: string): RunFacts['steps'][number]['decisions'] {
    return this.data.decisions
      .filter((d) => d.stepId === stepId)
      .map((d) => ({ personId: d.actor.id, decision: d.decision, countsFor: d.onBehalfOf ?? d.role }));
  }

  nonceSeen(nonce: string): boolean {
    return this.data.nonces?.[nonce] !== undefined;
  }

  /** Remembers a signed message's nonce; those older than a message may be are forgotten. */
  recordNonce(nonce: string, signedAtMs: number, nowMs: number): void {
    const nonces = (this.data.nonces ??= {});
    for (const [n, at] of Object.entries(nonces)) if (nowMs - at > MESSAGE_MAX_AGE_MS * 2) delete nonces[n];
    nonces[nonce] = signedAtMs;
  }

  recordSignal(entry: SignalRecord): void {
    (this.data.signals ??= []).push(entry);
  }

  recordDecision(
    stepId: string,
    decision: 'approve' | 'reject',
    actor: Actor,
    grant: Grant,
    comment: string | undefined,
    coveredSteps: string[],
    now: string,
    signedBy?: string,
  ): DecisionRecord {
    const record: DecisionRecord = {
      seq: this.nextSeq(),
      stepId,
      decision,
      actor,
      role: grant.role,
      at: now,
      ...(comment ? { comment } : {}),
      evidenceHash: this.evidenceHash(coveredSteps),
      ...(grant.source !== 'unverified' ? { roleSource: grant.source } : {}),
      ...(grant.delegationReason ? { delegationReason: grant.delegationReason } : {}),
      ...(signedBy ? { signedBy } : {}),
    };
    if (grant.countsFor !== undefined && grant.countsFor !== grant.role) record.onBehalfOf = grant.countsFor;
    this.data.decisions.push(record);
    this.touch();
    return record;
  }

  /** The latest submission of each item of the covered steps, hashed together in a stable order. */
  evidenceHash(stepIds: string[]): string {
    const latest = new Map<string, string>();
    for (const e of this.data.evidence) if (stepIds.includes(e.stepId)) latest.set(`${e.stepId}/${e.itemId}`, e.sha256);
    const lines = [...latest.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, h]) => `${k}:${h}`);
    return sha256Hex(lines.join('\n'));
  }

  recordEvidence(
    stepId: string,
    itemId: string,
    value: unknown,
    note: string | undefined,
    actor: Actor,
    role: string,
    now: string,
  ): EvidenceRecord {
    const earlier = this.data.evidence.filter((e) => e.stepId === stepId && e.itemId === itemId).at(-1);
    const record: EvidenceRecord = {
      seq: this.nextSeq(),
      stepId,
      itemId,
      value,
      ...(note ? { note } : {}),
      submittedBy: actor,
      role,
      at: now,
      sha256: sha256Hex(canonicalJson({ stepId, itemId, value })),
      ...(earlier ? { replaces: earlier.seq } : {}),
    };
    this.data.evidence.push(record);
    this.touch();
    return record;
  }

  submittedItems(stepId: string): Set<string> {
    return new Set(this.data.evidence.filter((e) => e.stepId === stepId).map((e) => e.itemId));
  }

  pushCompensation(stepId: string, call: ActionCall): void {
    this.data.compensationStack.push({ stepId, call });
  }

  recordCompensation(entry: Omit<CompensationRecord, 'seq'>): void {
    this.data.compensations.push({ seq: this.nextSeq(), ...entry });
    this.touch();
  }

  /** A notification recorded in place of sending it (no channel); not a change anyone waits on. */
  recordNotification(entry: Omit<NotificationRecord, 'seq'>): void {
    (this.data.notifications ??= []).push({ seq: this.nextSeq(), ...entry });
  }

  recordEscalation(entry: Omit<EscalationRecord, 'seq'>): void {
    this.data.escalations.push({ seq: this.nextSeq(), ...entry });
    this.touch();
  }

  /** The first failure wins: it is what the run is rolled back for. */
  fail(failure: RunFailure): boolean {
    if (this.data.failure) return false;
    this.data.failure = failure;
    this.touch();
    return true;
  }

  addReport(report: Omit<ReportView, 'id'>, receiptHash: string | undefined): ReportView {
    const view: ReportView = { id: `R${this.data.reports.length + 1}`, ...report };
    this.data.reports.push(view);
    if (receiptHash) this.data.receipts[view.id] = receiptHash;
    this.touch();
    return view;
  }

  resolveReport(report: ReportView, by: Actor, text: string, now: string): void {
    report.status = 'resolved';
    report.resolution = { by, at: now, text };
    this.touch();
  }

  /** Reports nobody answered are closed when the run ends, saying so; never left open forever. */
  closeOpenReports(now: string): void {
    for (const report of this.data.reports) {
      if (report.status !== 'open') continue;
      report.status = 'closed';
      report.resolution = {
        by: { id: 'golive', name: 'golive' },
        at: now,
        text: `closed without a response: the run ended (${this.data.status})`,
      };
    }
    this.touch();
  }

  refuseSignal(entry: RefusedSignal): void {
    this.data.refusedSignals.push(entry);
  }

  /**
   * Who may act on a waiting step right now, by role: the policy's answer for each person
   * assigned (with their directory roles as of the start), so the view offers what the
   * workflow will accept.
   */
  mayDecide(stepId: string, facts: RunFacts = this.facts()): { role: string; people: string[] }[] {
    const step = this.stepDef(stepId);
    if (!step || this.stepView(stepId).status !== 'waiting') return [];
    const people = (role: string) => this.input.assignments[role] ?? [];
    const person = (id: string) => ({ id, ...(this.input.directory ? { roles: this.input.directory[id] ?? [] } : {}) });
    if (step.kind === 'approval') {
      const roles = [...new Set([...unmetRoles(step, this.stepDecisions(stepId)), ...this.delegatedRolesOf(stepId)])];
      return roles.map((role) => ({
        role,
        people: people(role).filter((p) =>
          isAllowed(facts, person(p), { kind: 'decide', stepId, decision: 'approve', role }),
        ),
      }));
    }
    if (step.kind === 'evidence') {
      const done = this.submittedItems(stepId);
      const open = step.items.filter((i) => !done.has(i.id) && !i.optional);
      const roles = [...new Set(open.flatMap((i) => i.submittedBy))];
      return roles.map((role) => ({
        role,
        people: people(role).filter((p) =>
          open.some((i) => isAllowed(facts, person(p), { kind: 'submit', stepId, itemId: i.id, role })),
        ),
      }));
    }
    return [];
  }

  waitingRoles(facts: RunFacts = this.facts()): string[] {
    const roles = new Set<string>();
    for (const s of this.data.steps)
      if (s.status === 'waiting') for (const m of this.mayDecide(s.id, facts)) roles.add(m.role);
    return [...roles].sort();
  }

  rolesOf(personId: string): string[] {
    return rolesOf(personId, this.input.assignments);
  }

  /** One step as the view shows it: its record plus what its definition says people may do. */
  private shownStep(s: RunStateView['steps'][number], facts: RunFacts): StepView {
    const { runbook } = this.input;
    const step = this.stepDef(s.id);
    const extra: Partial<StepView> = {};
    if (step?.kind === 'approval') {
      const approvals = this.stepDecisions(s.id).filter((d) => d.decision === 'approve');
      extra.approvals = step.approvers.map((a) => ({
        role: a.role,
        quorum: a.quorum,
        approvedBy: approvals.filter((x) => x.countsFor === a.role).map((x) => x.personId),
      }));
      extra.covers = step.covers;
      extra.delegatedRoles = [...this.delegatedRolesOf(s.id)];
      if (step.passkey) extra.passkey = true;
    }
    if (step?.kind === 'action' && failurePolicy(step) !== 'fail') extra.resendRoles = resendRoles(step, runbook);
    if (step?.kind === 'evidence') {
      extra.items = step.items.map((i) => ({
        id: i.id,
        title: i.title,
        type: i.type,
        ...(i.min !== undefined ? { min: i.min } : {}),
        ...(i.max !== undefined ? { max: i.max } : {}),
        optional: i.optional,
        submittedBy: i.submittedBy,
      }));
    }
    if (s.status === 'waiting') extra.mayDecide = this.mayDecide(s.id, facts);
    return { ...s, ...extra };
  }

  /**
   * One step exactly as `view()` shows it, without building the rest of the view: an Update's
   * answer (handlers.ts) names one step, and it is on the path of every decision (issue 16).
   */
  shownStepView(stepId: string): StepView {
    return this.shownStep(this.stepView(stepId), this.facts());
  }

  /** A query answers with the most recent ones only; the run's result keeps every one. */
  private shownNotifications(bounded: boolean): NotificationRecord[] {
    const all = this.data.notifications ?? [];
    return bounded && all.length > NOTIFICATIONS_SHOWN ? all.slice(all.length - NOTIFICATIONS_SHOWN) : all;
  }

  /** The whole record (the run's result); `bounded`: what a query answers (viewBounds.ts). */
  view(opts: { bounded?: boolean } = {}): RunStateView {
    const { runbook, runbookRef } = this.input;
    const records = {
      reports: this.data.reports,
      escalations: this.data.escalations,
      refusedSignals: this.data.refusedSignals,
    };
    const facts = this.facts();
    return {
      runbook: { id: runbookRef.id, version: runbookRef.version, sha256: runbookRef.sha256, title: runbook.title },
      system: this.input.system,
      collaborationMode: this.input.collaborationMode,
      initiator: this.input.initiator,
      assignments: this.input.assignments,
      params: this.input.params,
      status: this.data.status,
      startedAt: this.data.startedAt,
      ...(this.data.endedAt ? { endedAt: this.data.endedAt } : {}),
      ...(this.data.failure ? { failure: this.data.failure } : {}),
      steps: this.data.steps.map((s) => this.shownStep(s, facts)),
      decisions: this.data.decisions,
      evidence: this.data.evidence,
      compensations: this.data.compensations,
      ...(opts.bounded ? boundedRecords(records) : records),
      ...(this.data.notifications ? { notifications: this.shownNotifications(opts.bounded === true) } : {}),
      ...(this.data.signals ? { signals: this.data.signals } : {}),
      authority: authorityOf(runbook),
      ...(runbook.separationOfDuties ? { separationOfDuties: runbook.separationOfDuties } : {}),
      delegations: this.input.delegations ?? [],
      pinnedKeys: (this.input.signing?.keys ?? []).map((k) => k.keyId),
      directoryBound: this.input.directory !== undefined,
      waitingRoles: this.waitingRoles(facts),
      chainLength: this.data.chainLength,
      ...(this.data.oversight ? { oversight: this.data.oversight } : {}),
    };
  }
}
