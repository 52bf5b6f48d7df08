import type { ActivityDeps } from './deps';
import { parseParams } from './errors';
import { callIdempotently } from './idempotentCall';
import { deployParams, type DeployResult } from '../src/contract/schemas/actions/deploy';

/** POST `{ version, idempotencyKey }`: a retried attempt (worker crash after the call) deploys once. */
export function deploy(deps: ActivityDeps) {
  return async function deploy(input: unknown): Promise<DeployResult> {
    const p = parseParams(deployParams, input);
    const result = await callIdempotently({ ...p, method: 'POST', body: { ...p.extra, version: p.version } }, deps);
    return { ...result, version: p.version };
  };
}
