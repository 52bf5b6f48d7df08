import { z } from 'zod';
import { SEVERITIES, type StepStatus } from '../contract/definitions';
import { ENDED_IN_TEMPORAL_STATUSES, RUN_STATUSES } from '../contract/runStatus';
import { FAILURE_MEMO_REASON_MAX } from '../contract/searchAttributes';
import { passkeyAssertionSchema } from '../contract/schemas/messages';
import { AUDIT_KINDS } from '../audit/entryModel';
import { DELIVERABLE_IDS } from '../audit/documents/model';

/**
 * What the main operations answer, for the OpenAPI document (src/server/openapi.ts). The answers
 * are built from the workflow's views (src/contract/definitions.ts), which are TypeScript types;
 * these schemas name their fields for API clients, and the API tests check real answers against
 * them. Objects are open (more fields may come; a client must ignore what it does not know).
 */

const STEP_STATUSES = [
  'pending',
  'running',
  'waiting',
  'completed',
  'failed',
  'rejected',
  'cancelled',
  'compensating',
  'compensated',
  'compensation-failed',
] as const satisfies readonly StepStatus[];
/** Fails to compile when StepStatus gains a value the list above lacks. */
const everyStepStatus: Exclude<StepStatus, (typeof STEP_STATUSES)[number]> extends never ? true : never = true;
void everyStepStatus;

/** A run's state in words, for the OpenAPI document: the same in the run, the list and its filter. */
export const RUN_STATE_DESCRIPTION = `running, waiting (for people), hypercare, compensating (rolling back); then live, rolled-back, rollback-incomplete or cancelled, as the run recorded them. ${ENDED_IN_TEMPORAL_STATUSES.join(', ')}: the run ended in Temporal (terminated by an operator, its execution timeout, a failure) before golive finished it, so its rollback did not run (or not to its end); golive never records these, they come from Temporal's execution status: such a run waits for nobody, no step of it is waiting (those that were are cancelled), and every message to it is a 409 RunClosed (a stop, rollback, Red Button report or report answer from someone who may never make one in the run: 403 NotAuthorized)`;

const actor = z.looseObject({ id: z.string(), name: z.string().optional(), roles: z.array(z.string()).optional() });
const when = z.string().describe('ISO 8601 time');

export const stepViewSchema = z
  .looseObject({
    id: z.string(),
    title: z.string(),
    kind: z.enum(['action', 'approval', 'evidence', 'hypercare']),
    phase: z.string().optional(),
    after: z.array(z.string()),
    status: z
      .enum(STEP_STATUSES)
      .describe(
        'of a run that ended in Temporal before golive finished it (terminated, timed-out, failed), a step that was waiting or running is cancelled, one being undone compensation-failed',
      ),
    startedAt: when.optional(),
    endedAt: when.optional(),
    approvals: z
      .array(z.looseObject({ role: z.string(), quorum: z.number(), approvedBy: z.array(z.string()) }))
      .optional(),
    mayDecide: z.array(z.looseObject({ role: z.string(), people: z.array(z.string()) })).optional(),
    deadlineAt: when.optional(),
    escalationLevel: z.number().optional(),
  })
  .describe('A step as the run sees it now');

const answer = z.looseObject({ by: actor, at: when, text: z.string() });

export const reportViewSchema = z
  .looseObject({
    id: z.string(),
    severity: z.enum(SEVERITIES),
    description: z.string(),
    reporter: z.string().describe('the reporter id, or "anonymous"'),
    reporterName: z.string().optional(),
    at: when,
    responseDueAt: when,
    status: z.enum(['open', 'resolved', 'closed']),
    escalationLevel: z.number(),
    acknowledgement: answer.optional(),
    resolution: answer.optional(),
    thanks: z.looseObject({ at: when, text: z.string(), delivered: z.boolean().optional() }).optional(),
  })
  .describe('A Red Button report as the run recorded it');

