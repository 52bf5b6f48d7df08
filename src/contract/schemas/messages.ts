import { z } from 'zod';
import { recordedRoleIdSchema, roleIdSchema, runbookSchema } from './runbook';
import type {
  Actor,
  ApproveStepInput,
  Delegation,
  GoLiveInput,
  RejectStepInput,
  ReportErrorInput,
  RequestRollbackInput,
  ResendNotificationInput,
  ResolveReportInput,
  AcknowledgeReportInput,
  RunbookRef,
  StopLineInput,
  SubmitEvidenceInput,
} from '../definitions';
import { SEVERITIES } from '../definitions';
import {
  CONTROL_CHARACTERS_MESSAGE,
  LONE_SURROGATE_MESSAGE,
  NAME_CONTROL_CHARACTERS_MESSAGE,
  NO_CONTROL_CHARACTERS,
  NO_LONE_SURROGATES,
  ONE_LINE,
  ONE_LINE_MESSAGE,
} from '../freeText';
import { jsonValueProblem } from '../jsonValue';
import { PASSKEY_BINDING_FORMAT, type PasskeyAssertion } from '../passkeyBinding';
import type { ReviewFinding, SubmitReviewInput } from '../reviewDefinitions';
import type { MessageSignature, PinnedKey } from '../signedMessages';

/**
 * The zod schemas of every message payload (definitions.ts names the messages and their types):
 * the server parses requests with them, the CLI checks its flags, the OpenAPI document is made
 * from them. NOT for workflow code — the bundle stays free of zod (lint refuses the import);
 * the workflow's validators check the same rules with messageChecks.ts, and
 * test/unit/messageChecks.test.ts holds the two equal, input by input.
 */

const personId = z
  .string()
  .min(1)
  .max(120)
  .regex(/^[A-Za-z0-9._@+-]+$/, 'must be a user id (letters, digits, . _ @ + -)');

/**
 * Free text: no control characters, no lone surrogates (freeText.ts), checked last as
 * messageChecks.ts does. Every schema of text people write (or names) ends with it.
 */
export const plain = <S extends z.ZodString>(s: S) =>
  s.regex(NO_CONTROL_CHARACTERS, CONTROL_CHARACTERS_MESSAGE).regex(NO_LONE_SURROGATES, LONE_SURROGATE_MESSAGE);
/**
 * A name in a message the workflow checks too (the actor's, a document's): free text on one line
 * (freeText.ts nameProblem), in the words the workflow's checks give and record.
 */
export const plainName = <S extends z.ZodString>(s: S) => plain(s).regex(ONE_LINE, ONE_LINE_MESSAGE);
/**
 * A name only the server checks (a person's in the users file or a start input, a passkey or
 * token label): the same rule, with a control character refused in a name's own words.
 */
export const oneLineName = <S extends z.ZodString>(s: S) =>
  s
    .regex(NO_CONTROL_CHARACTERS, NAME_CONTROL_CHARACTERS_MESSAGE)
    .regex(NO_LONE_SURROGATES, LONE_SURROGATE_MESSAGE)
    .regex(ONE_LINE, ONE_LINE_MESSAGE);

export const actorSchema = z.strictObject({
  id: personId,
  name: plainName(z.string().max(200)).optional(),
  /** The person's roles in the directory when golive sent the message (signed with it). */
  roles: z.array(recordedRoleIdSchema).max(50).optional(),
});

const comment = plain(z.string().trim().max(4000));
const reason = plain(z.string().trim().min(1, 'a reason is required').max(4000));
const stepId = z.string().min(1).max(64);
const hex = (length: number) =>
  z.string().regex(new RegExp(`^[0-9a-f]{${length}}$`), `must be ${length} lowercase hex digits`);

/** The server's signature on a message (see signedMessages.ts for what it covers). */
const messageSignatureSchema = z.strictObject({
  keyId: hex(16),
  at: z.string().min(1).max(40),
  nonce: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'must be 16–64 characters of A–Z a–z 0–9 _ -'),
  value: hex(128),
}) satisfies z.ZodType<MessageSignature>;

const pinnedKeySchema = z.strictObject({
  keyId: hex(16),
  algorithm: z.literal('ed25519'),
  publicKey: hex(64),
}) satisfies z.ZodType<PinnedKey>;

