import type { RunStateView } from '../contract/definitions';
import type { Principal } from '../auth/authenticator';
import { listRunsQuerySchema, type RedButtonQuery } from './api';
import type { ServerContext } from './deps';
import { redButtonFigures, type RedButtonFigures } from './redButtonFigures';
import { personOf } from './runAccess';

/**
 * Gathers the runs a person may read (the run list's own filter: the policy's read rule as
 * search attributes) that went live — only they can hold reports (`GoLiveReachedHypercare`) —
 * and computes the Red Button figures over them. Bounded: the newest MAX_RUNS runs, their
 * states read a few at a time (closed runs' states are cached); a run that could not be read
 * is counted as `unread`, never silently left out.
 */

const MAX_RUNS = 500;
const PAGE = 100;
const AT_ONCE = 8;
/**
 * An open run whose worker is away answers its query only after the state read's own deadline
 * (20 s): the view waits a few seconds per run and 15 s in all, and leaves out what did not
 * answer by then (counted as unread), so one stuck run (or a hundred) cannot hold the page for minutes.
 */
const READ_WAIT_MS = 3_000;
const VIEW_BUDGET_MS = 15_000;

/**
 * Runs that did not answer in time are not asked again for five minutes (still counted as unread):
 * a worker that is away stays away for a while, and every view would otherwise wait for them again.
 */
const SKIP_UNANSWERED_MS = 300_000;
const unanswered = new Map<string, number>();

function skipped(runId: string, now: number): boolean {
  const until = unanswered.get(runId);
  if (until === undefined) return false;
  if (until > now) return true;
  unanswered.delete(runId);
  return false;
}

function within<T>(ms: number, p: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

async function runIds(
  ctx: ServerContext,
  principal: Principal,
  system: string | undefined,
  runbook: string | undefined,
): Promise<string[]> {
  const ids: string[] = [];
  let pageToken: string | undefined;
  do {
    const query = listRunsQuerySchema.parse({
      pageSize: PAGE,
      ...(system ? { system } : {}),
      ...(runbook ? { runbook } : {}),
      ...(pageToken ? { pageToken } : {}),
    });
    const page = await ctx.runs.list({ ...query, wentLive: true }, personOf(principal));
    ids.push(...page.runs.map((r) => r.runId));
    pageToken = page.nextPageToken;
  } while (pageToken && ids.length < MAX_RUNS);
  return ids;
}

/** The runs' states, a few at a time within the budget; what was not read is counted, not hidden. */
async function readRuns(ids: readonly string[], read: (runId: string) => Promise<RunStateView>) {
  const runs: { runId: string; state: RunStateView }[] = [];
  const budgetEnds = Date.now() + VIEW_BUDGET_MS;
  const readable = ids.filter((runId) => !skipped(runId, Date.now()));
  for (let i = 0; i < readable.length && Date.now() < budgetEnds; i += AT_ONCE) {
    const batch = readable.slice(i, i + AT_ONCE);
    const states = await Promise.all(
      batch.map((runId) =>
        within(
          READ_WAIT_MS,
          read(runId).catch(() => undefined),
        ),
      ),
    );
    batch.forEach((runId, j) => {
      const state = states[j];
      if (state) runs.push({ runId, state });
      else unanswered.set(runId, Date.now() + SKIP_UNANSWERED_MS);
    });
  }
  return { runs, unread: ids.length - runs.length };
}

/** Display names of the people the figures name (reporters, responders); ids stay the reference. */
async function namesOf(ctx: ServerContext, runs: readonly { state: RunStateView }[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const ids = new Set<string>();
  for (const { state } of runs)
    for (const r of state.reports) {
      if (r.reporter !== 'anonymous') ids.add(r.reporter);
      const by = r.resolution?.by;
      if (by?.name) names.set(by.id, by.name);
      else if (by) ids.add(by.id);
    }
  const people = await ctx.directory.getMany([...ids].filter((id) => !names.has(id))).catch(() => new Map());
  for (const [id, person] of people) names.set(id, (person as { name: string }).name);
  return names;
}

/** The figures and the runs they were computed from (the HTML export shows the runs' feedback channels). */
export async function redButtonData(
  ctx: ServerContext,
  principal: Principal,
  filter: RedButtonQuery,
): Promise<{ figures: RedButtonFigures; runs: { runId: string; state: RunStateView }[] }> {
  const runbooks = filter.runbook === undefined ? [undefined] : [filter.runbook].flat();
  const ids = [...new Set((await Promise.all(runbooks.map((rb) => runIds(ctx, principal, filter.system, rb)))).flat())];
  const { runs, unread } = await readRuns(ids.slice(0, MAX_RUNS), (runId) => ctx.runs.state(runId));
  return { figures: redButtonFigures(runs, new Date(), { unread, names: await namesOf(ctx, runs) }), runs };
}

export async function redButtonView(
  ctx: ServerContext,
  principal: Principal,
  filter: RedButtonQuery,
): Promise<RedButtonFigures> {
  return (await redButtonData(ctx, principal, filter)).figures;
}
