import { checkActionCall } from './actions';
import { analysisCall } from '../contract/analysisCall';
import type { Issue, IssuePath } from './issues';
import type { Analysis } from '../contract/schemas/runbook';

/** The analysis's metrics-check params against the action's schema, with issues at the analysis's own fields. */
export function checkAnalysis(a: Analysis, path: IssuePath): Issue[] {
  return checkActionCall(analysisCall(a), path).map((issue) => {
    const rest = issue.path.slice(path.length);
    // params.checks.0.query → query; params.prometheusUrl → prometheusUrl
    const field = rest[1] === 'checks' ? rest.slice(3) : rest.slice(1);
    return { ...issue, path: [...path, ...field] };
  });
}

export function fillAnalysis(a: Analysis, fill: (s: string) => string): Analysis {
  return { ...a, prometheusUrl: fill(a.prometheusUrl), query: fill(a.query) };
}
