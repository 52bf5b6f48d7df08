import { z } from 'zod';
import { expectStatus, headers, httpMethod, httpUrl, idempotencyKey, pollResult, pollSpec, timeoutMs } from './common';

export const webhookParams = z.object({
  url: httpUrl,
  method: httpMethod.default('POST'),
  headers,
  body: z.unknown().optional(),
  expectStatus: expectStatus.optional(),
  timeoutMs,
  /** Default: workflow id + activity id, the same on every retry. */
  idempotencyKey,
  poll: pollSpec.optional(),
});
export type WebhookParams = z.input<typeof webhookParams>;

/** Shared with deploy: what an idempotent call left as evidence. */
export const idempotentCallResult = z.object({
  status: z.number().int(),
  latencyMs: z.number(),
  idempotencyKey: z.string(),
  /** No longer written (results never echo a response body); kept so older results still parse. */
  response: z.string().optional(),
  poll: pollResult.optional(),
});
export const webhookResult = idempotentCallResult;
export type WebhookResult = z.infer<typeof webhookResult>;
