import { checkActionCall } from './actions';
import type { Issue, IssuePath } from './issues';
import type { ActionCall, TargetWatch } from './schema';

/**
 * The hypercare watch reads the target with the catalog's target-snapshot action, one reading
 * per call; the workflow compares readings with the baseline. Pure: the workflow bundle, the
 * loader and the start check share it, so the call that runs is the call that was validated.
 */
export function watchCall(w: TargetWatch): ActionCall {
  return {
    action: 'target-snapshot',
    params: { probes: w.probes.map((p) => ({ id: p.id, url: p.url, select: p.select })) },
    timeout: w.timeout,
    retry: { maximumAttempts: 2, initialInterval: '1s', backoffCoefficient: 2 },
  };
}

/** The watch's target-snapshot params against the action's schema, issues at the watch's own fields. */
export function checkWatch(w: TargetWatch, path: IssuePath): Issue[] {
  return checkActionCall(watchCall(w), path).map((issue) => {
    // params.probes.2.url → probes.2.url
    const rest = issue.path.slice(path.length);
    return { ...issue, path: [...path, ...(rest[0] === 'params' ? rest.slice(1) : rest)] };
  });
}

export function fillWatch(w: TargetWatch, fill: (s: string) => string): TargetWatch {
  return { ...w, probes: w.probes.map((p) => ({ ...p, url: fill(p.url), select: p.select.map(fill) })) };
}
