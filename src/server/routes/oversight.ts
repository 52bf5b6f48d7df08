import type { Router } from 'express';
import { operations } from '../api';
import type { ServerContext } from '../deps';
import { readableReview, recordReview, runOversight } from '../oversightReviews';
import { redButtonHtml } from '../redButtonHtml';
import { redButtonData, redButtonView } from '../redButtonView';
import { reportsCsv } from '../redButtonFigures';
import { route } from '../route';
import { actorOf } from './runs';

/**
 * The Red Button across runs (figures, CSV and the Monitoring HTML export) and scheduled oversight: a run's schedules and reviews (for whoever may read the run), one review,
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

  route(router, ctx, operations.redButtonHtml, async ({ principal, query, res }) => {
    const { figures, runs } = await redButtonData(ctx, principal, query);
    const pairs: [string, string][] = [
      ...(query.system ? [['system', query.system] as [string, string]] : []),
      ...[query.runbook ?? []].flat().map((r): [string, string] => ['runbook', r]),
    ];
    const filter = new URLSearchParams(pairs).toString();
    res.setHeader(
      'Content-Disposition',
      `attachment; filename="red-button-monitoring${query.system ? `-${query.system}` : ''}.html"`,
    );
    res.type('text/html').send(redButtonHtml(figures, runs, filter));
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
