import type { ActionCall, TargetWatch } from './schemas/runbook';

/**
 * The hypercare watch reads the target with the catalog's target-snapshot action, one reading
 * per call; the workflow compares readings with the baseline. Pure and free of zod: the workflow
 * bundle, the loader and the start check share it, so the call that runs is the call that was validated.
 */
export function watchCall(w: TargetWatch): ActionCall {
  return {
    action: 'target-snapshot',
    params: { probes: w.probes.map((p) => ({ id: p.id, url: p.url, select: p.select })) },
    timeout: w.timeout,
    retry: { maximumAttempts: 2, initialInterval: '1s', backoffCoefficient: 2 },
  };
}