export const runStateSchema = z
  .looseObject({
    runbook: z.looseObject({ id: z.string(), version: z.string(), sha256: z.string(), title: z.string() }),
    system: z.string(),
    collaborationMode: z.number(),
    initiator: actor,
    assignments: z.record(z.string(), z.array(z.string())),
    status: z.enum(RUN_STATUSES).describe(RUN_STATE_DESCRIPTION),
    startedAt: when,
    endedAt: when.optional().describe('when the run ended (for a run ended in Temporal, when Temporal closed it)'),
    failure: z
      .looseObject({
        kind: z.string(),
        stepId: z.string().optional(),
        by: actor.optional().describe('who stopped, rejected or asked for the rollback (the list gives their id only)'),
        reason: z.string(),
        at: when,
      })
      .optional()
      .describe('why the run failed, as it recorded it: the first failure wins'),
    steps: z.array(stepViewSchema),
    decisions: z.array(z.looseObject({ stepId: z.string(), decision: z.enum(['approve', 'reject']), actor, at: when })),
    evidence: z.array(z.looseObject({ stepId: z.string(), itemId: z.string(), sha256: z.string(), at: when })),
    reports: z.array(reportViewSchema),
    waitingRoles: z.array(z.string()),
    chainLength: z.number(),
  })
  .describe("The run's state (GET /api/runs/{runId})");

export const runPageSchema = z
  .looseObject({
    runs: z.array(
      z.looseObject({
        runId: z.string(),
        system: z.string().optional(),
        runbook: z.string().optional(),
        state: z
          .enum(RUN_STATUSES)
          .optional()
          .describe(
            `the run's state as it last showed it, unless Temporal ended it before golive did (then how: see executionStatus). ${RUN_STATE_DESCRIPTION}`,
          ),
        waitingRoles: z
          .array(z.string())
          .describe("the roles the run waits for; empty for a run that is not open in Temporal's view"),
        initiator: z.string().optional(),
        failure: z
          .looseObject({
            kind: z.string().describe('stopped, rollback-requested, rejected, deadline, action-failed or cancelled'),
            stepId: z.string().optional(),
            by: z.string().optional().describe('who stopped, rejected or asked for the rollback'),
            reason: z.string().describe(`at most ${FAILURE_MEMO_REASON_MAX} characters (the run has the whole reason)`),
          })
          .optional()
          .describe(
            'why the run failed, set as its rollback starts; absent for runs that went live or are on their way, and for runs recorded before golive kept it',
          ),
        executionStatus: z
          .string()
          .describe(
            "Temporal's execution status: RUNNING, COMPLETED (golive ended the run), TERMINATED, TIMED_OUT, FAILED, CANCELLED (one row per run: a long hypercare's earlier executions, continued as new, are not listed)",
          ),
        startedAt: when.describe(
          "when golive's server started the run (kept in the run's memo, which Temporal carries into the executions a long hypercare continues as, so the list needs no query per run); not quite the run's own startedAt (GET /api/runs/{runId}), the time of its first workflow task: tens of milliseconds later, longer while no worker was up. A run started without golive's server lists when Temporal started its latest execution",
        ),
        closedAt: when.optional(),
      }),
    ),
    nextPageToken: z.string().optional().describe('the next page: pass it as pageToken with the same filters'),
  })
  .describe(
    'Runs from Temporal visibility, in its order: open runs first (newest first), then closed ones (most recently closed first); no run is asked (GET /api/runs)',
  );

export const startedRunSchema = z.strictObject({
  runId: z.string().describe('the new run (its Temporal workflow id)'),
});
export const stepAnswerSchema = z.strictObject({ step: stepViewSchema });
export const reportAnswerSchema = z.strictObject({
  report: reportViewSchema,
  receipt: z
    .string()
    .optional()
    .describe('an anonymous report only: the receipt that proves it was yours (shown once, not kept)'),
});

/** An anonymous report read with its receipt: the run's record of it, naming no reporter. */
export const receiptAnswerSchema = z.strictObject({
  report: reportViewSchema
    .omit({ reporter: true, reporterName: true, escalationLevel: true })
    .describe('An anonymous report as its reporter reads it: status, acknowledgement, resolution, thank-you'),
});

const person = z.looseObject({
  id: z.string(),
  name: z.string().optional(),
  email: z.string().optional(),
  roles: z.array(z.string()).describe('directory roles'),
});

/** Who is asking: what a browser client needs before it changes anything (the CSRF token). */
export const meAnswerSchema = z.looseObject({
  user: person,
  via: z.enum(['session', 'token', 'proxy']).describe('how the request was identified'),
  csrfToken: z
    .string()
    .optional()
    .describe(
      'a browser session (or the trusted proxy) only: send it as the x-csrf-token header with every request that changes something',
    ),
});
export const loginAnswerSchema = z.looseObject({ user: person });

// ---------------------------------------------------------------------------------------------
// The other JSON answers: runbooks, the Red Button across runs, oversight, the audit trail,
// dossier verification, signing keys, passkeys, `golive login`, health and this document.

