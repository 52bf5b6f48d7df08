import { redButtonQuerySchema } from '../../api';
import { humanErrors } from '../../errors';
import { redButtonView } from '../../redButtonView';
import { html } from '../html';
import { badFiltersNotice, filledIn, filterProblems } from '../layout';
import type { PageKit } from '../pageKit';
import { reportsPage } from '../reportsPage';

/** The Red Button view across runs. Bad filters are ignored with a notice, as on /runs. */
export function registerReportsPage({ ctx, pageRoute, render }: PageKit): void {
  pageRoute('/reports', async (req, res, principal) => {
    const parsed = redButtonQuerySchema.safeParse(filledIn(req.query), { error: humanErrors });
    const query = parsed.success ? parsed.data : {};
    const figures = await redButtonView(ctx, principal, query);
    render(
      res,
      principal,
      'Red Button',
      html`${!parsed.success && badFiltersNotice(filterProblems(parsed.error.issues))}${reportsPage(figures, query)}`,
      'reports',
    );
  });
}
