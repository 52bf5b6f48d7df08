import { actionIndex, isActionName, withTransportDefaults } from './actionIndex';
import type { ActionCall, ActionStep } from './schemas/runbook';

/**
 * How a completed action step is undone: the runbook's `compensate`, else the catalog's default
 * undo for that action (e.g. access-apply → access-revoke). Pure: the workflow calls it to build
 * its compensation stack, and the dossier to describe the rollback procedure.
 */
export function compensationFor(step: ActionStep): ActionCall | undefined {
  if (step.compensate) return step.compensate;
  if (!isActionName(step.action)) return undefined;
  const spec = actionIndex[step.action];
  if (!('compensation' in spec)) return undefined;
  // The params were checked against the action's schema at load and start; only its defaults are missing.
  const undo = (spec.compensation as (p: unknown) => { action: string; params: Record<string, unknown> } | null)(
    withTransportDefaults(step.params),
  );
  if (!undo) return undefined;
  return { action: undo.action, params: undo.params, timeout: step.timeout, retry: step.retry };
}
