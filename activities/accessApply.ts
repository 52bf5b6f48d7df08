import type { ActivityDeps } from './deps';
import { callBindings } from './access';
import { parseParams } from './errors';
import { accessApplyParams, type AccessApplyResult } from '../src/contract/schemas/actions/accessApply';

/** PUT is idempotent on the endpoint's side, so a retried apply adds nothing twice. */
export function accessApply(deps: ActivityDeps) {
  return async function accessApply(input: unknown): Promise<AccessApplyResult> {
    const p = parseParams(accessApplyParams, input);
    const res = await callBindings(p, 'PUT', deps, p.bindings);
    return { applied: p.bindings, status: res.status };
  };
}
