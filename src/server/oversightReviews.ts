import { ApplicationFailure } from '@temporalio/common';
import {
  ScheduleNotFoundError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { REFUSAL_TYPES, reportErrorUpdate, type RefusalType, type RunStateView } from '../contract/definitions';
import {
  getReviewQuery,
  OVERSIGHT_REVIEW_WORKFLOW,
  reviewWorkflowIdPrefix,
  submitReviewUpdate,
  type ReviewView,
  type SubmitReviewInput,
} from '../contract/reviewDefinitions';
import type { Principal } from '../auth/authenticator';
import { signed } from '../signing/keyring';
import type { ServerContext } from './deps';
import { HttpError } from './errors';
import { assertMayReadView } from './runAccess';
import { RefusalError } from './temporalRuns';

/**
 * The server's door to scheduled oversight reviews (workflows/review.ts): reading a review or a
 * run's schedules and reviews (for whoever may read the go-live run), and recording a review —
 * signed for the review with the key its run pinned, judged by the review's own validator (the
 * one policy). A finding marked `report` then raises a Red Button report on the go-live run,
 * as the reviewer, through the run's own Update (taken during hypercare, like any report).
 */

const isRefusalType = (t: unknown): t is RefusalType => (Object.values(REFUSAL_TYPES) as unknown[]).includes(t);

export async function reviewView(client: Client, reviewId: string): Promise<ReviewView> {
  try {
    const handle = client.workflow.getHandle(reviewId);
    const d = await handle.describe();
    if (d.type !== OVERSIGHT_REVIEW_WORKFLOW) throw new HttpError(404, `no review with id ${reviewId}`);
    return d.status.name === 'COMPLETED' ? ((await handle.result()) as ReviewView) : await handle.query(getReviewQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new HttpError(404, `no review with id ${reviewId}`);
    throw err;
  }
}

/** A review, for people who may read its go-live run (404 for anyone else, like a run). */
export async function readableReview(
  ctx: ServerContext,
  reviewId: string,
  principal: Principal,
): Promise<{ review: ReviewView; run: RunStateView }> {
  const review = await reviewView(ctx.deps.client, reviewId);
  const run = await ctx.runs.state(review.parentRunId);
  try {
    assertMayReadView(review.parentRunId, run, principal);
  } catch {
    throw new HttpError(404, `no review with id ${reviewId}`);
  }
  return { review, run };
}

/** Every review the run's schedules started, newest first (visibility is eventually consistent). */
export async function reviewsOfRun(client: Client, runId: string, dutyIds: readonly string[]): Promise<ReviewView[]> {
  const ids: string[] = [];
  for (const dutyId of dutyIds) {
    const prefix = reviewWorkflowIdPrefix(runId, dutyId);
    for await (const wf of client.workflow.list({
      query: `WorkflowType = '${OVERSIGHT_REVIEW_WORKFLOW}' AND WorkflowId STARTS_WITH '${prefix}-'`,
    }))
      ids.push(wf.workflowId);
  }
  const reviews = await Promise.all(ids.map((id) => reviewView(client, id).catch(() => undefined)));
  return reviews.filter((r): r is ReviewView => r !== undefined).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

export type ReviewBody = Omit<SubmitReviewInput, 'actor' | 'signature'>;

export interface RaisedReport {
  finding: number;
  reportId?: string;
  /** Why no report was raised (the run is past hypercare, or refused it). */
  notRaised?: string;
}

export async function recordReview(
  ctx: ServerContext,
  reviewId: string,
  body: ReviewBody,
  principal: Principal,
  actor: SubmitReviewInput['actor'],
): Promise<{ review: ReviewView; reports: RaisedReport[] }> {
  const { review: before } = await readableReview(ctx, reviewId, principal);
  const key = before.pinnedKeys.length > 0 ? ctx.keyring.keyFor(before.pinnedKeys) : undefined;
  if (before.pinnedKeys.length > 0 && !key)
    throw new HttpError(
      503,
      `review ${reviewId} accepts messages signed with key ${before.pinnedKeys.join(' or ')}, which this web server does not hold`,
    );
  const payload: SubmitReviewInput = { ...body, actor };
  let review: ReviewView;
  try {
    review = await ctx.deps.client.workflow.getHandle(reviewId).executeUpdate(submitReviewUpdate, {
      args: [key ? signed(key, reviewId, submitReviewUpdate.name, payload) : payload],
    });
  } catch (err) {
    if (
      err instanceof WorkflowUpdateFailedError &&
      err.cause instanceof ApplicationFailure &&
      isRefusalType(err.cause.type)
    )
      throw new RefusalError(err.cause.type, err.cause.message, 'workflow');
    if (err instanceof WorkflowNotFoundError)
      throw new RefusalError(REFUSAL_TYPES.runClosed, `review ${reviewId} has ended (recorded or missed)`, 'workflow');
    throw err;
  }
  const reports: RaisedReport[] = [];
  for (const [i, finding] of (review.review?.findings ?? []).entries()) {
    if (!finding.report) continue;
    const description = `Finding of oversight review ${reviewId} (${review.dutyTitle}): ${finding.summary}`;
    try {
      const report = await ctx.runs.update(review.parentRunId, reportErrorUpdate, {
        actor,
        severity: finding.severity,
        description,
      });
      reports.push({ finding: i, reportId: report.id });
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      reports.push({ finding: i, notRaised: err.message });
    }
  }
  return { review, reports };
}

export interface ScheduleView {
  dutyId: string;
  scheduleId: string;
  every: string;
  /** Gone: deleted when the run rolled back, or by an operator. */
  exists: boolean;
  paused: boolean;
  note: string | null;
  nextReviews: string[];
}

export interface RunOversight {
  runId: string;
  system: string;
  collaborationMode: number;
  state: 'none' | 'active' | 'paused' | 'deleted' | 'failed';
  note?: string;
  schedules: ScheduleView[];
  reviews: ReviewView[];
}

async function describeSchedule(
  client: Client,
  s: { dutyId: string; scheduleId: string; every: string },
): Promise<ScheduleView> {
  try {
    const d = await client.schedule.getHandle(s.scheduleId).describe();
    return {
      ...s,
      exists: true,
      paused: d.state.paused,
      note: d.state.note ?? null,
      nextReviews: d.info.nextActionTimes.slice(0, 3).map((t) => t.toISOString()),
    };
  } catch (err) {
    if (err instanceof ScheduleNotFoundError)
      return { ...s, exists: false, paused: false, note: null, nextReviews: [] };
    throw err;
  }
}

/** A run's scheduled oversight as Temporal has it now, for whoever may read the run. */
export async function runOversight(ctx: ServerContext, runId: string, principal: Principal): Promise<RunOversight> {
  const run = await ctx.runs.state(runId);
  assertMayReadView(runId, run, principal);
  const base = { runId, system: run.system, collaborationMode: run.collaborationMode };
  const oversight = run.oversight;
  if (!oversight) return { ...base, state: 'none', schedules: [], reviews: [] };
  const schedules = await Promise.all(oversight.schedules.map((s) => describeSchedule(ctx.deps.client, s)));
  const reviews = await reviewsOfRun(
    ctx.deps.client,
    runId,
    oversight.schedules.map((s) => s.dutyId),
  );
  return { ...base, state: oversight.state, ...(oversight.note ? { note: oversight.note } : {}), schedules, reviews };
}