const issue = z.looseObject({ path: z.string(), message: z.string() });

export const runbookListSchema = z
  .looseObject({
    runbooks: z.array(
      z.looseObject({
        file: z.string().describe('the file name in the runbooks folder'),
        valid: z.boolean(),
        id: z.string().optional(),
        version: z.string().optional(),
        title: z.string().optional(),
        steps: z.number().optional(),
        sha256: z.string().optional().describe("SHA-256 of the file's bytes: the CLI compares a local file's with it"),
        issues: z
          .array(issue.extend({ line: z.number().optional() }))
          .optional()
          .describe('why the file does not load (only when `valid` is false)'),
      }),
    ),
  })
  .describe('The runbooks in the server folder, valid or not (GET /api/runbooks)');

const percentiles = z.looseObject({
  count: z.number(),
  medianMs: z.number().nullable().describe('milliseconds; null when there is nothing to measure'),
  p90Ms: z.number().nullable(),
});

export const redButtonFiguresSchema = z
  .looseObject({
    generatedAt: when,
    runs: z.number().describe('runs read: those you may read that went live'),
    runsWithReports: z.number(),
    unread: z.number().describe('runs that went live whose state could not be read now (not in the figures)'),
    omittedReports: z.number().describe("older reports the runs' bounded state leaves out (their trails hold them)"),
    reports: z.number(),
    bySystemAndSeverity: z.array(
      z.looseObject({
        system: z.string(),
        severity: z.string(),
        reports: z.number(),
        open: z.number(),
        overdue: z.number(),
      }),
    ),
    shareAnsweredInTime: z
      .number()
      .nullable()
      .describe('0–1, of the reports answered or past their deadline; null when there are none'),
    withinDeadline: z.number().describe('open reports not yet due (in neither part of shareAnsweredInTime)'),
    shareClosedWithReporter: z.number().nullable(),
    timeToFirstResponse: percentiles,
    timeToResolution: percentiles,
    list: z
      .array(
        z.looseObject({
          runId: z.string(),
          system: z.string(),
          id: z.string(),
          severity: z.enum(SEVERITIES),
          reporter: z.string().describe('the reporter id, or "anonymous"'),
          reporterName: z.string().optional(),
          at: when,
          responseDueAt: when,
          status: z.enum(['open', 'resolved', 'closed']),
          resolvedAt: when.optional(),
          resolvedBy: z.string().optional(),
          resolvedByName: z.string().optional(),
          firstResponseAt: when.optional(),
          acknowledgedBy: z.string().optional(),
          thanked: z.boolean(),
          inTime: z.boolean().nullable().describe('null while the report is open and not yet due'),
          overdue: z.boolean(),
          description: z.string(),
        }),
      )
      .describe('overdue first (oldest deadline first), then the rest, newest first'),
    recognition: z.array(
      z.looseObject({
        reporter: z.string(),
        name: z.string().optional(),
        reports: z.number(),
        answered: z.number(),
        thanked: z.number(),
      }),
    ),
    anonymousReports: z.number(),
  })
  .describe('The Red Button across the runs you may read that went live (GET /api/reports)');

export const reviewViewSchema = z
  .looseObject({
    reviewId: z.string(),
    parentRunId: z.string().describe('the go-live run'),
    system: z.string(),
    collaborationMode: z.number(),
    dutyId: z.string(),
    dutyTitle: z.string(),
    reviewers: z.array(z.string()).describe('the roles that may record it'),
    sampleSize: z.number().describe('the sample size the duty asks for'),
    status: z.enum(['waiting', 'done', 'missed']),
    startedAt: when,
    dueAt: when,
    review: z
      .looseObject({
        by: actor,
        role: z.string(),
        at: when,
        sampleSize: z.number(),
        overrides: z.number(),
        findings: z.array(z.looseObject({ summary: z.string(), severity: z.enum(SEVERITIES), report: z.boolean() })),
        note: z.string().optional(),
        keyId: z.string().optional(),
      })
      .optional()
      .describe('what the reviewer recorded (status done)'),
    escalations: z.array(
      z.looseObject({ level: z.number(), at: when, notified: z.array(z.string()), missed: z.boolean() }),
    ),
    notifications: z.array(z.looseObject({ at: when, to: z.array(z.string()), subject: z.string() })).optional(),
    pinnedKeys: z.array(z.string()),
  })
  .describe('A scheduled oversight review (GET /api/reviews/{reviewId})');

