import type { ActivityDeps } from './deps';
import { idempotencyKey } from './context';
import { permanent } from './errors';
import { httpCall, requireStatus } from './http';
import { fieldsEqual, pollUntil } from './polling';
import type { PollSpec } from '../src/contract/schemas/actions/common';
import type { WebhookResult } from '../src/contract/schemas/actions/webhook';

export interface IdempotentCall {
  url: string;
  method: string;
  headers: Record<string, string>;
  /** Object bodies also get an `idempotencyKey` field, for targets that read it from the body. */
  body?: unknown;
  expectStatus?: number | number[];
  timeoutMs: number;
  idempotencyKey?: string;
  poll?: PollSpec;
}

/**
 * The heart of deploy and webhook: one call carrying a key that is the same on every attempt,
 * then optional polling until the target reports the wanted state.
 */
export async function callIdempotently(call: IdempotentCall, deps: ActivityDeps): Promise<WebhookResult> {
  const key = idempotencyKey(call.idempotencyKey);
  const body =
    call.body !== null && typeof call.body === 'object' && !Array.isArray(call.body)
      ? { ...call.body, idempotencyKey: key }
      : call.body;
  const res = await httpCall({ ...call, headers: { ...call.headers, 'Idempotency-Key': key }, body }, deps);
  const where = `${call.method} ${call.url}`;
  requireStatus(res, call.expectStatus, where);
  // The response body is not kept: a step's result is read by everyone who reads the run.
  const result: WebhookResult = { status: res.status, latencyMs: res.latencyMs, idempotencyKey: key };
  if (!call.poll) return result;
  const poll = await pollUntil(
    {
      ...call.poll,
      watch: Object.keys(call.poll.until),
      accept: fieldsEqual(call.poll.until),
      timeoutMs: call.poll.timeoutSeconds * 1_000,
    },
    deps,
    { phase: 'poll', url: call.poll.url },
  );
  if (!poll.reached) {
    permanent(
      'PollTimedOut',
      `${call.poll.url} did not reach ${JSON.stringify(call.poll.until)} within ${call.poll.timeoutSeconds} s`,
      { ...result, poll },
    );
  }
  return { ...result, poll: { polls: poll.polls, elapsedMs: poll.elapsedMs, observed: poll.observed } };
}
