import type { ActivityDeps } from './deps';
import { isTransient, parseParams, permanent, transient } from './errors';
import { httpCall, statusMatches } from './http';
import { httpCheckParams, type HttpCheckResult } from '../src/contract/schemas/actions/httpCheck';

type Outcome = HttpCheckResult['endpoints'][number];

/**
 * Checks every endpoint (in parallel) and fails if any is wrong: retryable when one was
 * unreachable (it may come up), permanent when all answered and one answered wrongly.
 */
export function httpCheck(deps: ActivityDeps) {
  return async function httpCheck(input: unknown): Promise<HttpCheckResult> {
    const params = parseParams(httpCheckParams, input);
    let unreachable = false;
    const endpoints = await Promise.all(
      params.endpoints.map(async (e, i): Promise<Outcome> => {
        const base = { name: e.name ?? `endpoint ${i + 1}`, url: e.url };
        try {
          const res = await httpCall(e, deps);
          const problem = !statusMatches(res.status, e.expectStatus)
            ? `status ${res.status}`
            : e.bodyContains !== undefined && !res.body.includes(e.bodyContains)
              ? `status ${res.status}, body lacks ${JSON.stringify(e.bodyContains)}`
              : undefined;
          return {
            ...base,
            ok: problem === undefined,
            status: res.status,
            latencyMs: res.latencyMs,
            ...(problem ? { problem } : {}),
          };
        } catch (error) {
          if (!isTransient(error)) throw error;
          unreachable = true;
          return { ...base, ok: false, problem: error.message };
        }
      }),
    );
    const failed = endpoints.filter((e) => !e.ok);
    if (failed.length === 0) return { endpoints };
    // Name, URL (as written: no resolved secret) and what went wrong: status, never the body.
    const message = `${failed.length} of ${endpoints.length} endpoint(s) failed: ${failed.map((f) => `${f.name} ${f.url} (${f.problem})`).join('; ')}`;
    return unreachable
      ? transient('Unreachable', message, { endpoints })
      : permanent('UnexpectedStatus', message, { endpoints });
  };
}
