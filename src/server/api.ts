import { z } from 'zod';
import {
  reportAnswerSchema,
  RUN_STATE_DESCRIPTION,
  runPageSchema,
  runStateSchema,
  startedRunSchema,
  stepAnswerSchema,
  receiptAnswerSchema,
  meAnswerSchema,
  loginAnswerSchema,
  runbookListSchema,
  redButtonFiguresSchema,
  runOversightSchema,
  reviewViewSchema,
  recordedReviewSchema,
  trailAnswerSchema,
  dossierVerdictSchema,
  signingKeysSchema,
  passkeyChallengeSchema,
  passkeyListSchema,
  passkeyRegistrationOptionsSchema,
  registeredPasskeySchema,
  cliLoginAnswerSchema,
  cliTokenAnswerSchema,
  healthSchema,
  readinessSchema,
  openApiDocumentSchema,
  deliverableAnswerSchema,
} from './responses';
import { CSV_COLUMNS } from './redButtonFigures';
import { DELIVERABLE_FORMATS, DELIVERABLE_IDS } from '../audit/documents/model';
import {
  acknowledgeReportSchema,
  actorSchema,
  approveStepSchema,
  passkeyAssertionSchema,
  delegationSchema,
  evidenceValueSchemas,
  goLiveInputSchema,
  paramValueSchema,
  oneLineName,
  rejectStepSchema,
  reportErrorSchema,
  requestRollbackSchema,
  resendNotificationSchema,
  resolveReportSchema,
  submitEvidenceSchema,
} from '../contract/schemas/messages';
import { RUN_STATUSES } from '../contract/runStatus';
import { submitReviewSchema } from '../contract/schemas/messages';
import { AUDIT_KINDS } from '../audit/entries';
import { actionStepSchema, roleIdSchema, runbookSchema } from '../contract/schemas/runbook';
import type { HttpStatus } from './errors';
import { START_RUN_ROLES } from '../auth/roles';

/**
 * The HTTP API as data: every operation's method, path and zod schemas. The router parses each
 * request with these, and /api/openapi.json is generated from the same objects, so the document
 * cannot drift from what the server accepts. Payload schemas derive from the workflow's message
 * schemas (minus `actor` and `signature`, which the server sets: the verified identity, and its
 * signature over the message).
 */

const idPattern = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const runIdSchema = z.string().min(1).max(200).regex(idPattern, 'must be a run id (letters, digits, . _ -)');
const stepIdSchema = approveStepSchema.shape.stepId;
export { RUN_STATUSES };

export const runParamsSchema = z.strictObject({ runId: runIdSchema });
/**
 * Any name parses, so a name that is not a deliverable gets the same 404 from the API as from the
 * web page (RunAudit.document), naming it and listing these; the OpenAPI document lists them.
 */
export const documentParamsSchema = z.strictObject({
  runId: runIdSchema,
  documentId: z
    .string()
    .min(1)
    .meta({ enum: [...DELIVERABLE_IDS], description: 'Any other name: 404 naming it and listing these' }),
});
export const documentQuerySchema = z.strictObject({
  format: z.enum(['json', ...DELIVERABLE_FORMATS]).default('json'),
});
export const stepParamsSchema = z.strictObject({ runId: runIdSchema, stepId: stepIdSchema });
export const reportParamsSchema = z.strictObject({ runId: runIdSchema, reportId: resolveReportSchema.shape.reportId });

/**
 * The people a role is assigned to, each once: a person listed 20,000 times was taken as it came,
 * and every query answer, the trail and the dossier of that run carried all 20,000.
 */
const assignedPeopleSchema = z
  .array(actorSchema.shape.id)
  .min(1, 'assign at least one person')
  .superRefine((ids, ctx) => {
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i) ctx.addIssue({ code: 'custom', path: [i], message: `${id} is already assigned` });
    });
  })
  .meta({ uniqueItems: true });