export const runOversightSchema = z
  .looseObject({
    runId: z.string(),
    system: z.string(),
    collaborationMode: z.number(),
    state: z.enum(['none', 'active', 'paused', 'deleted', 'failed']).describe('none: the runbook has no oversight'),
    note: z.string().optional(),
    schedules: z.array(
      z.looseObject({
        dutyId: z.string(),
        scheduleId: z.string().describe('the Temporal Schedule'),
        every: z.string(),
        exists: z.boolean().describe('false: deleted (the run rolled back, or an operator)'),
        paused: z.boolean(),
        note: z.string().nullable(),
        nextReviews: z.array(when),
      }),
    ),
    reviews: z.array(reviewViewSchema).describe('the reviews the schedules started, newest first'),
  })
  .describe("A run's scheduled oversight (GET /api/runs/{runId}/oversight)");

export const recordedReviewSchema = z
  .looseObject({
    review: reviewViewSchema,
    reports: z
      .array(
        z.looseObject({
          finding: z.number().describe('index of the finding marked report'),
          reportId: z.string().optional().describe('the Red Button report raised on the run'),
          notRaised: z.string().optional().describe('why none was raised (the run is past hypercare, or refused it)'),
        }),
      )
      .describe('one per finding marked `report: true`'),
  })
  .describe('The review as recorded, and the Red Button reports its findings raised');

const trailEntry = z.looseObject({
  seq: z.number(),
  at: when,
  kind: z.enum(AUDIT_KINDS),
  actor: z.string().optional().describe('a person id, "anonymous", or absent for the system'),
  role: z.string().optional(),
  stepId: z.string().optional(),
  summary: z.string(),
  details: z.record(z.string(), z.unknown()),
  source: z.enum(['history', 'state']),
  runId: z.string().describe('the execution of the continue-as-new chain it was read from'),
  eventIds: z.array(z.number()),
  prevHash: z.string(),
  hash: z.string().describe('SHA-256 of the entry (with prevHash) as canonical JSON'),
});

export const trailAnswerSchema = z
  .looseObject({
    workflowId: z.string(),
    runIds: z.array(z.string()).describe('every execution of the continue-as-new chain, first first'),
    input: z.looseObject({}).describe("the run's start input (runbook, system, assignments, …)"),
    state: runStateSchema.optional().describe("the run's state (absent when an open run's worker does not answer)"),
    finished: z.boolean(),
    entries: z.array(trailEntry).describe('the entries the filters keep (hash-chained over the whole trail)'),
    head: z.string().describe("the hash of the whole trail's last entry"),
    refusals: z
      .array(
        z.looseObject({
          seq: z.number(),
          at: when,
          runId: z.string(),
          action: z.string(),
          actor: z.string(),
          stepId: z.string().optional(),
          reportId: z.string().optional(),
          type: z.string().describe('the refusal type'),
          status: z.number(),
          reason: z.string(),
          by: z.enum(['server', 'workflow']).describe("who refused: the server's own check, or the run"),
          prevHash: z.string(),
          hash: z.string(),
        }),
      )
      .describe('refused attempts, kept apart from the chain (their own hash chain)'),
    total: z.number().describe('entries in the whole trail'),
    filter: z.looseObject({}).describe('the filters applied (kind, person, stepId)'),
    temporalUi: z
      .array(z.looseObject({ runId: z.string(), url: z.string() }))
      .describe("links to each execution's history in the Temporal UI (operations only; empty for others)"),
  })
  .describe("The run's audit trail (GET /api/runs/{runId}/history)");

export const dossierVerdictSchema = z
  .discriminatedUnion('ok', [
    z.looseObject({
      ok: z.literal(true),
      workflowId: z.string(),
      runIds: z.array(z.string()),
      status: z.string(),
      finished: z.boolean(),
      head: z.string(),
      entries: z.number(),
      files: z.number(),
      manifestSha256: z.string().describe('compare with the server log or X-Golive-Manifest-Sha256'),
      anchored: z.boolean(),
      signatures: z.looseObject({
        checked: z.number(),
        keyIds: z.array(z.string()),
        unsignedRun: z.boolean(),
        keyExpected: z.boolean(),
      }),
      passkeys: z.looseObject({ checked: z.number() }),
    }),
    z.looseObject({
      ok: z.literal(false),
      file: z.string().describe('the first altered file'),
      field: z.string().optional(),
      seq: z.number().optional().describe('the first altered entry of the trail'),
      reason: z.string(),
    }),
  ])
  .describe('The verdict: ok, or the first file or entry that does not check out (a 200 either way)');

