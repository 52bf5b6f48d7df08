import { z } from 'zod';
import { SEVERITIES, type StepStatus } from '../contract/definitions';
import { ENDED_IN_TEMPORAL_STATUSES, RUN_STATUSES } from '../contract/runStatus';
import { FAILURE_MEMO_REASON_MAX } from '../contract/searchAttributes';

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
export const RUN_STATE_DESCRIPTION = `running, waiting (for people), hypercare, compensating (rolling back); then live, rolled-back, rollback-incomplete or cancelled, as the run recorded them. ${ENDED_IN_TEMPORAL_STATUSES.join(', ')}: the run ended in Temporal (terminated by an operator, its execution timeout, a failure) before golive finished it, so its rollback did not run (or not to its end); golive never records these, they come from Temporal's execution status: such a run waits for nobody, no step of it is waiting (those that were are cancelled), and every message to it is a 409 RunClosed`;

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
