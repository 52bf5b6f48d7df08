import { RACI_ROLES } from '../auth/roles';
import type { AppDeps } from './deps';

/**
 * Links into the Temporal Web UI (when one is configured): the workflow, and each run of its
 * continue-as-new chain with its raw event history, which is what the audit trail was read from.
 *
 * Only for operations: the Web UI has no login of its own and offers Cancel and Terminate, so
 * golive does not point anyone else at it (the link is no access control, but nobody is led
 * there by golive).
 */

const TEMPORAL_UI_ROLES: readonly string[] = [RACI_ROLES.operations];

export interface Viewer {
  roles: readonly string[];
}

function mayOpenTemporalUi(viewer: Viewer): boolean {
  return viewer.roles.some((r) => TEMPORAL_UI_ROLES.includes(r));
}

function base(deps: Pick<AppDeps, 'temporalUiUrl' | 'namespace'>, workflowId: string): string | undefined {
  if (!deps.temporalUiUrl) return undefined;
  return `${deps.temporalUiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(deps.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

export function temporalWorkflowUrl(
  deps: Pick<AppDeps, 'temporalUiUrl' | 'namespace'>,
  workflowId: string,
  viewer: Viewer,
): string | undefined {
  return mayOpenTemporalUi(viewer) ? base(deps, workflowId) : undefined;
}

function temporalHistoryUrl(
  deps: Pick<AppDeps, 'temporalUiUrl' | 'namespace'>,
  workflowId: string,
  runId: string,
): string | undefined {
  const workflow = base(deps, workflowId);
  return workflow && `${workflow}/${encodeURIComponent(runId)}/history`;
}

/** The history page of each run of a chain (none without a configured Web UI, none for people outside operations). */
export function temporalHistoryLinks(
  deps: Pick<AppDeps, 'temporalUiUrl' | 'namespace'>,
  workflowId: string,
  runIds: readonly string[],
  viewer: Viewer,
): { runId: string; url: string }[] {
  if (!mayOpenTemporalUi(viewer)) return [];
  return runIds.flatMap((runId) => {
    const url = temporalHistoryUrl(deps, workflowId, runId);
    return url ? [{ runId, url }] : [];
  });
}
