import { checkActionCall } from './actions';
import type { Issue, IssuePath } from './issues';
import type { TargetWatch } from '../contract/schemas/runbook';
import { watchCall } from '../contract/watchCall';

export { watchCall };

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
