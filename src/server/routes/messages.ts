import { randomBytes } from 'node:crypto';
import type { Router } from 'express';
import {
  approveStepUpdate,
  rejectStepUpdate,
  reportErrorUpdate,
  requestRollbackUpdate,
  resendNotificationUpdate,
  REFUSAL_TYPES,
  resolveReportUpdate,
  acknowledgeReportUpdate,
  stopLineUpdate,
  submitEvidenceUpdate,
  type Actor,
  type ReportView,
} from '../../contract/definitions';
import type { UpdateDefinition } from '@temporalio/common';
import type { Request } from 'express';
import type { Principal } from '../../auth/authenticator';
import { authorize, Refusal, type Action } from '../../contract/policy';
import { factsFromView } from '../../contract/runFacts';
import { sha256Hex } from '../../auth/secrets';
import { operations, type Operation } from '../api';
import { idempotencyKeyOf, idempotent, reportAnswer, reportReceiptFor, reportUpdateIdFor } from '../idempotency';
import type { ServerContext } from '../deps';
import { reportByReceipt } from '../reportReceipts';
import { route } from '../route';
import { assertMayReadInput, personOf } from '../runAccess';
import { RefusalError } from '../temporalRuns';
import { verifiedDecisionPasskey } from '../passkeyDecisions';
import { actorOf } from './runs';

/**
 * Decisions, evidence and the Red Button. The server signs each message for the person it
 * authenticated and sends it as an Update; the workflow's validator decides, with the same
 * policy module everyone else asks (policy.ts), and its refusal comes back typed. The server
 * decides itself only what the workflow cannot see: whether an anonymous reporter is involved
 * (the report names nobody). Every refusal is logged with who, what and why.
 */

interface Attempt {
  runId: string;
  action: string;
  actor: string;
  stepId?: string;
  reportId?: string;
}

/**
 * Temporal refuses every message to a run that has ended before the run's policy can judge it
 * (RunClosed). Someone who may never do the act (`action`) hears NotAuthorized instead, as the
 * run itself would have said while open or rolling back: the same policy, over the run's last
 * state. Authority first, so a reader who tries learns only that (README, HTTP API).
 */
async function judgedOnEndedRun(
  ctx: ServerContext,
  principal: Principal,
  runId: string,
  action: Action | undefined,
  err: RefusalError,
): Promise<RefusalError> {
  if (!action || err.type !== REFUSAL_TYPES.runClosed) return err;
  const view = await ctx.runs.state(runId).catch(() => undefined);
  if (!view) return err;
  const verdict = authorize(factsFromView(view), personOf(principal), action);
  return verdict instanceof Refusal && verdict.type === REFUSAL_TYPES.notAuthorized
    ? new RefusalError(verdict.type, verdict.message, 'server')
    : err;
}

async function recorded<T>(
  ctx: ServerContext,
  principal: Principal,
  attempt: Attempt,
  perform: () => Promise<T>,
  action?: Action,
): Promise<T> {
  try {
    return await perform();
  } catch (thrown) {
    if (!(thrown instanceof RefusalError)) throw thrown;
    const err = await judgedOnEndedRun(ctx, principal, attempt.runId, action, thrown);
    ctx.metrics.refusals.inc({ action: attempt.action, type: err.type });
    ctx.log.warn('refused', { ...attempt, type: err.type, reason: err.message, by: err.by });
    await ctx.refusals.append({
      ...attempt,
      at: new Date().toISOString(),
      type: err.type,
      status: err.status,
      reason: err.message,
      by: err.by,
    });
    await hideRunFromOutsider(ctx, principal, attempt.runId);
    throw err;
  }
}

/**
 * A run someone may not read answers 404 to them, whatever they send (README, "A run you are
 * not involved in"): a refusal ("not involved", "not in hypercare") would otherwise tell an
 * outsider that the run exists. The refusal is recorded all the same (above). Whoever may read
 * the run (people involved, reader roles such as auditors) hears the refusal itself.
 */
async function hideRunFromOutsider(ctx: ServerContext, principal: Principal, runId: string): Promise<void> {
  // From the start event (who is involved, the runbook's readers): no worker, not the whole state.
  const input = await ctx.runs.startInput(runId).catch(() => undefined);
  const { initiator, assignments, runbook } = input ?? {};
  if (initiator && assignments && runbook) assertMayReadInput(runId, { initiator, assignments, runbook }, principal);
}

