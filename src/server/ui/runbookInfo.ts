import type { RunStateView } from '../../../workflows/definitions';
import type { LoadedRunbook } from '../../runbook/load';
import { resolveDependencies } from '../../runbook/plan';
import type { Runbook, Step } from '../../runbook/schema';
import type { ServerContext } from '../deps';
import { reportResolverRoles, rolesOf } from '../../../workflows/policy';

/**
 * The runbook behind a run, for what the run's state does not carry (evidence item types, who
 * may stop the line). Only used when the file still has the exact content the run pinned.
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

/** Roles that may stop the line in this run (whole run, plus the hypercare step's own list). */
export function stopRoles(runbook: Runbook | undefined): string[] {
  if (!runbook) return [];
  const hypercare = runbook.steps.flatMap((s) => (s.kind === 'hypercare' ? s.stopAuthority : []));
  return [...new Set([...runbook.stopAuthority, ...hypercare])];
}

/** Roles that may resolve Red Button reports (as the workflow's resolution check). */
export function resolveRoles(runbook: Runbook | undefined): string[] {
  return runbook ? reportResolverRoles(runbook) : [];
}

export function rolesInRun(state: RunStateView, personId: string): string[] {
  return rolesOf(personId, state.assignments);
}

/** The valid runbooks a run can be started from, fully loaded (roles, parameters, modes). */
export async function startableRunbooks(ctx: ServerContext): Promise<LoadedRunbook[]> {
  const listing = await ctx.deps.runbooks.list();
  const loaded = await Promise.all(listing.filter((l) => l.valid).map((l) => ctx.deps.runbooks.loadFile(l.file).catch(() => undefined)));
  return loaded.filter((l): l is LoadedRunbook => l !== undefined);
}
