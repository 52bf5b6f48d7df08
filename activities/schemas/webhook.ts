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
  response: z.string(),
  poll: pollResult.optional(),
});
export const webhookResult = idempotentCallResult;
export type WebhookResult = z.infer<typeof webhookResult>;
