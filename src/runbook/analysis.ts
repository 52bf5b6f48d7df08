import { checkActionCall } from './actions';
import type { Issue, IssuePath } from './issues';
import type { ActionCall, Analysis } from './schema';

/**
 * A hypercare analysis is measured by the catalog's metrics-check action, one measurement per
 * call; the workflow counts the consecutive failures. Pure: the workflow bundle, the loader and
 * the start check share it, so the call that runs is the call that was validated.
 */
export function analysisCall(a: Analysis): ActionCall {
  return {
    action: 'metrics-check',
    params: {
      prometheusUrl: a.prometheusUrl,
      failOnBreach: false,
      checks: [{ name: a.id, query: a.query, onEmpty: a.onEmpty, ...(a.max !== undefined ? { max: a.max } : {}), ...(a.min !== undefined ? { min: a.min } : {}) }],
    },
    timeout: a.timeout,
    // A flaky scrape or query is retried once; still failing, it is a failed measurement.
    retry: { maximumAttempts: 2, initialInterval: '1s', backoffCoefficient: 2 },
  };
}

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
