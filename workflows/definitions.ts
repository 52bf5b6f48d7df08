import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { roleIdSchema, runbookSchema, type SeparationOfDuties } from '../src/runbook/schema';
import { jsonValueSchema } from './jsonValue';
import { PASSKEY_BINDING_FORMAT, type PasskeyAssertion } from './passkeyBinding';
import { type MessageSignature, type PinnedKey } from './signedMessages';

/**
 * Every message the go-live workflow understands, in one module: the workflow, the server and
 * the CLI import these (and only these) so names and payloads cannot drift apart.
 *
 * Payloads are zod schemas: the server parses requests with them, and the workflow's Update
 * validators parse again (defence in depth) before anything reaches history.
 * The `actor` in every payload is the identity the server verified, never user input, and every
 * message carries the server's signature over it (signedMessages.ts): the workflow refuses what
 * golive did not sign.
 */

export const GO_LIVE_WORKFLOW = 'goLive';

const personId = z
  .string()
  .min(1)
  .max(120)
  .regex(/^[A-Za-z0-9._@+-]+$/, 'must be a user id (letters, digits, . _ @ + -)');

export const actorSchema = z.strictObject({
  id: personId,
  name: z.string().max(200).optional(),
  /** The person's roles in the directory when golive sent the message (signed with it). */
  roles: z.array(roleIdSchema).max(50).optional(),
});
export type Actor = z.infer<typeof actorSchema>;

const comment = z.string().trim().max(4000);
const reason = z.string().trim().min(1, 'a reason is required').max(4000);
const stepId = z.string().min(1).max(64);
const hex = (length: number) => z.string().regex(new RegExp(`^[0-9a-f]{${length}}$`), `must be ${length} lowercase hex digits`);

/** The server's signature on a message (see signedMessages.ts for what it covers). */
export const messageSignatureSchema = z.strictObject({
  keyId: hex(16),
  at: z.string().min(1).max(40),
  nonce: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'must be 16–64 characters of A–Z a–z 0–9 _ -'),
  value: hex(128),
}) satisfies z.ZodType<MessageSignature>;

export const pinnedKeySchema = z.strictObject({
  keyId: hex(16),
  algorithm: z.literal('ed25519'),
  publicKey: hex(64),
}) satisfies z.ZodType<PinnedKey>;

/** Messages carry it; the workflow checks it before anything else. */
const signed = { signature: messageSignatureSchema.optional() };

// ---------------------------------------------------------------------------------------------
// Start input

export const runbookRefSchema = z.strictObject({
  id: z.string(),
  version: z.string(),
  /** SHA-256 of the runbook file as loaded: pins the run to that exact content. */
  sha256: z.string().regex(/^[a-f0-9]{64}$/),
  source: z.string().max(1000).optional(),
});
export type RunbookRef = z.infer<typeof runbookRefSchema>;

export const paramValueSchema = z.union([z.string().max(2000), z.number(), z.boolean()]);

export const delegationSchema = z.strictObject({
  role: roleIdSchema,
  person: personId,
  reason: z.string().trim().min(1, 'a delegation needs a reason').max(1000),
});
export type Delegation = z.infer<typeof delegationSchema>;

export const goLiveInputSchema = z.strictObject({
  /** The runbook with `${params.x}` placeholders already filled from `params`. */
  runbook: runbookSchema,
  runbookRef: runbookRefSchema,
  system: z
    .string()
    .min(1)
    .max(120)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a system name (letters, digits, . _ -)'),
  collaborationMode: z.number().int().min(1).max(5),
  initiator: actorSchema,
  /** People assigned to each RACI role for this run. */
  assignments: z.record(z.string(), z.array(personId).min(1)),
  params: z.record(z.string(), paramValueSchema).default({}),
  /** Assignments of people who do not hold the role in the directory, allowed only for roles
   *  the runbook marks `delegable`: named substitutes, each with the reason. */
  delegations: z.array(delegationSchema).max(50).optional(),
  /** Each assigned person's roles in the directory at start (what the assignments were checked
   *  against). Absent only in runs started before golive bound roles to the directory. */
  directory: z.record(personId, z.array(roleIdSchema)).optional(),
  /** The server's public key(s) this run accepts signed messages from, and its signature over
   *  this input. Absent only in runs started before golive signed messages. */
  signing: z.strictObject({ keys: z.array(pinnedKeySchema).min(1).max(10), startSignature: messageSignatureSchema }).optional(),
  /** Set only by continue-as-new: the state the previous run in the chain ended with. */
  carried: z.unknown().optional(),
});
export type GoLiveInput = z.infer<typeof goLiveInputSchema>;

