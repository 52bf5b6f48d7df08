import { START_RUN_ROLES } from '../../../auth/roles';
import { listRunsQuerySchema } from '../../api';
import { humanErrors } from '../../errors';
import { personOf } from '../../runAccess';
import { html } from '../html';
import { badFiltersNotice, filledIn, filterProblems } from '../layout';
import { runView, withTimeout, type PageKit } from '../pageKit';
import { liveRegion, runPage } from '../runPage';
import { startableRunbooks } from '../runbookInfo';
import { filtersForm, runsTable, startForm, type RunRow } from '../runsPage';
import { isEndedInTemporalStatus, isUnsuccessfulStatus } from '../../../contract/runStatus';
import { memoReasonIsWhole } from '../../../contract/failureWords';

/** The runs list (with the start form), one run's page, and the live part of it app.mjs polls. */

const STATE_TIMEOUT_MS = 3000;

export function registerRunsPages({ ctx, pageRoute, render, send }: PageKit): void {
  // Bad filters are ignored with a notice: the page still lists runs.
  pageRoute('/runs', async (req, res, principal) => {
    const parsed = listRunsQuerySchema.safeParse(filledIn(req.query), { error: humanErrors });
    const query = parsed.success ? parsed.data : listRunsQuerySchema.parse({});
    const { runs, nextPageToken } = await ctx.runs.list(query, personOf(principal));
    const rows: RunRow[] = await Promise.all(
      runs.map(async (summary) => {
        // Open runs for their current step. A failed run's memo says why (the list has it); its
        // state only when the memo does not have the whole reason (ended states are cached). A run
        // ended in Temporal has no reason of golive's to show: its state says how it ended.
        const shown = summary.state ?? '';
        const whole = summary.failure && memoReasonIsWhole(summary.failure.reason);
        const wanted =
          summary.executionStatus === 'RUNNING' ||
          (isUnsuccessfulStatus(shown) && !whole && !isEndedInTemporalStatus(shown));
        const state = wanted ? await withTimeout(ctx.runs.state(summary.runId), STATE_TIMEOUT_MS) : undefined;
        return { summary, ...(state ? { state } : {}) };
      }),
    );
    const filterQuery = new URLSearchParams(
      Object.entries({
        state: query.state,
        system: query.system,
        runbook: query.runbook,
        waitingFor: query.waitingFor,
      }).filter((e): e is [string, string] => !!e[1]),
    ).toString();
    const mayStart = principal.person.roles.some((r) => START_RUN_ROLES.includes(r));
    render(
      res,
      principal,
      'Runs',
      html`<h1>Go-live runs</h1>
      ${!parsed.success && badFiltersNotice(filterProblems(parsed.error.issues))}
      <div class="columns wide-left">
        <section aria-label="Runs">${filtersForm(query)}${runsTable(rows, nextPageToken, filterQuery)}</section>
        ${mayStart ? startForm(await startableRunbooks(ctx), await ctx.directory.list()) : html`<p class="hint">Release managers and implementation engineers start runs.</p>`}
      </div>`,
      'runs',
    );
  });

  pageRoute('/runs/:runId', async (req, res, principal) => {
    const v = await runView(ctx, req.params.runId, principal);
    render(res, principal, `${v.state.system} run`, runPage(v), 'runs');
  });

  pageRoute(
    '/runs/:runId/live',
    async (req, res, principal) => {
      send(res, 200, liveRegion(await runView(ctx, req.params.runId, principal)).value);
    },
    true,
  );
}