/**
 * The workflow refuses a bad evidence value in one sentence (`value.url for "x" (document): must
 * be an http(s) link`); the field it names becomes an issue, so forms can show it at the field.
 * An item the step does not have is an issue at `itemId`.
 */
function withValueIssue(err: unknown): unknown {
  if (err instanceof RefusalError && err.type === REFUSAL_TYPES.unknownEvidenceItem && !err.extra.issues) {
    const items = /\((its items: [^)]*)\)$/.exec(err.message)?.[1];
    const message = `not an evidence item of this step${items ? ` (${items})` : ''}`;
    return new RefusalError(err.type, err.message, err.by, [{ path: 'itemId', message }]);
  }
  if (!(err instanceof RefusalError) || err.type !== REFUSAL_TYPES.invalid || err.extra.issues) return err;
  const m = /^(value(?:\.[\w.]+)?) for "[^"]*" \([a-z]+\): (.+)$/s.exec(err.message);
  if (m?.[1] && m[2]) return new RefusalError(err.type, err.message, err.by, [{ path: m[1], message: m[2] }]);
  // A number outside the item's bounds: `"rate" must be at most 1 (got 150)`.
  const bound = /^"[^"]*" (must be at (?:least|most) .+)$/s.exec(err.message);
  if (bound?.[1]) return new RefusalError(err.type, err.message, err.by, [{ path: 'value', message: bound[1] }]);
  return err;
}

function registerStepRoutes(router: Router, ctx: ServerContext): void {
  route(router, ctx, operations.decide, async ({ req, principal, params, body }) => {
    const actor = actorOf(principal);
    const attempt = { runId: params.runId, action: `decide:${body.decision}`, actor: actor.id, stepId: params.stepId };
    const { decision, passkey: answer, ...rest } = body;
    const comment = body.comment ?? '';
    // A passkey's answer is checked here (signature, challenge, origin, owner) before golive signs the message carrying it.
    const passkey =
      answer &&
      (await verifiedDecisionPasskey(
        ctx,
        principal,
        { runId: params.runId, stepId: params.stepId, decision, comment },
        answer,
      ));
    const message = { ...rest, ...(passkey ? { passkey } : {}), actor, stepId: params.stepId };
    const step = await recorded(ctx, principal, attempt, () =>
      decision === 'approve'
        ? ctx.runs.update(params.runId, approveStepUpdate, message, idempotent(req, principal, operations.decide))
        : ctx.runs.update(
            params.runId,
            rejectStepUpdate,
            { ...message, comment },
            idempotent(req, principal, operations.decide),
          ),
    );
    ctx.metrics.decisions.inc({ decision });
    return { step };
  });

  route(router, ctx, operations.resend, async ({ req, principal, params }) => {
    const actor = actorOf(principal);
    const attempt = { runId: params.runId, action: 'resend', actor: actor.id, stepId: params.stepId };
    const step = await recorded(ctx, principal, attempt, () =>
      ctx.runs.update(
        params.runId,
        resendNotificationUpdate,
        { actor, stepId: params.stepId },
        idempotent(req, principal, operations.resend),
      ),
    );
    return { step };
  });

  route(router, ctx, operations.submitEvidence, async ({ req, principal, params, body }) => {
    const actor = actorOf(principal);
    const attempt = { runId: params.runId, action: 'submitEvidence', actor: actor.id, stepId: params.stepId };
    const step = await recorded(ctx, principal, attempt, () =>
      ctx.runs.update(
        params.runId,
        submitEvidenceUpdate,
        { ...body, actor, stepId: params.stepId },
        idempotent(req, principal, operations.submitEvidence),
      ),
    ).catch((err: unknown) => {
      throw withValueIssue(err);
    });
    return { step };
  });
}

/** What answering a report adds to the body: who, and which report. */
type ReportAnswer = { actor: Actor; reportId: string };
interface AnswerArgs<B> {
  req: Request;
  principal: Principal;
  params: { runId: string; reportId: string };
  body: B;
}

