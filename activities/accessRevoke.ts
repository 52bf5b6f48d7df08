import type { ActivityDeps } from './deps';
import { callBindings } from './access';
import { parseParams } from './errors';
import { accessRevokeParams, type AccessRevokeResult } from '../src/contract/schemas/actions/accessRevoke';

/** The compensation of access-apply: removes exactly the bindings that step applied. */
export function accessRevoke(deps: ActivityDeps) {
  return async function accessRevoke(input: unknown): Promise<AccessRevokeResult> {
    const p = parseParams(accessRevokeParams, input);
    const res = await callBindings(p, 'DELETE', deps, p.bindings);
    return { revoked: p.bindings, status: res.status };
  };
}
