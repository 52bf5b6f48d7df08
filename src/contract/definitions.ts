import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Runbook, SeparationOfDuties } from './schemas/runbook';
import type { PasskeyAssertion } from './passkeyBinding';
import type { RunStatus } from './runStatus';
import type { MessageSignature, PinnedKey } from './signedMessages';

/**
 * Every message the go-live workflow understands, in one module: the workflow, the server and
 * the CLI import these (and only these) so names and payloads cannot drift apart.
 *
 * No zod here: the workflow bundle imports this module, and the SDK evaluates the bundle's
 * modules once per cached run, so every schema built at load time would be paid per open run
 * (README, "Worker tuning"). The payloads' zod schemas live in messageSchemas.ts, for the
 * server and CLI, which parse requests with them; the workflow's Update validators check the
 * same rules with messageChecks.ts (a property test holds the two equal). The `actor` in every
 * payload is the identity the server verified, never user input, and every message carries the
 * server's signature over it (signedMessages.ts): the workflow refuses what golive did not sign.
 */

export const GO_LIVE_WORKFLOW = 'goLive';

/** A person as a message names them: who, and their directory roles when golive sent it. */
export interface Actor {
  id: string;
  name?: string;
  /** The person's roles in the directory when golive sent the message (signed with it). */
  roles?: string[];
}

// ---------------------------------------------------------------------------------------------
// Start input

export interface RunbookRef {
  id: string;
  version: string;
  /** SHA-256 of the runbook file as loaded: pins the run to that exact content. */
  sha256: string;
  source?: string;
}

export interface Delegation {
  role: string;
  person: string;
  reason: string;
}

export type ParamValue = string | number | boolean;

export interface GoLiveInput {
  /** The runbook with `${params.x}` placeholders already filled from `params`. */
  runbook: Runbook;
  runbookRef: RunbookRef;
  system: string;
  collaborationMode: number;
  initiator: Actor;
  /** People assigned to each RACI role for this run. */
  assignments: Record<string, string[]>;
  params: Record<string, ParamValue>;
  /** Assignments of people who do not hold the role in the directory, allowed only for roles
   *  the runbook marks `delegable`: named substitutes, each with the reason. */
  delegations?: Delegation[];
  /** Each assigned person's roles in the directory at start (what the assignments were checked
   *  against). Absent only in runs started before golive bound roles to the directory. */
  directory?: Record<string, string[]>;
  /** Each assigned person's name (and e-mail, where the users file has one) at start, so the
   *  run's documents name people, not ids. Absent in runs started before golive recorded them. */
  people?: Record<string, { name: string; email?: string }>;
  /** The server's public key(s) this run accepts signed messages from, and its signature over
   *  this input. Absent only in runs started before golive signed messages. */
  signing?: { keys: PinnedKey[]; startSignature: MessageSignature };
  /** The channels golive's notifications are delivered over, as the server's configuration said at
   *  start. Empty: none, so the run records who was to be told in its state (`notifications`) and
   *  schedules no `notify` activity. Absent (older runs, other clients): the activity decides. */
  notifyChannels?: NotifyChannel[];
  /** Set only by continue-as-new: the state the previous run in the chain ended with. */
  carried?: unknown;
}

// ---------------------------------------------------------------------------------------------
// Decisions and other human messages: what callers send (defaults may be omitted; the workflow
// checks every payload again, messageChecks.ts)

interface Signed {
  signature?: MessageSignature;
}

export interface ApproveStepInput extends Signed {
  actor: Actor;
  stepId: string;
  /** Which of the actor's roles in this run they decide in; omitted: the first that may. */
  role?: string;
  comment?: string;
  /** Steps the runbook marks `passkey`: the approver's passkey assertion over this decision. */
  passkey?: PasskeyAssertion;
}

export interface RejectStepInput extends Signed {
  actor: Actor;
  stepId: string;
  role?: string;
  comment: string;
  passkey?: PasskeyAssertion;
}

export interface SubmitEvidenceInput extends Signed {
  actor: Actor;
  stepId: string;
  itemId: string;
  role?: string;
  /** Checked against the item's type (number / url / document / attestation / text). */
  value: unknown;
  note?: string;
}

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface ReportErrorInput extends Signed {
  /** Absent for an anonymous report (the server authenticated the person but keeps them out). */
  actor?: Actor;
  anonymous?: boolean;
  severity: Severity;
  description: string;
  /** SHA-256 of a receipt the server gave an anonymous reporter, so they can read the resolution. */
  receiptHash?: string;
}