const base64url = (max: number) => z.string().min(1).max(max).regex(/^[A-Za-z0-9_-]+$/, 'must be base64url');

/** The approver's passkey assertion over the exact decision (passkeyBinding.ts says what binds it). */
export const passkeyAssertionSchema = z.strictObject({
  binding: z.strictObject({
    format: z.literal(PASSKEY_BINDING_FORMAT),
    runId: z.string().min(1).max(200),
    stepId,
    decision: z.enum(['approve', 'reject']),
    comment: z.string().max(4000),
    personId,
    evidence: z.array(z.strictObject({ stepId, itemId: z.string().min(1).max(64), sha256: hex(64) })).max(1000),
    evidenceHash: hex(64),
    rpId: z.string().min(1).max(253),
    origin: z.string().min(1).max(300),
    nonce: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
    issuedAt: z.string().min(1).max(40),
  }),
  credentialId: base64url(1400),
  authenticatorData: base64url(4000),
  clientDataJSON: base64url(4000),
  signature: base64url(2000),
  userHandle: base64url(200).optional(),
  publicKey: z.strictObject({ algorithm: z.number().int(), spki: base64url(2000) }),
}) satisfies z.ZodType<PasskeyAssertion>;

// ---------------------------------------------------------------------------------------------
// Decisions and other human messages (types are what callers send: defaults may be omitted;
// the workflow parses every payload again)

export const approveStepSchema = z.strictObject({
  actor: actorSchema,
  stepId,
  /** Which of the actor's roles in this run they decide in; omitted: the first that may. */
  role: z.string().optional(),
  comment: comment.optional(),
  /** Steps the runbook marks `passkey`: the approver's passkey assertion over this decision. */
  passkey: passkeyAssertionSchema.optional(),
  ...signed,
});
export type ApproveStepInput = z.input<typeof approveStepSchema>;

export const rejectStepSchema = z.strictObject({
  actor: actorSchema,
  stepId,
  role: z.string().optional(),
  comment: comment.min(1, 'a rejection needs a comment'),
  passkey: passkeyAssertionSchema.optional(),
  ...signed,
});
export type RejectStepInput = z.input<typeof rejectStepSchema>;

