import type { Principal } from '../../../auth/authenticator';
import { listRunsQuerySchema } from '../../api';
import type { ServerContext } from '../../deps';
import { personOf } from '../../runAccess';
import { runView, withTimeout, type PageKit } from '../pageKit';
import { approvalsList, approvalsPage, workItems } from '../pages';
import type { RunView } from '../runPage';

/** The person's work: approvals and evidence waiting for them, and the list app.mjs polls. */

const STATE_TIMEOUT_MS = 3000;
const APPROVALS_SCAN = 50;

export function registerApprovalsPages({ ctx, pageRoute, render, send }: PageKit): void {
  pageRoute('/approvals', async (_req, res, principal) => {
    render(res, principal, 'My approvals', approvalsPage(workItems(await myWork(ctx, principal))), 'approvals');
  });

  pageRoute(
    '/approvals/live',
    async (_req, res, principal) => {
      send(res, 200, approvalsList(workItems(await myWork(ctx, principal))).value);
    },
    true,
  );
}

/** Runs waiting for my roles, and runs in hypercare (their open reports may be mine to resolve). */
async function myWork(ctx: ServerContext, principal: Principal): Promise<RunView[]> {
  const lists = await Promise.all([
    ctx.runs.list(listRunsQuerySchema.parse({ waitingFor: 'me', pageSize: APPROVALS_SCAN }), personOf(principal)),
    ctx.runs.list(listRunsQuerySchema.parse({ state: 'hypercare', pageSize: APPROVALS_SCAN }), personOf(principal)),
  ]);
  const runs = [...new Map(lists.flatMap((l) => l.runs).map((r) => [r.runId, r] as const)).values()];
  const views = await Promise.all(runs.map((r) => withTimeout(runView(ctx, r.runId, principal), STATE_TIMEOUT_MS)));
  return views.filter((v): v is RunView => v !== undefined);
}