export interface ResolveReportInput extends Signed {
  actor: Actor;
  reportId: string;
  resolution: string;
}

/** The first response to a report before its resolution: "seen, on it" (decided by the same rule as resolving). */
export interface AcknowledgeReportInput extends Signed {
  actor: Actor;
  reportId: string;
  text: string;
}

export interface StopLineInput extends Signed {
  actor: Actor;
  reason: string;
}

export type RequestRollbackInput = StopLineInput;

export interface ResendNotificationInput extends Signed {
  actor: Actor;
  stepId: string;
}

// ---------------------------------------------------------------------------------------------
// The state a query returns (the workflow's own record; the audit trail is built from it and
// from history)

export type StepStatus =
  | 'pending'
  | 'running'
  | 'waiting'
  | 'completed'
  | 'failed'
  | 'rejected'
  | 'cancelled'
  | 'compensating'
  | 'compensated'
  | 'compensation-failed';

export interface ApprovalProgress {
  role: string;
  quorum: number;
  approvedBy: string[];
}

export interface StepView {
  id: string;
  title: string;
  kind: 'action' | 'approval' | 'evidence' | 'hypercare';
  phase?: string;
  after: string[];
  status: StepStatus;
  startedAt?: string;
  endedAt?: string;
  /** Action steps: the activity's result (evidence), or the failure. */
  result?: unknown;
  error?: string;
  /** Approval steps: per-role progress towards quorum. */
  approvals?: ApprovalProgress[];
  /** Evidence steps: what must be submitted, so callers can offer the right input. */
  items?: {
    id: string;
    title: string;
    type: 'number' | 'url' | 'document' | 'attestation' | 'text';
    min?: number;
    max?: number;
    optional: boolean;
    submittedBy: string[];
  }[];
  /** Approval/evidence steps: who may act now (after delegation), and until when. */
  mayDecide?: { role: string; people: string[] }[];
  /** Notification steps the runbook lets fail without a rollback: not delivered (yet), why, and
   *  who may resend it. */
  undelivered?: boolean;
  warning?: string;
  resendRoles?: string[];
  /** Approval steps: the evidence steps the decision covers, and roles delegated to decide. */
  covers?: string[];
  /** Approval steps decided only with the approver's passkey (the runbook's `passkey: true`). */
  passkey?: boolean;
  delegatedRoles?: string[];
  deadlineAt?: string;
  escalationLevel?: number;
}

export interface DecisionRecord {
  seq: number;
  stepId: string;
  decision: 'approve' | 'reject';
  actor: Actor;
  role: string;
  /** For a delegate: the approver role whose quorum this decision counts towards. */
  onBehalfOf?: string;
  at: string;
  comment?: string;
  /** SHA-256 over the evidence the decision covered (sorted item hashes), or of "" when none. */
  evidenceHash: string;
  /** Where the role came from: the directory, or a named delegation at start (with its reason).
   *  Absent in runs started before golive bound roles to the directory. */
  roleSource?: 'directory' | 'delegation';
  delegationReason?: string;
  /** The key that signed the message (absent in runs started before golive signed messages). */
  signedBy?: string;
  /** The approver's passkey signed this decision (the assertion is in the trail's signed message). */
  passkey?: { credentialId: string };
}

export interface EvidenceRecord {
  seq: number;
  stepId: string;
  itemId: string;
  value: unknown;
  note?: string;
  submittedBy: Actor;
  role: string;
  at: string;
  sha256: string;
  /** The earlier submission of the same item that this one replaces. */
  replaces?: number;
}

export interface CompensationRecord {
  seq: number;
  stepId: string;
  action: string;
  status: 'completed' | 'failed';
  at: string;
  result?: unknown;
  error?: string;
}

export type NotifyChannel = 'slack' | 'email';

/** A notification recorded instead of sent: the run was started with no channel (`notifyChannels: []`). */
export interface NotificationRecord {
  seq: number;
  at: string;
  /** People (ids or addresses), as the notify activity would have been given them. */
  to: string[];
  subject: string;
  severity: 'info' | 'warning' | 'critical';
}

