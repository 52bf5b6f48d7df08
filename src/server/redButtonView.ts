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
  for (let i = 0; i < Math.min(ids.length, MAX_RUNS); i += AT_ONCE) {
    const batch = ids.slice(i, i + AT_ONCE);
    const states = await Promise.all(batch.map((runId) => ctx.runs.state(runId).catch(() => undefined)));
    batch.forEach((runId, j) => {
      const state = states[j];
      if (state) runs.push({ runId, state });
    });
  }
  return redButtonFigures(runs, new Date());
}
