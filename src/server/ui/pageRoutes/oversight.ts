import { reviewParamsSchema, runIdSchema } from '../../api';
import { HttpError } from '../../errors';
import { readableReview, runOversight } from '../../oversightReviews';
import { personOf } from '../../runAccess';
import { oversightPage, reviewPage } from '../oversightPage';
import type { PageKit } from '../pageKit';

/** A run's oversight reviews, and one review's page. */
export function registerOversightPages({ ctx, pageRoute, render }: PageKit): void {
  pageRoute('/runs/:runId/oversight', async (req, res, principal) => {
    const runId = runIdSchema.safeParse(req.params.runId);
    if (!runId.success) throw new HttpError(404, 'no such run');
    const o = await runOversight(ctx, runId.data, principal);
    render(res, principal, `Oversight · ${o.system}`, oversightPage(o), 'runs');
  });

  pageRoute('/reviews/:reviewId', async (req, res, principal) => {
    const params = reviewParamsSchema.safeParse(req.params);
    if (!params.success) throw new HttpError(404, 'no such review');
    const { review, run } = await readableReview(ctx, params.data.reviewId, principal);
    render(res, principal, `Review · ${review.system}`, reviewPage(review, run, personOf(principal)), 'runs');
  });
}