function registerReportRoute(router: Router, ctx: ServerContext): void {
  route(router, ctx, operations.report, async ({ req, principal, params, body }) => {
    // Anonymous reporters are checked like anyone (only people involved may report) and then
    // kept out of the record; the receipt lets them prove later that the report was theirs.
    // With an Idempotency-Key, the Update id and the receipt derive from it: a resent report is the first one.
    const key = idempotencyKeyOf(req);
    const scope = key && { secret: ctx.deps.serverSecret, runId: params.runId, personId: principal.person.id, key };
    const receipt = scope
      ? reportReceiptFor(scope)
      : body.anonymous
        ? randomBytes(18).toString('base64url')
        : undefined;
    const actor = body.anonymous ? undefined : actorOf(principal);
    const report = await recorded(
      ctx,
      principal,
      { runId: params.runId, action: 'report', actor: actor?.id ?? 'anonymous' },
      async () => {
        if (body.anonymous) {
          const allowed = authorize(factsFromView(await ctx.runs.state(params.runId)), personOf(principal), {
            kind: 'report',
            anonymous: true,
          });
          if (allowed instanceof Refusal)
            throw new RefusalError(allowed.type, asYou(allowed.message, principal.person.id), 'server');
        }
        return ctx.runs.update(
          params.runId,
          reportErrorUpdate,
          {
            ...body,
            ...(actor ? { actor } : {}),
            ...(body.anonymous && receipt ? { receiptHash: sha256Hex(receipt) } : {}),
          },
          scope ? { updateId: reportUpdateIdFor(scope) } : {},
        );
      },
      // An anonymous report was judged above, from the same state.
      body.anonymous ? undefined : { kind: 'report', anonymous: false },
    );
    ctx.metrics.reports.inc({ severity: body.severity });
    return reportAnswer(report, receipt);
  });
}

/** Answering a report (first response, resolution): the same message path, another Update. */
function reportAnswerRoute(ctx: ServerContext) {
  return <I extends ReportAnswer>(
      update: UpdateDefinition<ReportView, [I]>,
      op: Operation,
      kind: 'resolve' | 'acknowledge',
    ) =>
    async ({ req, principal, params, body }: AnswerArgs<Omit<I, keyof ReportAnswer | 'signature'>>) => {
      const actor = actorOf(principal);
      const attempt = { runId: params.runId, action: update.name, actor: actor.id, reportId: params.reportId };
      const report = await recorded(
        ctx,
        principal,
        attempt,
        () =>
          ctx.runs.update(
            params.runId,
            update,
            { ...body, actor, reportId: params.reportId } as I,
            idempotent(req, principal, op),
          ),
        { kind, reportId: params.reportId },
      );
      return { report };
    };
}

function registerRedButtonRoutes(router: Router, ctx: ServerContext): void {
  registerReportRoute(router, ctx);

  const answer = reportAnswerRoute(ctx);
  route(router, ctx, operations.resolveReport, answer(resolveReportUpdate, operations.resolveReport, 'resolve'));
  route(
    router,
    ctx,
    operations.acknowledgeReport,
    answer(acknowledgeReportUpdate, operations.acknowledgeReport, 'acknowledge'),
  );

  route(router, ctx, operations.reportByReceipt, async ({ principal, params, body }) =>
    reportByReceipt(ctx, principal, params.runId, params.reportId, body.receipt),
  );

  route(router, ctx, operations.stop, async ({ req, principal, params, body }) => {
    const actor = actorOf(principal);
    return recorded(
      ctx,
      principal,
      { runId: params.runId, action: 'stop', actor: actor.id },
      () =>
        ctx.runs.update(params.runId, stopLineUpdate, { ...body, actor }, idempotent(req, principal, operations.stop)),
      { kind: 'stop' },
    );
  });

  route(router, ctx, operations.rollback, async ({ req, principal, params, body }) => {
    const actor = actorOf(principal);
    return recorded(
      ctx,
      principal,
      { runId: params.runId, action: 'rollback', actor: actor.id },
      () =>
        ctx.runs.update(
          params.runId,
          requestRollbackUpdate,
          { ...body, actor },
          idempotent(req, principal, operations.rollback),
        ),
      { kind: 'rollback' },
    );
  });
}

export function registerMessageRoutes(router: Router, ctx: ServerContext): void {
  registerStepRoutes(router, ctx);
  registerRedButtonRoutes(router, ctx);
}

/** An anonymous reporter's refusal names nobody: "ann is not involved" reads "you are not involved". */
function asYou(message: string, personId: string): string {
  return message.replace(`${personId} is `, 'you are ').replace(personId, 'you');
}
