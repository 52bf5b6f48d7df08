import {
  arrayOf,
  bool,
  int,
  intIn,
  oneOf,
  optional,
  present,
  str,
  strictObject,
  withDefault,
  type Check,
} from './checks';
import {
  SEVERITIES,
  type Actor,
  type ApproveStepInput,
  type RejectStepInput,
  type ReportErrorInput,
  type ResendNotificationInput,
  type ResolveReportInput,
  type AcknowledgeReportInput,
  type StopLineInput,
  type SubmitEvidenceInput,
} from '../src/contract/definitions';
import { jsonValueProblem } from '../src/contract/jsonValue';
import { PASSKEY_BINDING_FORMAT, type PasskeyAssertion } from '../src/contract/passkeyBinding';
import type { ReviewFinding, SubmitReviewInput } from '../src/contract/reviewDefinitions';
import type { MessageSignature } from '../src/contract/signedMessages';

/**
 * The workflow's own check of every message payload, the same rules as the zod schemas the
 * server parses with (messageSchemas.ts), written without zod: the SDK evaluates the workflow
 * bundle's modules once per cached run, and zod's schemas cost about 2 MB and 17 % of the
 * workflow thread's CPU per run to build (issue 16). test/unit/messageChecks.test.ts checks
 * both against the same inputs, valid and broken, and expects the same verdict, the same parsed
 * value and the same first problem.
 */

const personId = str({
  min: 1,
  max: 120,
  pattern: /^[A-Za-z0-9._@+-]+$/,
  patternMessage: 'must be a user id (letters, digits, . _ @ + -)',
});
const roleId = str({
  min: 1,
  max: 64,
  pattern: /^[a-z0-9][a-z0-9-]*$/,
  patternMessage: 'must be lowercase letters, digits and dashes (e.g. "load-test")',
});
const hex = (length: number) =>
  str({ pattern: new RegExp(`^[0-9a-f]{${length}}$`), patternMessage: `must be ${length} lowercase hex digits` });

export const checkActor = strictObject({
  id: personId,
  name: optional(str({ max: 200, plain: 'since-full', oneLine: true })),
  roles: optional(arrayOf(roleId, 50)),
}) as Check<Actor>;

const comment = str({ trim: true, max: 4000, plain: true });
const reason = str({ trim: true, min: 1, minMessage: 'a reason is required', max: 4000, plain: true });
const stepId = str({ min: 1, max: 64 });

const signature = optional(
  strictObject({
    keyId: hex(16),
    at: str({ min: 1, max: 40 }),
    nonce: str({ pattern: /^[A-Za-z0-9_-]{16,64}$/, patternMessage: 'must be 16–64 characters of A–Z a–z 0–9 _ -' }),
    value: hex(128),
  }) as Check<MessageSignature>,
);

const jsonValue: Check<unknown> = (value, path) => {
  const held = present(value, path);
  if (!held.ok) return held;
  const problem = jsonValueProblem(value);
  return problem ? { ok: false, path: [...path, ...problem.path], message: problem.message } : held;
};

const base64url = (max: number) =>
  str({ min: 1, max, pattern: /^[A-Za-z0-9_-]+$/, patternMessage: 'must be base64url' });

export const checkPasskeyAssertion = strictObject({
  binding: strictObject({
    format: oneOf([PASSKEY_BINDING_FORMAT]),
    runId: str({ min: 1, max: 200 }),
    stepId,
    decision: oneOf(['approve', 'reject']),
    comment: str({ max: 4000 }),
    personId,
    evidence: arrayOf(strictObject({ stepId, itemId: str({ min: 1, max: 64 }), sha256: hex(64) }), 1000),
    evidenceHash: hex(64),
    rpId: str({ min: 1, max: 253 }),
    origin: str({ min: 1, max: 300 }),
    nonce: str({ pattern: /^[A-Za-z0-9_-]{16,64}$/, patternMessage: 'must be 16–64 characters of A–Z a–z 0–9 _ -' }),
    issuedAt: str({ min: 1, max: 40 }),
  }),
  credentialId: base64url(1400),
  authenticatorData: base64url(4000),
  clientDataJSON: base64url(4000),
  signature: base64url(2000),
  userHandle: optional(base64url(200)),
  publicKey: strictObject({ algorithm: int, spki: base64url(2000) }),
}) as Check<PasskeyAssertion>;
const passkey = optional(checkPasskeyAssertion);

export const checkApproveStep = strictObject({
  actor: checkActor,
  stepId,
  role: optional(str()),
  comment: optional(comment),
  passkey,
  signature,
}) as Check<ApproveStepInput>;

export const checkRejectStep = strictObject({
  actor: checkActor,
  stepId,
  role: optional(str()),
  comment: str({ trim: true, max: 4000, min: 1, minMessage: 'a rejection needs a comment', plain: true }),
  passkey,
  signature,
}) as Check<RejectStepInput>;

export const checkSubmitEvidence = strictObject({
  actor: checkActor,
  stepId,
  itemId: str({ min: 1, max: 64 }),
  role: optional(str()),
  value: jsonValue,
  note: optional(comment),
  signature,
}) as Check<SubmitEvidenceInput>;

export const checkReportError = strictObject({
  actor: optional(checkActor),
  anonymous: bool(false),
  severity: oneOf(SEVERITIES),
  description: str({ trim: true, min: 1, minMessage: 'describe what the AI got wrong', max: 8000, plain: true }),
  receiptHash: optional(str({ pattern: /^[a-f0-9]{64}$/ })),
  signature,
}) as Check<ReportErrorInput & { anonymous: boolean }>;

export const checkResolveReport = strictObject({
  actor: checkActor,
  reportId: str({ min: 1, max: 64 }),
  resolution: str({ trim: true, min: 1, minMessage: 'a resolution is required', max: 8000, plain: true }),
  signature,
}) as Check<ResolveReportInput>;

export const checkAcknowledgeReport = strictObject({
  actor: checkActor,
  reportId: str({ min: 1, max: 64 }),
  text: str({ trim: true, min: 1, minMessage: 'a text is required', max: 8000, plain: true }),
  signature,
}) as Check<AcknowledgeReportInput>;

export const checkStopLine = strictObject({ actor: checkActor, reason, signature }) as Check<StopLineInput>;

export const checkRequestRollback = checkStopLine;

export const checkResendNotification = strictObject({
  actor: checkActor,
  stepId,
  signature,
}) as Check<ResendNotificationInput>;

const reviewFinding = strictObject({
  summary: str({ trim: true, min: 1, minMessage: 'describe the finding', max: 4000, plain: true }),
  severity: oneOf(SEVERITIES),
  report: bool(false),
}) as Check<ReviewFinding>;

/** A scheduled oversight review (review.ts): findings default to none, as the schema's do. */
export const checkSubmitReview = strictObject({
  actor: checkActor,
  sampleSize: intIn(0, 100_000),
  overrides: intIn(0, 100_000),
  findings: withDefault(arrayOf(reviewFinding, 50), () => []),
  note: optional(comment),
  signature,
}) as Check<SubmitReviewInput & { findings: ReviewFinding[] }>;
