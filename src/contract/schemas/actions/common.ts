import { z } from 'zod';

/**
 * Building blocks shared by the action schemas. Pure zod: the runbook validator and the
 * workflow bundle import these, so no Node built-ins (and no `URL`) here.
 */

/**
 * http(s) URL, possibly with `${secrets.NAME}` placeholders resolved at call time. The scheme is
 * case-insensitive (RFC 3986): `HTTPS://` is one, and every consumer reads it through `URL`.
 */
export const httpUrl = z.string().regex(/^https?:\/\/\S+$/i, 'must be an http(s) URL');

export const headers = z.record(z.string(), z.string()).default({});

export const timeoutMs = z.number().int().positive().max(600_000).default(5_000);

/** One status or a list; absent means any 2xx. */
export const expectStatus = z.union([
  z.number().int().min(100).max(599),
  z.array(z.number().int().min(100).max(599)).min(1),
]);

export const httpMethod = z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** A request the action makes on the runbook's behalf (a hook, a probe target). */
export const httpRequest = z.object({
  url: httpUrl,
  method: httpMethod.default('POST'),
  headers,
  body: z.unknown().optional(),
  timeoutMs,
  expectStatus: expectStatus.optional(),
});
export type HttpRequest = z.infer<typeof httpRequest>;

/** Poll a JSON endpoint until every listed (dot-path) field has the given value. */
export const pollSpec = z.object({
  url: httpUrl,
  headers,
  until: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .refine((u) => Object.keys(u).length > 0, 'needs at least one field'),
  intervalMs: z.number().int().min(50).max(60_000).default(1_000),
  timeoutSeconds: z.number().positive().max(3_600).default(60),
});
export type PollSpec = z.infer<typeof pollSpec>;
export const pollResult = z.object({ polls: z.number().int(), elapsedMs: z.number(), observed: z.unknown() });

/** Compact latency evidence: fixed buckets plus the percentiles thresholds use. */
const latencyHistogram = z.object({
  unit: z.literal('ms'),
  buckets: z.array(z.object({ le: z.union([z.number(), z.literal('+Inf')]), count: z.number().int() })),
  min: z.number(),
  mean: z.number(),
  p50: z.number(),
  p90: z.number(),
  p95: z.number(),
  p99: z.number(),
  max: z.number(),
});
export type LatencyHistogram = z.infer<typeof latencyHistogram>;

/** Load shape shared by load, stress and failover tests. */
export const loadTarget = z.object({
  url: httpUrl,
  method: httpMethod.default('GET'),
  headers,
  body: z.unknown().optional(),
  /** Connections kept open; the rate is spread over them. */
  connections: z.number().int().min(1).max(1_000).default(10),
  /** Per-request timeout. */
  timeoutMs: z.number().int().positive().max(60_000).default(10_000),
});
export type LoadTarget = z.infer<typeof loadTarget>;

export const loadStats = z.object({
  requests: z.number().int(),
  errors: z.number().int(),
  non2xx: z.number().int(),
  errorRate: z.number(),
  throughputRps: z.number(),
  durationMs: z.number(),
  latency: latencyHistogram,
});
export type LoadStats = z.infer<typeof loadStats>;

export const thresholds = z.object({
  p95Ms: z.number().positive().optional(),
  p99Ms: z.number().positive().optional(),
  maxErrorRate: z.number().min(0).max(1).optional(),
  minThroughputRps: z.number().positive().optional(),
});
export type Thresholds = z.infer<typeof thresholds>;

export const verdict = z.object({
  passed: z.boolean(),
  violations: z.array(z.string()),
});
export type Verdict = z.infer<typeof verdict>;

export const idempotencyKey = z.string().min(1).max(200).optional();