export const startRunBodySchema = z.strictObject({
  runbook: runbookSchema.shape.id,
  system: goLiveInputSchema.shape.system,
  collaborationMode: goLiveInputSchema.shape.collaborationMode,
  /** Role id → person ids. Omitted roles: everyone in the users file who has that role. */
  assignments: z.record(roleIdSchema, assignedPeopleSchema).default({}),
  /** Named substitutes for roles the runbook marks `delegable`: people who do not hold the role
   *  in the directory, each with a reason; recorded as delegations in every decision they make. */
  delegations: z.array(delegationSchema).max(50).default([]),
  params: z.record(z.string(), paramValueSchema).default({}),
});
export type StartRunBody = z.infer<typeof startRunBodySchema>;

export const listRunsQuerySchema = z.strictObject({
  state: z
    .enum(RUN_STATUSES)
    .optional()
    .describe(
      `only runs in this state, as the list shows it (an open state only while the run is open in Temporal; terminated, timed-out or failed by Temporal's execution status): ${RUN_STATE_DESCRIPTION}`,
    ),
  system: goLiveInputSchema.shape.system.optional(),
  runbook: runbookSchema.shape.id.optional(),
  /** `me`: runs waiting for a decision or evidence from one of my roles. */
  waitingFor: z
    .literal('me')
    .optional()
    .describe('me: runs open in Temporal waiting for a decision or evidence from one of my roles'),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
  pageToken: z
    .string()
    .max(4000)
    .regex(/^[A-Za-z0-9_.-]+$/, 'must be a nextPageToken from a previous page')
    .optional(),
});
export type ListRunsQuery = z.infer<typeof listRunsQuerySchema>;

// ---------------------------------------------------------------------------------------------
// Passkeys (WebAuthn): what browsers send, as @simplewebauthn/browser produces it

const base64url = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+$/, 'must be base64url');
const credentialIdSchema = base64url(1400);
const clientExtensionResults = z.record(z.string(), z.unknown());

/** What every WebAuthn response (registration and authentication) carries beside its `response`. */
const publicKeyCredentialFields = {
  id: credentialIdSchema,
  rawId: credentialIdSchema,
  type: z.literal('public-key'),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults,
};

export const registrationResponseSchema = z.strictObject({
  ...publicKeyCredentialFields,
  response: z.strictObject({
    clientDataJSON: base64url(4000),
    attestationObject: base64url(16_000),
    authenticatorData: base64url(4000).optional(),
    transports: z.array(z.string().max(40)).max(10).optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: base64url(4000).optional(),
  }),
});

export const authenticationResponseSchema = z.strictObject({
  ...publicKeyCredentialFields,
  response: z.strictObject({
    clientDataJSON: base64url(4000),
    authenticatorData: base64url(4000),
    signature: base64url(2000),
    userHandle: base64url(200).optional(),
  }),
});

/** A decision's passkey: the binding golive issued with the challenge, and the authenticator's answer. */
export const decisionPasskeySchema = z.strictObject({
  binding: passkeyAssertionSchema.shape.binding,
  response: authenticationResponseSchema,
});

/**
 * The role a person acts in, when they name one: a role id, so a malformed one is a 400 naming
 * `role` here rather than a 403 from the run (the workflow's own check takes any text).
 */
const actingRoleSchema = roleIdSchema.optional();

export const decisionBodySchema = z.discriminatedUnion('decision', [
  approveStepSchema
    .omit({ actor: true, stepId: true, signature: true, passkey: true })
    .extend({ decision: z.literal('approve'), role: actingRoleSchema, passkey: decisionPasskeySchema.optional() }),
  // The workflow's reject schema, with its reason also when the comment is missing altogether.
  rejectStepSchema.omit({ actor: true, stepId: true, signature: true, passkey: true }).extend({
    decision: z.literal('reject'),
    role: actingRoleSchema,
    comment: z.string({ error: 'a rejection needs a comment' }).pipe(rejectStepSchema.shape.comment),
    passkey: decisionPasskeySchema.optional(),
  }),
]);

/**
 * What a passkey is asked to sign: the decision about to be sent, held to the decision's own
 * rules (a rejection needs a comment), so nobody is asked for a fingerprint for a decision that
 * would be refused.
 */
export const passkeyChallengeBodySchema = z.discriminatedUnion('decision', [
  z.strictObject({ decision: z.literal('approve'), comment: approveStepSchema.shape.comment }),
  z.strictObject({ decision: z.literal('reject'), comment: decisionBodySchema.options[1].shape.comment }),
]);

