import type { RunStateView } from '../../workflows/definitions';
import type { Principal } from '../auth/authenticator';
import { listRunsQuerySchema, type RedButtonQuery } from './api';
import type { ServerContext } from './deps';
import { redButtonFigures, type RedButtonFigures } from './redButtonFigures';
import { personOf } from './runAccess';

/**
 * Gathers the runs a person may read (the run list's own filter: the policy's read rule as
 * search attributes) and computes the Red Button figures over them. Bounded: the newest
 * MAX_RUNS runs, their states read a few at a time (closed runs' states are cached).
 */

const MAX_RUNS = 500;
const PAGE = 100;
const AT_ONCE = 8;
/**
 * An open run whose worker is away answers its query only after the state read's own deadline
 * (20 s): the view waits a few seconds per run and 15 s in all, and leaves out what did not
 * answer by then, so one stuck run (or a hundred) cannot hold the page for minutes.
 */
const READ_WAIT_MS = 3_000;
const VIEW_BUDGET_MS = 15_000;

/**
 * Runs that did not answer in time are skipped for five minutes: a worker that is away stays away
 * for a while, and every view would otherwise wait for the same runs again.
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
    const page = await ctx.runs.list(query, personOf(principal));
    ids.push(...page.runs.map((r) => r.runId));
    pageToken = page.nextPageToken;
  } while (pageToken && ids.length < MAX_RUNS);
  return ids;
}

export async function redButtonView(
  ctx: ServerContext,
  principal: Principal,
  filter: RedButtonQuery,
): Promise<RedButtonFigures> {
  const runbooks = filter.runbook === undefined ? [undefined] : [filter.runbook].flat();
  const ids = [...new Set((await Promise.all(runbooks.map((rb) => runIds(ctx, principal, filter.system, rb)))).flat())];
  const runs: { runId: string; state: RunStateView }[] = [];
  const budgetEnds = Date.now() + VIEW_BUDGET_MS;
  const readable = ids.slice(0, MAX_RUNS).filter((runId) => !skipped(runId, Date.now()));
  for (let i = 0; i < readable.length && Date.now() < budgetEnds; i += AT_ONCE) {
    const batch = readable.slice(i, i + AT_ONCE);
    const states = await Promise.all(
      batch.map((runId) =>
        within(
          READ_WAIT_MS,
          ctx.runs.state(runId).catch(() => undefined),
        ),
      ),
    );
    batch.forEach((runId, j) => {
      const state = states[j];
      if (state) runs.push({ runId, state });
      else unanswered.set(runId, Date.now() + SKIP_UNANSWERED_MS);
    });
  }
  return redButtonFigures(runs, new Date());
}
