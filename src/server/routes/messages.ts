import { randomBytes } from 'node:crypto';
import type { Router } from 'express';
import {
  approveStepUpdate,
  rejectStepUpdate,
  reportErrorUpdate,
  requestRollbackUpdate,
  REFUSAL_TYPES,
  resolveReportUpdate,
  stopLineUpdate,
  submitEvidenceUpdate,
  type RunStateView,
} from '../../../workflows/definitions';
import { sha256Hex } from '../../auth/secrets';
import { operations } from '../api';
import { idempotent } from '../idempotency';
import { checkDecision, checkEvidence, checkRunMember, checkRunOpen, type RefusalReason } from '../checks';
import type { ServerContext } from '../deps';
import { route } from '../route';
import { Refusal } from '../temporalRuns';
import { actorOf } from './runs';

/**
 * Decisions, evidence and the Red Button: each checks the run's state first (defence in depth),
 * then sends the Update with the verified actor. Every refusal, ours or the workflow's, is
 * logged with who, what and why before the caller hears about it.
 */

interface Attempt {
  runId: string;
  action: string;
  actor: string;
  stepId?: string;
  reportId?: string;
}

async function guarded<T>(ctx: ServerContext, attempt: Attempt, check: (state: RunStateView) => RefusalReason | undefined, perform: () => Promise<T>): Promise<T> {
  const record = async (refusal: Refusal): Promise<never> => {
    ctx.metrics.refusals.inc({ action: attempt.action, type: refusal.type });
    ctx.log.warn('refused', { ...attempt, type: refusal.type, reason: refusal.message, by: refusal.by });
    await ctx.refusals.append({ ...attempt, at: new Date().toISOString(), type: refusal.type, status: refusal.status, reason: refusal.message, by: refusal.by });
    throw refusal;
  };
  const refused = check(await ctx.runs.state(attempt.runId));
  if (refused) return record(new Refusal(refused.type, refused.reason, 'server'));
  try {
    return await perform();
  } catch (err) {
    if (err instanceof Refusal) return record(err);
    throw err;
  }
}

/**
 * The workflow refuses a bad evidence value in one sentence (`value.url for "x" (document): must
 * be an http(s) link`); the field it names becomes an issue, so forms can show it at the field.
 */
export function withValueIssue(err: unknown): unknown {
  if (!(err instanceof Refusal) || err.type !== REFUSAL_TYPES.invalid || err.extra.issues) return err;
  const m = /^(value(?:\.[\w.]+)?) for "[^"]*" \([a-z]+\): (.+)$/s.exec(err.message);
  if (!m?.[1] || !m[2]) return err;
  return new Refusal(err.type, err.message, err.by, [{ path: m[1], message: m[2] }]);
}

export function registerMessageRoutes(router: Router, ctx: ServerContext): void {
  route(router, ctx, operations.decide, async ({ req, principal, params, body }) => {
    const actor = actorOf(principal);
    const attempt = { runId: params.runId, action: `decide:${body.decision}`, actor: actor.id, stepId: params.stepId };
    const { decision, ...rest } = body;
    const step = await guarded(
      ctx,
      attempt,
      (state) => checkDecision(state, params.stepId, actor.id),
      () =>
        decision === 'approve'
          ? ctx.runs.update(params.runId, approveStepUpdate, { ...rest, actor, stepId: params.stepId }, idempotent(req, principal))
          : ctx.runs.update(params.runId, rejectStepUpdate, { ...rest, comment: body.comment ?? '', actor, stepId: params.stepId }, idempotent(req, principal)),
    );
    ctx.metrics.decisions.inc({ decision });
    return { step };
  });

  route(router, ctx, operations.submitEvidence, async ({ req, principal, params, body }) => {
    const actor = actorOf(principal);
    const step = await guarded(
      ctx,
      { runId: params.runId, action: 'submitEvidence', actor: actor.id, stepId: params.stepId },
      (state) => checkEvidence(state, params.stepId, actor.id, body.itemId),
      () => ctx.runs.update(params.runId, submitEvidenceUpdate, { ...body, actor, stepId: params.stepId }, idempotent(req, principal)),
    ).catch((err: unknown) => {
      throw withValueIssue(err);
    });
    return { step };
  });

  route(router, ctx, operations.report, async ({ principal, params, body }) => {
    // Anonymous reporters are authenticated (no spam from outside) but kept out of the record;
    // the receipt lets them prove later that the report was theirs, without naming them.
    const receipt = body.anonymous ? randomBytes(18).toString('base64url') : undefined;
    const actor = body.anonymous ? undefined : actorOf(principal);
    const report = await guarded(
      ctx,
      { runId: params.runId, action: 'report', actor: actor?.id ?? 'anonymous' },
      checkRunOpen,
      () =>
        ctx.runs.update(params.runId, reportErrorUpdate, {
          ...body,
          ...(actor ? { actor } : {}),
          ...(receipt ? { receiptHash: sha256Hex(receipt) } : {}),
        }),
    );
    ctx.metrics.reports.inc({ severity: body.severity });
    return { report, ...(receipt ? { receipt } : {}) };
  });

  route(router, ctx, operations.resolveReport, async ({ req, principal, params, body }) => {
    const actor = actorOf(principal);
    const report = await guarded(
      ctx,
      { runId: params.runId, action: 'resolveReport', actor: actor.id, reportId: params.reportId },
      (state) => checkRunMember(state, actor.id, 'resolve reports'),
      () => ctx.runs.update(params.runId, resolveReportUpdate, { ...body, actor, reportId: params.reportId }, idempotent(req, principal)),
    );
    return { report };
  });

  // Stopping the line and asking for a rollback differ only in the Update and its wording.
  const lineActions = [
    { op: operations.stop, update: stopLineUpdate, action: 'stop', what: 'stop the line' },
    { op: operations.rollback, update: requestRollbackUpdate, action: 'rollback', what: 'ask for a rollback' },
  ] as const;
  for (const { op, update, action, what } of lineActions) {
    route(router, ctx, op, async ({ req, principal, params, body }) => {
      const actor = actorOf(principal);
      return guarded(
        ctx,
        { runId: params.runId, action, actor: actor.id },
        (state) => checkRunMember(state, actor.id, what),
        () => ctx.runs.update(params.runId, update, { ...body, actor }, idempotent(req, principal)),
      );
    });
  }
}