export const passkeyParamsSchema = z.strictObject({ credentialId: credentialIdSchema });
export const registerPasskeyBodySchema = z.strictObject({
  label: oneLineName(z.string().trim().min(1, 'name the passkey (e.g. "work laptop")').max(80)),
  response: registrationResponseSchema,
});

// ---------------------------------------------------------------------------------------------
// `golive login` through the browser (a loopback redirect with a PKCE-style proof)

const pkceValue = z.string().regex(/^[A-Za-z0-9_-]{43,128}$/, 'must be 43–128 characters of A–Z a–z 0–9 _ -');
export const cliLoginBodySchema = z.strictObject({
  state: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/, 'must be 16–128 characters of A–Z a–z 0–9 _ -'),
  /** base64url(SHA-256(verifier)): only the CLI that holds the verifier can redeem the code. */
  challenge: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a base64url SHA-256 (43 characters)'),
  /** The CLI listens on 127.0.0.1 at this port; absent: the page shows the code to paste. */
  port: z.coerce.number().int().min(1024).max(65535).optional(),
});
export const cliTokenBodySchema = z.strictObject({
  code: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be the code the browser handed over'),
  verifier: pkceValue,
  label: oneLineName(z.string().trim().min(1).max(120)).default('golive login'),
});
export type DecisionBody = z.infer<typeof decisionBodySchema>;

/**
 * An evidence value's shape is its item's type in the runbook, which only the run knows: the
 * body takes any bounded JSON and the run checks it against that type. The document shows the
 * five shapes, generated from the schemas the workflow's checks are held equal to.
 */
const evidenceValueSchema = submitEvidenceSchema.shape.value.meta({
  description:
    "By the evidence item's type in the runbook: number (within the item's min and max), url (an http(s) link), document ({name, sha256, url?}), attestation (true), text. Any other value is refused with an issue at `value`",
  anyOf: Object.entries(evidenceValueSchemas).map(([type, schema]) => {
    const { $schema: _drop, ...json } = z.toJSONSchema(schema, { io: 'input' });
    return { title: type, ...json };
  }),
});

export const evidenceBodySchema = submitEvidenceSchema
  .omit({ actor: true, stepId: true, signature: true })
  .extend({ role: actingRoleSchema, value: evidenceValueSchema });
export type EvidenceBody = z.infer<typeof evidenceBodySchema>;

export const reportBodySchema = reportErrorSchema.omit({ actor: true, receiptHash: true, signature: true });
export type ReportBody = z.infer<typeof reportBodySchema>;

export const resolutionBodySchema = resolveReportSchema.omit({ actor: true, reportId: true, signature: true });
export type ResolutionBody = z.infer<typeof resolutionBodySchema>;
/** The one-time receipt an anonymous report answered with (18 random bytes, base64url). */
export const receiptBodySchema = z.strictObject({
  receipt: z.string().regex(/^[A-Za-z0-9_-]{24}$/, 'must be the receipt your anonymous report answered with'),
});
export const acknowledgementBodySchema = acknowledgeReportSchema.omit({ actor: true, reportId: true, signature: true });
export type AcknowledgementBody = z.infer<typeof acknowledgementBodySchema>;

/** A resend carries nothing but who asks (the session or token). */
export const resendBodySchema = resendNotificationSchema.omit({ actor: true, stepId: true, signature: true });

/** Stop the line and ask for a rollback both carry only a reason. */
export const reasonBodySchema = requestRollbackSchema.omit({ actor: true, signature: true });
export type ReasonBody = z.infer<typeof reasonBodySchema>;

/** A scheduled oversight review's id: the review workflow's id (`<run>.review.<duty>-<fire time>`). */
export const reviewParamsSchema = z.strictObject({
  reviewId: z
    .string()
    .min(1)
    .max(300)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'must be a review id'),
});
/** What a reviewer records: sample size, overrides, findings (each may raise a Red Button report), a note. */
export const reviewBodySchema = submitReviewSchema
  .omit({ actor: true, signature: true })
  // The review workflow refuses it too; checked here so the 400 lists it like any other field.
  .refine((b) => b.overrides <= b.sampleSize, { path: ['overrides'], message: 'cannot exceed sampleSize' });