export interface EscalationRecord {
  seq: number;
  /** A step id, or a report id for Red Button reports. */
  subject: string;
  level: number;
  at: string;
  notified: string[];
  delegatedTo?: string;
}

export interface ReportView {
  id: string;
  severity: Severity;
  description: string;
  /** The reporter's id, or "anonymous". */
  reporter: string;
  /** The reporter's name as their identity gave it (never for an anonymous report). */
  reporterName?: string;
  at: string;
  responseDueAt: string;
  /** closed: the run ended before anyone responded (the resolution says so). */
  status: 'open' | 'resolved' | 'closed';
  escalationLevel: number;
  resolution?: { by: Actor; at: string; text: string };
  /** The first response, before the resolution: someone who may answer acknowledged it. */
  acknowledgement?: { by: Actor; at: string; text: string };
  /** The thank-you recorded on resolution (sent to a named reporter; an anonymous one reads it with the receipt). */
  thanks?: { at: string; text: string; delivered?: boolean };
}

/** A Signal the run could not accept (Signals cannot answer, so the refusal is kept here). */
export interface RefusedSignal {
  at: string;
  signal: string;
  actorId?: string;
  reason: string;
  type?: RefusalType;
}

/**
 * What became of each Signal, in the order the run received them: the n-th Signal in the run's
 * history is the n-th record, so the audit trail tells accepted from refused without guessing.
 */
export interface SignalRecord {
  signal: string;
  outcome: 'accepted' | 'refused';
  at: string;
}

/** Who may do what beyond the steps' own lists, as the runbook says (policy.ts reads it). */
export interface RunAuthority {
  /** May stop the line at any time while the run is open. */
  stop: string[];
  /** May stop the line during hypercare (the hypercare step's own list). */
  hypercareStop: string[];
  rollback: string[];
  /** May answer Red Button reports. */
  resolve: string[];
  /** Directory roles that read every run of this runbook without being assigned. */
  read: string[];
}

export interface RunFailure {
  kind: 'action-failed' | 'rejected' | 'deadline' | 'stopped' | 'rollback-requested' | 'cancelled';
  stepId?: string;
  by?: Actor;
  reason: string;
  at: string;
}

/** The run's scheduled oversight (oversight.ts): one Temporal Schedule per duty of its mode. */
export interface OversightView {
  schedules: { dutyId: string; scheduleId: string; every: string }[];
  createdAt: string;
  /** active: firing; paused: the line was stopped; deleted: the run rolled back; failed: never created. */
  state: 'active' | 'paused' | 'deleted' | 'failed';
  note?: string;
  error?: string;
}

export interface RunStateView {
  runbook: { id: string; version: string; sha256: string; title: string };
  system: string;
  collaborationMode: number;
  initiator: Actor;
  assignments: Record<string, string[]>;
  params: Record<string, string | number | boolean>;
  status: RunStatus;
  startedAt: string;
  endedAt?: string;
  failure?: RunFailure;
  steps: StepView[];
  decisions: DecisionRecord[];
  evidence: EvidenceRecord[];
  compensations: CompensationRecord[];
  escalations: EscalationRecord[];
  /** Notifications recorded, not sent: no channel was configured when the run started (absent:
   *  none such; notifications sent through a channel are in history as `notify` activities). */
  notifications?: NotificationRecord[];
  reports: ReportView[];
  refusedSignals: RefusedSignal[];
  /** Every Signal's outcome in arrival order (absent in runs started before it was kept). */
  signals?: SignalRecord[];
  /** Who may stop, roll back, resolve reports and read, and the separation-of-duties rules. */
  authority: RunAuthority;
  separationOfDuties?: SeparationOfDuties;
  delegations: Delegation[];
  /** Ids of the signing keys the run pinned (empty: a run started before signing). */
  pinnedKeys: string[];
  /** Assignments were checked against the directory at start, and every act is checked again. */
  directoryBound: boolean;
  /** Roles whose decision or evidence the run waits for now. */
  waitingRoles: string[];
  /** How many runs this go-live spans (continue-as-new during long hypercare). */
  chainLength: number;
  /** Scheduled oversight, once go-live created it (absent: none for this mode, or an older run). */
  oversight?: OversightView;
  /** In a query's answer only, when the run holds more records than an answer carries
   *  (workflows/viewBounds.ts): how many were left out. The audit trail has every one. */
  omitted?: { reports: number; openReports: number; escalations: number; refusedSignals: number };
}

