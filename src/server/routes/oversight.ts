import type { Router } from 'express';
import { operations } from '../api';
import type { ServerContext } from '../deps';
import { readableReview, recordReview, runOversight } from '../oversightReviews';
import { redButtonView } from '../redButtonView';
import { reportsCsv } from '../redButtonFigures';
import { route } from '../route';
import { actorOf } from './runs';

/**
 * The Red Button across runs (figures and CSV) and scheduled oversight: a run's schedules and reviews (for whoever may read the run), one review,
 * and recording a review (the review workflow's validator asks the policy who may).
 */

export function registerOversightRoutes(router: Router, ctx: ServerContext): void {
  route(router, ctx, operations.redButton, async ({ principal, query }) => redButtonView(ctx, principal, query));

  route(router, ctx, operations.redButtonCsv, async ({ principal, query, res }) => {
    const figures = await redButtonView(ctx, principal, query);
    res.setHeader(
      'Content-Disposition',
      `attachment; filename="red-button-reports${query.system ? `-${query.system}` : ''}.csv"`,
    );
    res.type('text/csv').send(reportsCsv(figures));
    return undefined;
  });

  route(router, ctx, operations.runOversight, async ({ principal, params }) =>
    runOversight(ctx, params.runId, principal),
  );

  route(
    router,
    ctx,
    operations.getReview,
    async ({ principal, params }) => (await readableReview(ctx, params.reviewId, principal)).review,
  );

  route(router, ctx, operations.recordReview, async ({ principal, params, body }) => {
    const actor = actorOf(principal);
    return recordReview(ctx, params.reviewId, body, principal, actor);
  });
}