/** The Red Button view across runs: optionally one system, some runbooks. */
export const redButtonQuerySchema = z.strictObject({
  system: goLiveInputSchema.shape.system.optional(),
  /** Runs of these runbooks only (repeat for several: `?runbook=a&runbook=b`). */
  runbook: z.union([runbookSchema.shape.id, z.array(runbookSchema.shape.id).min(1).max(10)]).optional(),
});
export type RedButtonQuery = z.infer<typeof redButtonQuerySchema>;

/** Filters of the audit trail; a kind may repeat (`?kind=decision&kind=compensation`). */
export const historyQuerySchema = z.strictObject({
  kind: z.union([z.enum(AUDIT_KINDS), z.array(z.enum(AUDIT_KINDS)).min(1).max(AUDIT_KINDS.length)]).optional(),
  /** A person id: entries they did, and notifications sent to them. */
  person: actorSchema.shape.id.optional(),
  /** A runbook step id (the slug every step kind shares). */
  step: actionStepSchema.shape.id.optional(),
});
export type HistoryQuery = z.infer<typeof historyQuerySchema>;

/** Uploaded dossiers: an export is well under a megabyte; this leaves room for long runs. */
export const DOSSIER_UPLOAD_LIMIT = '20mb';
/** What an uploaded dossier may unpack to: an export is a few files of text. */
export const DOSSIER_UNZIP_LIMITS = { files: 64, unpackedBytes: 64 * 1024 * 1024, ratio: 100 } as const;

export const loginBodySchema = z.strictObject({
  username: z.string().min(1).max(120),
  password: z.string().min(1).max(1000),
});
export interface Operation {
  method: 'get' | 'post' | 'delete';
  /** Express syntax (`:runId`); OpenAPI gets `{runId}`. */
  path: string;
  summary: string;
  tag: 'runs' | 'decisions' | 'red-button' | 'oversight' | 'audit' | 'session' | 'passkeys' | 'ops';
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  status: number;
  /** The success answer's JSON, documented (src/server/responses.ts). */
  response?: z.ZodType;
  /** What the success answer is, in words (its format, for answers that are not JSON). */
  answer?: string;
  /** Error answers that are not in the Error shape (readyz's 503 is its report), by status. */
  errorBodies?: Partial<Record<OperationErrorStatus, z.ZodType>>;
  /** A raw (not JSON) request body of this type, read up to `limit` (else 413). */
  upload?: {
    type: 'application/zip';
    limit: string;
    description: string;
    /** What the archive may unpack to. */ unpacked?: string;
  };
  /** Public operations need no identity (health, metrics, login, the document itself). */
  public?: boolean;
  /** Only a browser session may do this, not an API token (and for `fresh`, one logged in within minutes). */
  session?: 'any' | 'fresh';
  produces?: 'application/json' | 'text/plain' | 'text/csv' | 'text/html' | 'application/zip';
  /** Media types the caller picks between (e.g. with a `format` query), each documented. */
  formats?: readonly string[];
  /** Response headers worth documenting (name → description). */
  headers?: Record<string, string>;
  /** Takes an `Idempotency-Key` header (src/server/idempotency.ts). */
  idempotent?: true;
  /**
   * Sends a workflow (the run, or an oversight review) a message it judges: its refusals
   * (src/server/temporalRuns.ts STATUS_BY_REFUSAL) are answers, and for a run, one too busy to
   * take it (503 run_busy).
   */
  message?: 'run' | 'review';
  /**
   * Error answers of the handler's own beyond what route() and `message` give (why each). The
   * OpenAPI document derives every other error status from this definition (src/server/openapi.ts).
   */
  errors?: Partial<Record<OperationErrorStatus, string>>;
}

/** What an operation may answer besides success: not 405 (no operation took the request: methodNotAllowed.ts), 500 (a defect), 501. */
export type OperationErrorStatus = Exclude<HttpStatus, 405 | 500 | 501>;

function op<const O extends Operation>(o: O): O {
  return o;
}