// ---------------------------------------------------------------------------------------------
// Message definitions. Updates return what changed; Signals carry the same payloads for tools
// that cannot wait, and are checked by the same rules (a refused Signal is logged and dropped).

export const approveStepUpdate = defineUpdate<StepView, [ApproveStepInput]>('approveStep');
export const rejectStepUpdate = defineUpdate<StepView, [RejectStepInput]>('rejectStep');
export const submitEvidenceUpdate = defineUpdate<StepView, [SubmitEvidenceInput]>('submitEvidence');
export const reportErrorUpdate = defineUpdate<ReportView, [ReportErrorInput]>('reportError');
export const resolveReportUpdate = defineUpdate<ReportView, [ResolveReportInput]>('resolveReport');
export const acknowledgeReportUpdate = defineUpdate<ReportView, [AcknowledgeReportInput]>('acknowledgeReport');
export const stopLineUpdate = defineUpdate<RunStateView, [StopLineInput]>('stopLine');
export const requestRollbackUpdate = defineUpdate<RunStateView, [RequestRollbackInput]>('requestRollback');
/** Sends an undelivered notification again; answers with the step (still `undelivered` if it failed again). */
export const resendNotificationUpdate = defineUpdate<StepView, [ResendNotificationInput]>('resendNotification');

export const approveStepSignal = defineSignal<[ApproveStepInput]>('approveStepSignal');
export const rejectStepSignal = defineSignal<[RejectStepInput]>('rejectStepSignal');
export const submitEvidenceSignal = defineSignal<[SubmitEvidenceInput]>('submitEvidenceSignal');
export const reportErrorSignal = defineSignal<[ReportErrorInput]>('reportErrorSignal');
export const resolveReportSignal = defineSignal<[ResolveReportInput]>('resolveReportSignal');
export const acknowledgeReportSignal = defineSignal<[AcknowledgeReportInput]>('acknowledgeReportSignal');
export const stopLineSignal = defineSignal<[StopLineInput]>('stopLineSignal');
export const requestRollbackSignal = defineSignal<[RequestRollbackInput]>('requestRollbackSignal');

export const getRunStateQuery = defineQuery<RunStateView>('getRunState');
/**
 * The run's whole record, nothing left out (`getRunState` bounds long lists for pages and the
 * CLI): what the audit trail and the dossier of an open run are built from. Large records travel
 * compressed (src/temporal/largePayloads.ts).
 */
export const getRunRecordQuery = defineQuery<RunStateView>('getRunRecord');

/** The type of failure an Update validator throws, so callers can map it (403 / 409 / 404 / 400). */
export const REFUSAL_TYPES = {
  invalid: 'InvalidInput',
  notAuthorized: 'NotAuthorized',
  selfApproval: 'SelfApproval',
  duplicate: 'DuplicateDecision',
  notWaiting: 'StepNotWaiting',
  unknownStep: 'UnknownStep',
  /** The step exists, but has no evidence item of that id (the message names it and the step's items). */
  unknownEvidenceItem: 'UnknownEvidenceItem',
  unknownReport: 'UnknownReport',
  runClosed: 'RunClosed',
  /** A message taken only during hypercare (a Red Button report) sent while the run is open but not there yet. */
  notInHypercare: 'NotInHypercare',
  /** A separation-of-duties rule of the runbook forbids it (the rule is named in the message). */
  separationOfDuties: 'SeparationOfDuties',
  /** Not signed by golive, signed by a key the run did not pin, altered, or too old. */
  badSignature: 'BadSignature',
  /** A signed message the run has accepted before. */
  replayed: 'ReplayedMessage',
  /** The step must be decided with the approver's passkey, and the message carries none. */
  passkeyRequired: 'PasskeyRequired',
  /** The passkey assertion is not bound to this decision (another comment, step, evidence…). */
  passkeyMismatch: 'PasskeyMismatch',
} as const;
export type RefusalType = (typeof REFUSAL_TYPES)[keyof typeof REFUSAL_TYPES];
