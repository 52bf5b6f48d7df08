import type { ActivityDeps } from './deps';
import { parseParams } from './errors';
import { callIdempotently } from './idempotentCall';
import { webhookParams, type WebhookResult } from '../src/contract/schemas/actions/webhook';

export function webhook(deps: ActivityDeps) {
  return async function webhook(input: unknown): Promise<WebhookResult> {
    return callIdempotently(parseParams(webhookParams, input), deps);
  };
}
