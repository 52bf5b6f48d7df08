import type { RunStateView } from '../../contract/definitions';
import type { LoadedRunbook } from '../../runbook/load';
import { resolveDependencies } from '../../runbook/plan';
import type { Runbook, Step } from '../../contract/schemas/runbook';
import type { ServerContext } from '../deps';

/**
 * The runbook behind a run, for what the run's state does not carry (evidence item descriptions,
 * role titles). Never for authority: the run's view carries that, and policy.ts answers it.
 * Only used when the file still has the exact content the run pinned.
 */
export async function runbookOfRun(ctx: ServerContext, state: RunStateView): Promise<Runbook | undefined> {
  try {
    const loaded = await ctx.deps.runbooks.get(state.runbook.id, state.runbook.version);
    return loaded.ref.sha256 === state.runbook.sha256 ? loaded.runbook : undefined;
  } catch {
    return undefined;
  }
}

export function stepsById(runbook: Runbook | undefined): Map<string, Step> {
  return new Map((runbook ? resolveDependencies(runbook) : []).map((r) => [r.step.id, r.step] as const));
}

/** The valid runbooks a run can be started from, fully loaded (roles, parameters, modes). */
export async function startableRunbooks(ctx: ServerContext): Promise<LoadedRunbook[]> {
  const listing = await ctx.deps.runbooks.list();
  const loaded = await Promise.all(
    listing.filter((l) => l.valid).map((l) => ctx.deps.runbooks.loadFile(l.file).catch(() => undefined)),
  );
  return loaded.filter((l): l is LoadedRunbook => l !== undefined);
}
