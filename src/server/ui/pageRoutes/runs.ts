import { START_RUN_ROLES } from '../../../auth/roles';
import { listRunsQuerySchema } from '../../api';
import { humanErrors } from '../../errors';
import { personOf } from '../../runAccess';
import { html } from '../html';
import { directoryNames } from '../names';
import { badFiltersNotice, filledIn, filterProblems } from '../layout';
import { runView, withTimeout, type PageKit } from '../pageKit';
import type { ServerContext } from '../../deps';
import { liveRegion, runPage } from '../runPage';
import { runbookOfRun, startableRunbooks } from '../runbookInfo';
import { filtersForm, runsTable, startForm, type RunRow } from '../runsPage';
import type { Runbook } from '../../../contract/schemas/runbook';
import { isEndedInTemporalStatus, isUnsuccessfulStatus } from '../../../contract/runStatus';
import { memoReasonIsWhole } from '../../../contract/failureWords';

/** The runs list (with the start form), one run's page, and the live part of it app.mjs polls. */

const STATE_TIMEOUT_MS = 3000;

/**
 * Each row's role titles, for its Waits for column: from the runbook the run pinned (as the run
 * page reads them); a run not read in time from its runbook's current file (titles, never authority).
 */
async function withRoleTitles(ctx: ServerContext, rows: RunRow[]): Promise<RunRow[]> {
  const loaded = new Map<string, Promise<Runbook | undefined>>();
  const once = (key: string, load: () => Promise<Runbook | undefined>) => {
    if (!loaded.has(key))
      loaded.set(
        key,
        load().catch(() => undefined),
      );
    return loaded.get(key)!;
  };
  return Promise.all(
    rows.map(async (row) => {
      const { state, summary } = row;
      const runbook = state
        ? await once(`${state.runbook.id}@${state.runbook.sha256}`, () => runbookOfRun(ctx, state))
        : summary.runbook &&
          (await once(summary.runbook, async () => (await ctx.deps.runbooks.get(summary.runbook!)).runbook));
      return runbook ? { ...row, roleTitles: new Map(runbook.roles.map((r) => [r.id, r.title])) } : row;
    }),
  );
}

/** Display names of the people the rows say they wait for (the directory's; ids stay the reference). */
function peopleNames(ctx: ServerContext, rows: RunRow[]): Promise<Map<string, string>> {
  const ids = rows.flatMap((r) => (r.state?.steps ?? []).flatMap((s) => (s.mayDecide ?? []).flatMap((m) => m.people)));
  return directoryNames(ctx, ids);
}

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
    ).then((listed) => withRoleTitles(ctx, listed));
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
        <section aria-label="Runs">${filtersForm(query)}${runsTable(rows, nextPageToken, filterQuery, await peopleNames(ctx, rows))}</section>
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