/** Messages carry it; the workflow checks it before anything else. */
const signed = { signature: messageSignatureSchema.optional() };

/** A free JSON value within bounds (jsonValue.ts): `value: jsonValueSchema` in a payload. */
export const jsonValueSchema = z.unknown().superRefine((value, ctx) => {
  const problem = jsonValueProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message, input: value });
});

// ---------------------------------------------------------------------------------------------
// Start input

const runbookRefSchema = z.strictObject({
  id: z.string(),
  version: z.string(),
  sha256: z.string().regex(/^[a-f0-9]{64}$/),
  source: z.string().max(1000).optional(),
});

export const paramValueSchema = z.union([z.string().max(2000), z.number(), z.boolean()]);

export const delegationSchema = z.strictObject({
  role: roleIdSchema,
  person: personId,
  reason: plain(z.string().trim().min(1, 'a delegation needs a reason').max(1000)),
});

export const goLiveInputSchema = z.strictObject({
  runbook: runbookSchema,
  runbookRef: runbookRefSchema,
  system: z
    .string()
    .min(1)
    .max(120)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a system name (letters, digits, . _ -)'),
  collaborationMode: z.number().int().min(1).max(5),
  initiator: actorSchema,
  assignments: z.record(z.string(), z.array(personId).min(1)),
  params: z.record(z.string(), paramValueSchema).default({}),
  delegations: z.array(delegationSchema).max(50).optional(),
  directory: z.record(personId, z.array(roleIdSchema)).optional(),
  people: z
    .record(
      personId,
      z.strictObject({ name: oneLineName(z.string().min(1).max(200)), email: z.string().max(254).optional() }),
    )
    .optional(),
  signing: z
    .strictObject({ keys: z.array(pinnedKeySchema).min(1).max(10), startSignature: messageSignatureSchema })
    .optional(),
  notifyChannels: z
    .array(z.enum(['slack', 'email']))
    .max(2)
    .optional(),
  carried: z.unknown().optional(),
});

// ---------------------------------------------------------------------------------------------
// Decisions and other human messages

const base64url = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+$/, 'must be base64url');

/** The approver's passkey assertion over the exact decision (passkeyBinding.ts says what binds it). */
export const passkeyAssertionSchema = z.strictObject({
  binding: z.strictObject({
    format: z.enum([PASSKEY_BINDING_FORMAT]),
    runId: z.string().min(1).max(200),
    stepId,
    decision: z.enum(['approve', 'reject']),
    comment: z.string().max(4000),
    personId,
    evidence: z.array(z.strictObject({ stepId, itemId: z.string().min(1).max(64), sha256: hex(64) })).max(1000),
    evidenceHash: hex(64),
    rpId: z.string().min(1).max(253),
    origin: z.string().min(1).max(300),
    nonce: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'must be 16–64 characters of A–Z a–z 0–9 _ -'),
    issuedAt: z.string().min(1).max(40),
  }),
  credentialId: base64url(1400),
  authenticatorData: base64url(4000),
  clientDataJSON: base64url(4000),
  signature: base64url(2000),
  userHandle: base64url(200).optional(),
  publicKey: z.strictObject({ algorithm: z.number().int(), spki: base64url(2000) }),
});

export const approveStepSchema = z.strictObject({
  actor: actorSchema,
  stepId,
  role: z.string().optional(),
  comment: comment.optional(),
  passkey: passkeyAssertionSchema.optional(),
  ...signed,
});

export const rejectStepSchema = z.strictObject({
  actor: actorSchema,
  stepId,
  role: z.string().optional(),
  comment: comment.min(1, 'a rejection needs a comment'),
  passkey: passkeyAssertionSchema.optional(),
  ...signed,
});

