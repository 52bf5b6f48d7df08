import { viewTrail } from '../../../audit';
import { historyQuerySchema, runIdSchema } from '../../api';
import { HttpError, humanErrors } from '../../errors';
import { trailFilter } from '../../routes/audit';
import { temporalHistoryLinks } from '../../temporalUi';
import { auditPage } from '../auditPage';
import { filledIn, filterProblems } from '../layout';
import type { PageKit } from '../pageKit';

/** A run's audit trail. Same readers as the API (RunAudit checks); bad filters are ignored with a notice, as on /runs. */
export function registerAuditPage({ ctx, pageRoute, render }: PageKit): void {
  pageRoute('/runs/:runId/audit', async (req, res, principal) => {
    const runId = runIdSchema.safeParse(req.params.runId);
    if (!runId.success) throw new HttpError(404, 'no such run');
    const parsed = historyQuerySchema.safeParse(filledIn(req.query), { error: humanErrors });
    const query = parsed.success ? parsed.data : {};
    const trail = await ctx.audit.trail(runId.data, principal);
    const view = {
      runId: runId.data,
      trail: viewTrail(trail, trailFilter(query)),
      query,
      badFilters: parsed.success ? [] : filterProblems(parsed.error.issues),
      temporalUi: temporalHistoryLinks(ctx.deps, trail.workflowId, trail.runIds, principal.person),
      all: trail.entries,
    };
    render(res, principal, `Audit trail · ${trail.input.system}`, auditPage(view), 'runs');
  });
}
