import { actionCatalog, isActionName } from '../../activities/catalog';
import type { ActionCall, ActionStep } from './schema';

/**
 * How a completed action step is undone: the runbook's `compensate`, else the catalog's default
 * undo for that action (e.g. access-apply → access-revoke). Pure: the workflow calls it to build
 * its compensation stack, and the dossier to describe the rollback procedure.
 */
export function compensationFor(step: ActionStep): ActionCall | undefined {
  if (step.compensate) return step.compensate;
  if (!isActionName(step.action)) return undefined;
  const spec = actionCatalog[step.action];
  if (!('compensation' in spec) || !spec.compensation) return undefined;
  const parsed = spec.params.safeParse(step.params);
  if (!parsed.success) return undefined;
  const undo = (spec.compensation as (p: unknown) => { action: string; params: Record<string, unknown> } | null)(parsed.data);
  if (!undo) return undefined;
  return { action: undo.action, params: undo.params, timeout: step.timeout, retry: step.retry };
}

