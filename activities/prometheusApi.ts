import { z } from 'zod';
import type { ActivityDeps } from './deps';
import { permanent } from './errors';
import { httpCall, parseJsonBody, requireStatus } from './http';

/**
 * The Prometheus HTTP API as the monitoring actions read it: `/api/v1/rules`, `/api/v1/targets`
 * and instant queries. Every answer is parsed with zod; an answer of another shape is a
 * permanent failure naming the URL (it is not a Prometheus).
 */
export interface PrometheusEndpoint {
  prometheusUrl: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

const envelope = z.object({ status: z.literal('success'), data: z.unknown() });
const errorEnvelope = z.object({ status: z.literal('error'), error: z.string() });

const rulesData = z.object({
  groups: z.array(
    z.object({
      name: z.string(),
      file: z.string().optional(),
      rules: z.array(
        z.object({
          name: z.string(),
          type: z.string(),
          health: z.string().optional(),
          lastError: z.string().optional(),
        }),
      ),
    }),
  ),
});
const targetsData = z.object({
  activeTargets: z.array(
    z.object({
      labels: z.record(z.string(), z.string()),
      health: z.string(),
      lastScrape: z.string().optional(),
      lastError: z.string().optional(),
    }),
  ),
});
const sampleValue = z.tuple([z.number(), z.string()]);
const queryData = z.discriminatedUnion('resultType', [
  z.object({
    resultType: z.literal('vector'),
    result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: sampleValue })),
  }),
  z.object({ resultType: z.literal('scalar'), result: sampleValue }),
  z.object({ resultType: z.literal('matrix'), result: z.array(z.unknown()) }),
  z.object({ resultType: z.literal('string'), result: z.unknown() }),
]);

export type LoadedRule = z.infer<typeof rulesData>['groups'][number]['rules'][number];
export type Target = z.infer<typeof targetsData>['activeTargets'][number];

function apiUrl(p: PrometheusEndpoint, path: string): string {
  return `${p.prometheusUrl.replace(/\/$/, '')}${path}`;
}

async function call<S extends z.ZodType>(
  p: PrometheusEndpoint,
  path: string,
  schema: S,
  deps: ActivityDeps,
  body?: string,
): Promise<z.output<S>> {
  const url = apiUrl(p, path);
  const res = await httpCall(
    body === undefined
      ? { url, headers: p.headers, timeoutMs: p.timeoutMs }
      : {
          url,
          method: 'POST',
          headers: { ...p.headers, 'content-type': 'application/x-www-form-urlencoded' },
          body,
          timeoutMs: p.timeoutMs,
        },
    deps,
  );
  const json = parseJsonBody(res);
  const refused = errorEnvelope.safeParse(json);
  // A 400 with Prometheus's own error (a bad query) is the runbook's to fix, not a flake.
  if (refused.success)
    permanent('UnexpectedStatus', `${path.split('?')[0]}: Prometheus answered: ${refused.data.error}`, {
      status: res.status,
    });
  requireStatus(res, undefined, `${body === undefined ? 'GET' : 'POST'} ${url}`);
  const parsed = envelope.safeParse(json);
  const data = parsed.success ? schema.safeParse(parsed.data.data) : undefined;
  if (!data?.success)
    return permanent('UnexpectedStatus', `${url} did not answer like the Prometheus HTTP API (status ${res.status})`, {
      status: res.status,
    });
  return data.data;
}

export async function loadedRules(p: PrometheusEndpoint, deps: ActivityDeps): Promise<LoadedRule[]> {
  return (await call(p, '/api/v1/rules?type=alert', rulesData, deps)).groups.flatMap((g) => g.rules);
}

export async function activeTargets(p: PrometheusEndpoint, deps: ActivityDeps): Promise<Target[]> {
  return (await call(p, '/api/v1/targets?state=active', targetsData, deps)).activeTargets;
}

/** An instant query: one number per series (NaN kept as NaN), or one for a scalar. */
export async function instantQuery(p: PrometheusEndpoint, query: string, deps: ActivityDeps): Promise<number[]> {
  const data = await call(p, '/api/v1/query', queryData, deps, new URLSearchParams({ query }).toString());
  if (data.resultType === 'scalar') return [sampleNumber(data.result[1])];
  if (data.resultType === 'vector') return data.result.map((s) => sampleNumber(s.value[1]));
  return permanent(
    'InvalidParams',
    `query "${query}" returns a ${data.resultType}; a check needs a number or an instant vector`,
  );
}

/** Prometheus writes infinities as "+Inf" / "-Inf", which Number() does not read. */
function sampleNumber(text: string): number {
  return text === '+Inf' ? Infinity : text === '-Inf' ? -Infinity : Number(text);
}
