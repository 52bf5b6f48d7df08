import type { AppDeps } from './deps';

/**
 * Links into the Temporal Web UI (when one is configured): the workflow, and each run of its
 * continue-as-new chain with its raw event history, which is what the audit trail was read from.
 */

function base(deps: Pick<AppDeps, 'temporalUiUrl' | 'namespace'>, workflowId: string): string | undefined {
  if (!deps.temporalUiUrl) return undefined;
  return `${deps.temporalUiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(deps.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

export function temporalWorkflowUrl(deps: Pick<AppDeps, 'temporalUiUrl' | 'namespace'>, workflowId: string): string | undefined {
  return base(deps, workflowId);
}

export function temporalHistoryUrl(deps: Pick<AppDeps, 'temporalUiUrl' | 'namespace'>, workflowId: string, runId: string): string | undefined {
  const workflow = base(deps, workflowId);
  return workflow && `${workflow}/${encodeURIComponent(runId)}/history`;
}

/** The history page of each run of a chain (none without a configured Web UI). */
export function temporalHistoryLinks(deps: Pick<AppDeps, 'temporalUiUrl' | 'namespace'>, workflowId: string, runIds: readonly string[]): { runId: string; url: string }[] {
  return runIds.flatMap((runId) => {
    const url = temporalHistoryUrl(deps, workflowId, runId);
    return url ? [{ runId, url }] : [];
  });
}
