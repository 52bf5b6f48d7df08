import type { Router } from 'express';
import { ScheduleNotFoundError } from '@temporalio/client';
import { operations } from '../api';
import type { ServerContext } from '../deps';
import { readableReview, recordReview, reviewsOfRun } from '../oversightReviews';
import { route } from '../route';
import { assertMayReadView } from '../runAccess';
import { actorOf } from './runs';

/**
 * Scheduled oversight: a run's schedules and reviews (for whoever may read the run), one review,
 * and recording a review (the review workflow's validator asks the policy who may).
 */

export function registerOversightRoutes(router: Router, ctx: ServerContext): void {
  route(router, ctx, operations.runOversight, async ({ principal, params }) => {
    const run = await ctx.runs.state(params.runId);
    assertMayReadView(params.runId, run, principal);
    const oversight = run.oversight;
    if (!oversight) return { runId: params.runId, collaborationMode: run.collaborationMode, state: 'none', schedules: [], reviews: [] };
    const schedules = await Promise.all(
      oversight.schedules.map(async (s) => {
        try {
          const d = await ctx.deps.client.schedule.getHandle(s.scheduleId).describe();
          return { ...s, exists: true, paused: d.state.paused, note: d.state.note ?? null, nextReviews: d.info.nextActionTimes.slice(0, 3).map((t) => t.toISOString()) };
        } catch (err) {
          if (err instanceof ScheduleNotFoundError) return { ...s, exists: false, paused: false, note: null, nextReviews: [] };
          throw err;
        }
      }),
    );
    const reviews = await reviewsOfRun(ctx.deps.client, params.runId, oversight.schedules.map((s) => s.dutyId));
    return { runId: params.runId, collaborationMode: run.collaborationMode, state: oversight.state, ...(oversight.note ? { note: oversight.note } : {}), schedules, reviews };
  });

  route(router, ctx, operations.getReview, async ({ principal, params }) => (await readableReview(ctx, params.reviewId, principal)).review);

  route(router, ctx, operations.recordReview, async ({ principal, params, body }) => {
    const actor = actorOf(principal);
    return recordReview(ctx, params.reviewId, body, principal, actor);
  });
}
