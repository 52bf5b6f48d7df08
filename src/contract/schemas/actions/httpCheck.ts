import { z } from 'zod';
import { expectStatus, headers, httpMethod, httpUrl, timeoutMs } from './common';

const httpEndpoint = z.object({
  name: z.string().min(1).optional(),
  url: httpUrl,
  method: httpMethod.default('GET'),
  headers,
  body: z.unknown().optional(),
  expectStatus: expectStatus.optional(),
  /** Substring the body must contain. */
  bodyContains: z.string().min(1).optional(),
  timeoutMs,
  /** Skip TLS certificate verification (self-signed staging endpoints only). */
  insecureTls: z.boolean().default(false),
});

export const httpCheckParams = z.object({ endpoints: z.array(httpEndpoint).min(1).max(100) });
const endpointOutcome = z.object({
  name: z.string(),
  url: z.string(),
  ok: z.boolean(),
  status: z.number().int().optional(),
  latencyMs: z.number().optional(),
  problem: z.string().optional(),
});

export const httpCheckResult = z.object({ endpoints: z.array(endpointOutcome) });
export type HttpCheckResult = z.infer<typeof httpCheckResult>;