export const operations = {
  listRunbooks: op({
    method: 'get',
    path: '/api/runbooks',
    tag: 'runs',
    summary: 'The runbooks a run can start from (id, version, title, sha256; invalid files with their issues)',
    status: 200,
    response: runbookListSchema,
  }),
  startRun: op({
    method: 'post',
    path: '/api/runs',
    tag: 'runs',
    summary: 'Start a go-live run from a runbook',
    body: startRunBodySchema,
    status: 201,
    response: startedRunSchema,
    headers: { Location: 'The new run: /api/runs/{runId}' },
    errors: {
      403: `needs one of the roles ${START_RUN_ROLES.join(', ')}`,
      409: "the production target (the runbook's `target`, else the system) already has a go-live in flight (`runId` names it)",
    },
  }),
  listRuns: op({
    method: 'get',
    path: '/api/runs',
    tag: 'runs',
    summary: 'List and filter runs (paginated)',
    query: listRunsQuerySchema,
    status: 200,
    response: runPageSchema,
  }),
  getRun: op({
    method: 'get',
    path: '/api/runs/:runId',
    tag: 'runs',
    summary:
      "A run's state. Records are bounded: every open Red Button report up to 1,000 (oldest first), the latest 200 others, the latest 200 escalations and 100 refused Signals; `omitted` counts what was left out (the audit trail has every record)",
    params: runParamsSchema,
    status: 200,
    response: runStateSchema,
  }),
  decide: op({
    method: 'post',
    path: '/api/runs/:runId/steps/:stepId/decisions',
    tag: 'decisions',
    summary:
      "Approve or reject a waiting approval step (a step the runbook marks `passkey` needs `passkey`: the binding and the authenticator's answer to its passkey-challenge; without it, 403 PasskeyRequired)",
    params: stepParamsSchema,
    body: decisionBodySchema,
    status: 200,
    response: stepAnswerSchema,
    idempotent: true,
    message: 'run',
  }),
  submitEvidence: op({
    method: 'post',
    path: '/api/runs/:runId/steps/:stepId/evidence',
    tag: 'decisions',
    summary: 'Submit an evidence item for a step',
    params: stepParamsSchema,
    body: evidenceBodySchema,
    status: 200,
    response: stepAnswerSchema,
    idempotent: true,
    message: 'run',
    errors: { 404: 'the step has no such evidence item (reason UnknownEvidenceItem, an issue at `itemId`)' },
  }),
  resend: op({
    method: 'post',
    path: '/api/runs/:runId/steps/:stepId/resend',
    tag: 'decisions',
    summary:
      'Send an undelivered notification again (a notify step the runbook lets warn); answers with the step, still `undelivered` if it failed again',
    params: stepParamsSchema,
    body: resendBodySchema,
    status: 200,
    response: stepAnswerSchema,
    message: 'run',
  }),
  report: op({
    method: 'post',
    path: '/api/runs/:runId/reports',
    tag: 'red-button',
    summary:
      'Red Button: report an AI error. Answers `{report, receipt?}`: the report as the run recorded it (its `id` names it in the resolution route) and, for an anonymous report, a receipt that proves the report was yours (the run keeps only its SHA-256). With an `Idempotency-Key`, a resent report is the first one: the same key answers with the first report (and, when it was anonymous, the same receipt), even when the body differs',
    params: runParamsSchema,
    body: reportBodySchema,
    status: 201,
    response: reportAnswerSchema,
    idempotent: true,
    message: 'run',
  }),
  resolveReport: op({
    method: 'post',
    path: '/api/runs/:runId/reports/:reportId/resolution',
    tag: 'red-button',
    summary: 'Resolve a Red Button report',
    params: reportParamsSchema,
    body: resolutionBodySchema,
    status: 200,
    response: reportAnswerSchema,
    idempotent: true,
    message: 'run',
  }),
  acknowledgeReport: op({
    method: 'post',
    path: '/api/runs/:runId/reports/:reportId/acknowledgement',
    tag: 'red-button',
    summary:
      'Acknowledge a Red Button report (its first response, before the resolution; once per report, by whoever may resolve it). Answers `{report}`',
    params: reportParamsSchema,
    body: acknowledgementBodySchema,
    status: 200,
    response: reportAnswerSchema,
    idempotent: true,
    message: 'run',
  }),
  reportByReceipt: op({
    method: 'post',
    path: '/api/runs/:runId/reports/:reportId/receipt',
    tag: 'red-button',
    summary:
      'An anonymous reporter reads their report with its receipt: acknowledgement, resolution and the thank-you recorded for them (names no reporter; 404 for a wrong receipt). Answers `{report}`',
    params: reportParamsSchema,
    body: receiptBodySchema,
    status: 200,
    response: receiptAnswerSchema,
    errors: { 404: 'no anonymous report with this receipt' },
  }),
  stop: op({
    method: 'post',
    path: '/api/runs/:runId/stop',
    tag: 'red-button',
    summary:
      "Stop the line (rolls the go-live back). Answers the run's state as it accepted the stop: `failure` says it was stopped, `status` is still the one from before; the rollback follows (`compensating`, then `rolled-back` or `rollback-incomplete`): read `GET /api/runs/{runId}` to follow it",
    params: runParamsSchema,
    body: reasonBodySchema,
    status: 200,
    response: runStateSchema,
    idempotent: true,
    message: 'run',
  }),
  rollback: op({
    method: 'post',
    path: '/api/runs/:runId/rollback',
    tag: 'red-button',
    summary:
      "Ask for a rollback. Answers as a stop does: the run's state as it accepted the request, before anything is undone",
    params: runParamsSchema,
    body: reasonBodySchema,
    status: 200,
    response: runStateSchema,
    idempotent: true,
    message: 'run',
  }),
  redButton: op({
    method: 'get',
    path: '/api/reports',
    tag: 'red-button',
    summary:
      'The Red Button across the runs you may read that went live (`runs`: how many were read; `runsWithReports`: the runs the reports are in): reports per system and severity, share answered in time (of the reports answered or past their deadline: open reports not yet due are in neither part, counted as `withinDeadline`; their `inTime` is null) and closed with the reporter, time to first response and to resolution (median, p90, each its own figure), overdue first, reporter recognition with names and thank-yous (anonymous reporters only counted), `unread`: runs that could not be read now, `omittedReports`: older reports beyond what long-running runs show (bounded state; their audit trails hold them), not in the figures',
    query: redButtonQuerySchema,
    status: 200,
    response: redButtonFiguresSchema,
  }),
  redButtonCsv: op({
    method: 'get',
    path: '/api/reports.csv',
    tag: 'red-button',
    summary:
      'The same reports as CSV (one row per report, overdue first; `inTime` empty for an open report still within its deadline)',
    query: redButtonQuerySchema,
    status: 200,
    answer: `RFC 4180 CSV (CRLF line ends, UTF-8), a header row then one row per report: ${CSV_COLUMNS.join(',')}; booleans as true/false, \`inTime\` empty while a report is open and not yet due; a field starting with = + - @ is prefixed with ' (no spreadsheet formulas). Content-Disposition: attachment`,
    produces: 'text/csv',
  }),
  redButtonHtml: op({
    method: 'get',
    path: '/api/reports.html',
    tag: 'red-button',
    summary:
      "The same view as a dossier-style HTML document for the Monitoring phase (figures, reports, recognition, unread runs), with each run's user feedback channel alongside; self-contained (no scripts, no external resources)",
    query: redButtonQuerySchema,
    status: 200,
    answer: 'One self-contained HTML document (no scripts, no external resources). Content-Disposition: attachment',
    produces: 'text/html',
  }),
  runOversight: op({
    method: 'get',
    path: '/api/runs/:runId/oversight',
    tag: 'oversight',
    summary:
      "The run's scheduled oversight: each duty's Temporal Schedule (paused or not, next reviews) and the reviews it started (done, waiting, missed)",
    params: runParamsSchema,
    status: 200,
    response: runOversightSchema,
  }),
  getReview: op({
    method: 'get',
    path: '/api/reviews/:reviewId',
    tag: 'oversight',
    summary: 'One scheduled oversight review',
    params: reviewParamsSchema,
    status: 200,
    response: reviewViewSchema,
  }),
  recordReview: op({
    method: 'post',
    path: '/api/reviews/:reviewId',
    tag: 'oversight',
    summary:
      "Record an oversight review as its duty's reviewer (evidence: sample size, overrides, findings); a finding with report: true raises a Red Button report on the run",
    params: reviewParamsSchema,
    body: reviewBodySchema,
    status: 200,
    response: recordedReviewSchema,
    message: 'review',
  }),
  history: op({
    method: 'get',
    path: '/api/runs/:runId/history',
    tag: 'audit',
    summary:
      "The run's hash-chained audit trail (whole continue-as-new chain), refused attempts apart; filters by kind, person, step",
    params: runParamsSchema,
    query: historyQuerySchema,
    status: 200,
    response: trailAnswerSchema,
  }),
  dossier: op({
    method: 'get',
    path: '/api/runs/:runId/dossier',
    tag: 'audit',
    summary: "The run's compliance dossier as a zip (Markdown, HTML, JSON, manifest of SHA-256 digests)",
    params: runParamsSchema,
    status: 200,
    answer:
      'A zip: the trail (audit-trail.json), dossier.json, the five deliverables as HTML, Markdown and PDF, manifest.json (SHA-256 of every file). Content-Disposition: attachment',
    produces: 'application/zip',
    headers: {
      'X-Golive-Manifest-Sha256': "SHA-256 of the dossier's manifest.json (the server logs it too): anchors every file",
      'X-Golive-Chain-Head': "Hash of the trail's last entry",
    },
  }),
  document: op({
    method: 'get',
    path: '/api/runs/:runId/documents/:documentId',
    tag: 'audit',
    summary:
      "One of the run's five deliverables (go-live-plan, human-oversight-protocol, training-materials, compliance-dossier, operational-handover-checklist), built from the runbook, the run and its evidence: format=json (the document model), html, md or pdf (the same files the dossier holds; the PDF is A4, for printing). Any other document name: 404 naming it and listing the five, as the web page answers",
    params: documentParamsSchema,
    query: documentQuerySchema,
    status: 200,
    response: deliverableAnswerSchema,
    answer:
      'format=json: the document model (application/json); html: a self-contained HTML document; md: Markdown; pdf: an A4 PDF. Content-Disposition: inline, with the file name the dossier gives it (html, md, pdf)',
    formats: ['application/json', 'text/html', 'text/markdown', 'application/pdf'],
    errors: { 503: "an open run's state could not be queried (is a worker running?)" },
  }),
  verifyDossier: op({
    method: 'post',
    path: '/api/dossiers/verify',
    tag: 'audit',
    summary:
      'Verify a dossier zip offline: every file against the manifest, then the hash chain; names the first altered file or entry',
    upload: {
      type: 'application/zip',
      limit: DOSSIER_UPLOAD_LIMIT,
      description: 'A dossier zip as downloaded from /api/runs/{runId}/dossier',
      unpacked: `it may unpack to at most ${DOSSIER_UNZIP_LIMITS.files} files, ${DOSSIER_UNZIP_LIMITS.unpackedBytes / 1024 / 1024} MB and ${DOSSIER_UNZIP_LIMITS.ratio} times its own size (a zip bomb gets 413)`,
    },
    status: 200,
    response: dossierVerdictSchema,
    errors: { 503: 'other dossiers are being verified, or verifying this one took too long' },
  }),
  signingKeys: op({
    method: 'get',
    path: '/api/signing-keys',
    tag: 'audit',
    summary:
      "The public keys golive signs every run's input and messages with (current first): pin one in `golive verify --expect-key`",
    status: 200,
    response: signingKeysSchema,
    public: true,
  }),
  passkeyChallenge: op({
    method: 'post',
    path: '/api/runs/:runId/steps/:stepId/passkey-challenge',
    tag: 'passkeys',
    summary:
      "For a step decided with a passkey: the WebAuthn request options whose challenge is derived from this exact decision (run, step, decision, comment, you, the covered evidence's hashes), and the binding it was derived from; send both, with the authenticator's answer, as the decision's `passkey`",
    params: stepParamsSchema,
    body: passkeyChallengeBodySchema,
    status: 200,
    response: passkeyChallengeSchema,
    errors: {
      403: 'you may not decide this step (NotAuthorized, SelfApproval, SeparationOfDuties)',
      409: 'the step is not waiting or you decided it already (StepNotWaiting, DuplicateDecision), or you have no passkey registered (NoPasskey)',
    },
  }),
  listPasskeys: op({
    method: 'get',
    path: '/api/passkeys',
    tag: 'passkeys',
    summary: 'My registered passkeys',
    status: 200,
    response: passkeyListSchema,
  }),
  passkeyRegistrationOptions: op({
    method: 'post',
    path: '/api/passkeys/registration-options',
    tag: 'passkeys',
    summary: 'WebAuthn creation options for a new passkey (browser session logged in within the last 15 minutes)',
    status: 200,
    response: passkeyRegistrationOptionsSchema,
    session: 'fresh',
  }),
  registerPasskey: op({
    method: 'post',
    path: '/api/passkeys',
    tag: 'passkeys',
    summary:
      "Register a passkey: the authenticator's answer to the creation options (browser session logged in within the last 15 minutes)",
    body: registerPasskeyBodySchema,
    status: 201,
    response: registeredPasskeySchema,
    session: 'fresh',
    errors: { 409: 'this passkey is registered already' },
  }),
  deletePasskey: op({
    method: 'delete',
    path: '/api/passkeys/:credentialId',
    tag: 'passkeys',
    summary: 'Remove one of my passkeys',
    params: passkeyParamsSchema,
    status: 204,
    answer: 'No content',
    session: 'any',
  }),
  login: op({
    method: 'post',
    path: '/api/session',
    tag: 'session',
    summary: 'Log in (sets the session cookie); then GET /api/me gives the CSRF token a session needs',
    body: loginBodySchema,
    status: 200,
    response: loginAnswerSchema,
    public: true,
    errors: {
      401: 'wrong user name or password',
      429: 'too many failed logins from this address (Retry-After)',
    },
  }),
  cliLogin: op({
    method: 'post',
    path: '/api/cli-logins',
    tag: 'session',
    summary:
      "Hand an API token to `golive login` (browser session only): a one-use code for the CLI's loopback address (`redirect`), or to paste",
    body: cliLoginBodySchema,
    status: 201,
    response: cliLoginAnswerSchema,
    session: 'any',
  }),
  cliToken: op({
    method: 'post',
    path: '/api/cli-logins/token',
    tag: 'session',
    summary:
      'Redeem a `golive login` code with its verifier: an API token for the person who handed it over, valid GOLIVE_CLI_TOKEN_TTL',
    body: cliTokenBodySchema,
    status: 201,
    response: cliTokenAnswerSchema,
    public: true,
  }),
  logout: op({
    method: 'delete',
    path: '/api/session',
    tag: 'session',
    summary: 'Log out',
    status: 204,
    answer: 'No content (and a Set-Cookie that clears the session cookie)',
  }),
  me: op({
    method: 'get',
    path: '/api/me',
    tag: 'session',
    summary: 'Who I am, my roles and my CSRF token',
    status: 200,
    response: meAnswerSchema,
  }),
  healthz: op({
    method: 'get',
    path: '/healthz',
    tag: 'ops',
    summary: 'Liveness: the process answers (checks nothing else)',
    status: 200,
    response: healthSchema,
    public: true,
  }),
  readyz: op({
    method: 'get',
    path: '/readyz',
    tag: 'ops',
    summary: 'Readiness: Temporal and the database answer (503 with Retry-After and which one is down otherwise)',
    status: 200,
    response: readinessSchema,
    errorBodies: { 503: readinessSchema },
    public: true,
    errors: { 503: 'Temporal or the database does not answer (which one is named; Retry-After)' },
  }),
  metrics: op({
    method: 'get',
    path: '/metrics',
    tag: 'ops',
    summary:
      "Prometheus metrics: process, HTTP latency by route, decisions, refusals (the workflow's too), Red Button reports, runs by state",
    status: 200,
    answer:
      'The Prometheus text exposition format, version 0.0.4 (Content-Type: text/plain; version=0.0.4; charset=utf-8)',
    public: true,
    produces: 'text/plain',
  }),
  openapi: op({
    method: 'get',
    path: '/api/openapi.json',
    tag: 'ops',
    summary: 'This document',
    status: 200,
    response: openApiDocumentSchema,
    public: true,
  }),
} as const;