const documentEvidenceSchema = z.strictObject({
  name: plainName(z.string().min(1).max(300)),
  sha256: z.string().regex(/^[a-f0-9]{64}$/, 'must be a lowercase hex SHA-256'),
  url: z
    .string()
    .url()
    .regex(/^https?:\/\//i, 'must be an http(s) link')
    .optional(),
});

/** Each evidence type's value (the workflow checks them with evidenceValues.ts, held equal by a test). */
export const evidenceValueSchemas = {
  number: z.number().finite(),
  url: z
    .string()
    .url()
    .max(2000)
    .regex(/^https?:\/\//i, 'must be an http(s) link'),
  document: documentEvidenceSchema,
  attestation: z.literal(true, { message: 'an attestation must be true' }),
  text: plain(z.string().trim().min(1).max(20_000)),
} as const;

export const submitEvidenceSchema = z.strictObject({
  actor: actorSchema,
  stepId,
  itemId: z.string().min(1).max(64),
  role: z.string().optional(),
  value: jsonValueSchema,
  note: comment.optional(),
  ...signed,
});

export const severitySchema = z.enum(SEVERITIES);

export const reportErrorSchema = z.strictObject({
  actor: actorSchema.optional(),
  anonymous: z.boolean().default(false),
  severity: severitySchema,
  description: plain(z.string().trim().min(1, 'describe what the AI got wrong').max(8000)),
  receiptHash: z
    .string()
    .regex(/^[a-f0-9]{64}$/)
    .optional(),
  ...signed,
});

export const resolveReportSchema = z.strictObject({
  actor: actorSchema,
  reportId: z.string().min(1).max(64),
  resolution: plain(z.string().trim().min(1, 'a resolution is required').max(8000)),
  ...signed,
});

export const acknowledgeReportSchema = z.strictObject({
  actor: actorSchema,
  reportId: z.string().min(1).max(64),
  text: plain(z.string().trim().min(1, 'a text is required').max(8000)),
  ...signed,
});

export const stopLineSchema = z.strictObject({ actor: actorSchema, reason, ...signed });

export const requestRollbackSchema = z.strictObject({ actor: actorSchema, reason, ...signed });

export const resendNotificationSchema = z.strictObject({ actor: actorSchema, stepId, ...signed });

// ---------------------------------------------------------------------------------------------
// The scheduled oversight review (reviewDefinitions.ts)

const reviewFindingSchema = z.strictObject({
  summary: plain(z.string().trim().min(1, 'describe the finding').max(4000)),
  severity: severitySchema,
  /** Raise a Red Button report on the go-live run from this finding (during hypercare). */
  report: z.boolean().default(false),
});

export const submitReviewSchema = z.strictObject({
  actor: actorSchema,
  /** AI decisions the reviewer sampled. */
  sampleSize: z.number().int().min(0).max(100_000),
  /** Of those, decisions the reviewer overrode. */
  overrides: z.number().int().min(0).max(100_000),
  findings: z.array(reviewFindingSchema).max(50).default([]),
  note: comment.optional(),
  signature: messageSignatureSchema.optional(),
});

// ---------------------------------------------------------------------------------------------
// The hand-written types of definitions.ts are these schemas' types: checked here, at compile time.

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const same = <A, B>(proof: Same<A, B>): Same<A, B> => proof;

// Never read: the compile-time proof is the point.
const _TYPES_MATCH_SCHEMAS = [
  same<z.infer<typeof actorSchema>, Actor>(true),
  same<z.infer<typeof runbookRefSchema>, RunbookRef>(true),
  same<z.infer<typeof delegationSchema>, Delegation>(true),
  same<z.infer<typeof goLiveInputSchema>, GoLiveInput>(true),
  same<z.infer<typeof passkeyAssertionSchema>, PasskeyAssertion>(true),
  same<z.input<typeof approveStepSchema>, ApproveStepInput>(true),
  same<z.input<typeof rejectStepSchema>, RejectStepInput>(true),
  same<z.input<typeof submitEvidenceSchema>, SubmitEvidenceInput>(true),
  same<z.input<typeof reportErrorSchema>, ReportErrorInput>(true),
  same<z.input<typeof resolveReportSchema>, ResolveReportInput>(true),
  same<z.input<typeof acknowledgeReportSchema>, AcknowledgeReportInput>(true),
  same<z.input<typeof stopLineSchema>, StopLineInput>(true),
  same<z.input<typeof requestRollbackSchema>, RequestRollbackInput>(true),
  same<z.input<typeof resendNotificationSchema>, ResendNotificationInput>(true),
  same<z.input<typeof submitReviewSchema>, SubmitReviewInput>(true),
  same<z.output<typeof reviewFindingSchema>, ReviewFinding>(true),
] as const;