const pinnedKey = z.looseObject({
  keyId: z.string(),
  algorithm: z.literal('ed25519'),
  publicKey: z.string().describe('the raw 32-byte public key, hex'),
});
export const signingKeysSchema = z.looseObject({
  current: z.string().describe('the key id golive signs with now'),
  keys: z.array(pinnedKey).describe('current first'),
});

const passkeySummary = z.looseObject({
  credentialId: z.string(),
  label: z.string(),
  algorithm: z.number().describe('COSE algorithm'),
  createdAt: when,
  lastUsedAt: when.optional(),
});
export const passkeyListSchema = z.looseObject({ passkeys: z.array(passkeySummary) });
export const registeredPasskeySchema = z.looseObject({ passkey: passkeySummary });

const credentialDescriptor = z.looseObject({
  id: z.string(),
  type: z.literal('public-key'),
  transports: z.array(z.string()).optional(),
});
export const passkeyRegistrationOptionsSchema = z.looseObject({
  options: z
    .looseObject({
      challenge: z.string().describe('base64url'),
      rp: z.looseObject({ name: z.string(), id: z.string().optional() }),
      user: z.looseObject({ id: z.string(), name: z.string(), displayName: z.string() }),
      pubKeyCredParams: z.array(z.looseObject({ type: z.literal('public-key'), alg: z.number() })),
      timeout: z.number().optional(),
      excludeCredentials: z.array(credentialDescriptor).optional(),
      authenticatorSelection: z.looseObject({}).optional(),
      attestation: z.string().optional(),
    })
    .describe("WebAuthn PublicKeyCredentialCreationOptionsJSON: hand it to the browser's startRegistration"),
});

export const passkeyChallengeSchema = z.looseObject({
  options: z
    .looseObject({
      challenge: z.string().describe('base64url(SHA-256 of the binding as canonical JSON)'),
      rpId: z.string().optional(),
      allowCredentials: z.array(credentialDescriptor).optional(),
      timeout: z.number().optional(),
      userVerification: z.string().optional(),
    })
    .describe("WebAuthn PublicKeyCredentialRequestOptionsJSON: hand it to the browser's startAuthentication"),
  binding: passkeyAssertionSchema.shape.binding.describe(
    "what the challenge was derived from: send it back as the decision's passkey.binding",
  ),
});

export const cliLoginAnswerSchema = z.looseObject({
  redirect: z
    .string()
    .optional()
    .describe("with `port`: the CLI's loopback address (http://127.0.0.1:{port}/callback?code=…&state=…)"),
  code: z.string().optional().describe('without `port`: the one-use code to paste into the CLI'),
  expiresInSeconds: z.number(),
});

export const cliTokenAnswerSchema = z.looseObject({
  token: z.string().describe('the API token: send it as Authorization: Bearer'),
  expiresAt: when,
  user: person,
});

export const healthSchema = z.strictObject({ status: z.literal('ok') });

const check = z.enum(['ok', 'unreachable']);
export const readinessSchema = z.strictObject({
  status: z.enum(['ready', 'unavailable']),
  temporal: check,
  database: check,
});

export const openApiDocumentSchema = z
  .looseObject({
    openapi: z.string(),
    info: z.looseObject({ title: z.string(), version: z.string(), description: z.string() }),
    paths: z.record(z.string(), z.looseObject({})),
    components: z.looseObject({}),
  })
  .describe('An OpenAPI 3.1 document');

export const deliverableAnswerSchema = z
  .looseObject({
    id: z.enum(DELIVERABLE_IDS),
    deliverable: z.looseObject({
      id: z.enum(DELIVERABLE_IDS),
      title: z.string(),
      purpose: z.string(),
      obligations: z.array(z.looseObject({ ref: z.string(), title: z.string() })),
      blocks: z.array(
        z
          .looseObject({ kind: z.enum(['heading', 'text', 'list', 'fields', 'table']) })
          .describe(
            'heading and text: {text}; list: {items}; fields: {fields: [[name, value]]}; table: {columns, rows}',
          ),
      ),
    }),
    facts: z.array(z.tuple([z.string(), z.string()])).describe("the run's facts the document opens with"),
    draftNotice: z.string().optional().describe('while the run is open: the document is a draft'),
  })
  .describe('The document model (format=json)');
