import type { ActionCall, Analysis } from './schemas/runbook';

/**
 * A hypercare analysis is measured by the catalog's metrics-check action, one measurement per
 * call; the workflow counts the consecutive failures. Pure and free of zod: the workflow bundle, the
 * loader and the start check share it, so the call that runs is the call that was validated.
 */
export function analysisCall(a: Analysis): ActionCall {
  return {
    action: 'metrics-check',
    params: {
      prometheusUrl: a.prometheusUrl,
      failOnBreach: false,
      checks: [
        {
          name: a.id,
          query: a.query,
          onEmpty: a.onEmpty,
          ...(a.max !== undefined ? { max: a.max } : {}),
          ...(a.min !== undefined ? { min: a.min } : {}),
        },
      ],
    },
    timeout: a.timeout,
    // A flaky scrape or query is retried once; still failing, it is a failed measurement.
    retry: { maximumAttempts: 2, initialInterval: '1s', backoffCoefficient: 2 },
  };
}