export const documentEvidenceSchema = z.strictObject({
  name: z.string().min(1).max(300),
  sha256: z.string().regex(/^[a-f0-9]{64}$/, 'must be a lowercase hex SHA-256'),
  url: z.string().url().regex(/^https?:\/\//i, 'must be an http(s) link').optional(),
});

export const submitEvidenceSchema = z.strictObject({
  actor: actorSchema,
  stepId,
  itemId: z.string().min(1).max(64),
  role: z.string().optional(),
  /** Checked against the item's type (number / url / document / attestation / text). */
  value: jsonValueSchema,
  note: comment.optional(),
  ...signed,
});
export type SubmitEvidenceInput = z.input<typeof submitEvidenceSchema>;

export const severitySchema = z.enum(['low', 'medium', 'high', 'critical']);

export const reportErrorSchema = z.strictObject({
  /** Absent for an anonymous report (the server authenticated the person but keeps them out). */
  actor: actorSchema.optional(),
  anonymous: z.boolean().default(false),
  severity: severitySchema,
  description: z.string().trim().min(1, 'describe what the AI got wrong').max(8000),
  /** SHA-256 of a receipt the server gave an anonymous reporter, so they can read the resolution. */
  receiptHash: z.string().regex(/^[a-f0-9]{64}$/).optional(),
  ...signed,
});
export type ReportErrorInput = z.input<typeof reportErrorSchema>;

export const resolveReportSchema = z.strictObject({
  actor: actorSchema,
  reportId: z.string().min(1).max(64),
  resolution: z.string().trim().min(1, 'a resolution is required').max(8000),
  ...signed,
});
export type ResolveReportInput = z.input<typeof resolveReportSchema>;

export const stopLineSchema = z.strictObject({ actor: actorSchema, reason, ...signed });
export type StopLineInput = z.input<typeof stopLineSchema>;

export const requestRollbackSchema = z.strictObject({ actor: actorSchema, reason, ...signed });

export const resendNotificationSchema = z.strictObject({ actor: actorSchema, stepId, ...signed });
export type ResendNotificationInput = z.input<typeof resendNotificationSchema>;
export type RequestRollbackInput = z.input<typeof requestRollbackSchema>;

// ---------------------------------------------------------------------------------------------
// The state a query returns (the workflow's own record; the audit trail is built from it and
// from history)

/** Every state a run can be in, in lifecycle order (list filters and forms offer these). */
export const RUN_STATUSES = ['running', 'waiting', 'hypercare', 'compensating', 'live', 'rolled-back', 'rollback-incomplete', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const FINAL_STATUSES: readonly RunStatus[] = ['live', 'rolled-back', 'rollback-incomplete', 'cancelled'];

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
  items?: { id: string; title: string; type: 'number' | 'url' | 'document' | 'attestation' | 'text'; min?: number; max?: number; optional: boolean; submittedBy: string[] }[];
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
  severity: z.infer<typeof severitySchema>;
  description: string;
  /** The reporter's id, or "anonymous". */
  reporter: string;
  at: string;
  responseDueAt: string;
  /** closed: the run ended before anyone responded (the resolution says so). */
  status: 'open' | 'resolved' | 'closed';
  escalationLevel: number;
  resolution?: { by: Actor; at: string; text: string };
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
}

// ---------------------------------------------------------------------------------------------
// Message definitions. Updates return what changed; Signals carry the same payloads for tools
// that cannot wait, and are checked by the same rules (a refused Signal is logged and dropped).

export const approveStepUpdate = defineUpdate<StepView, [ApproveStepInput]>('approveStep');
export const rejectStepUpdate = defineUpdate<StepView, [RejectStepInput]>('rejectStep');
export const submitEvidenceUpdate = defineUpdate<StepView, [SubmitEvidenceInput]>('submitEvidence');
export const reportErrorUpdate = defineUpdate<ReportView, [ReportErrorInput]>('reportError');
export const resolveReportUpdate = defineUpdate<ReportView, [ResolveReportInput]>('resolveReport');
export const stopLineUpdate = defineUpdate<RunStateView, [StopLineInput]>('stopLine');
export const requestRollbackUpdate = defineUpdate<RunStateView, [RequestRollbackInput]>('requestRollback');
/** Sends an undelivered notification again; answers with the step (still `undelivered` if it failed again). */
export const resendNotificationUpdate = defineUpdate<StepView, [ResendNotificationInput]>('resendNotification');

export const approveStepSignal = defineSignal<[ApproveStepInput]>('approveStepSignal');
export const rejectStepSignal = defineSignal<[RejectStepInput]>('rejectStepSignal');
export const submitEvidenceSignal = defineSignal<[SubmitEvidenceInput]>('submitEvidenceSignal');
export const reportErrorSignal = defineSignal<[ReportErrorInput]>('reportErrorSignal');
export const resolveReportSignal = defineSignal<[ResolveReportInput]>('resolveReportSignal');
export const stopLineSignal = defineSignal<[StopLineInput]>('stopLineSignal');
export const requestRollbackSignal = defineSignal<[RequestRollbackInput]>('requestRollbackSignal');

export const getRunStateQuery = defineQuery<RunStateView>('getRunState');

/** The type of failure an Update validator throws, so callers can map it (403 / 409 / 404 / 400). */
export const REFUSAL_TYPES = {
  invalid: 'InvalidInput',
  notAuthorized: 'NotAuthorized',
  selfApproval: 'SelfApproval',
  duplicate: 'DuplicateDecision',
  notWaiting: 'StepNotWaiting',
  unknownStep: 'UnknownStep',
  unknownReport: 'UnknownReport',
  runClosed: 'RunClosed',
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
