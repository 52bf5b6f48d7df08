import type { ActivityDeps } from './deps';
import { httpCall, requireStatus, type HttpResult } from './http';
import type { RoleBinding } from '../src/contract/schemas/actions/access';

/** The bindings endpoint shared by access-apply, -verify and -revoke. */
export interface BindingsEndpoint {
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

export async function callBindings(
  endpoint: BindingsEndpoint,
  method: 'GET' | 'PUT' | 'DELETE',
  deps: ActivityDeps,
  bindings?: RoleBinding[],
): Promise<HttpResult> {
  const res = await httpCall({ ...endpoint, method, ...(bindings ? { body: { bindings } } : {}) }, deps);
  requireStatus(res, undefined, `${method} ${endpoint.url}`);
  return res;
}

export function sameBinding(a: RoleBinding, b: RoleBinding): boolean {
  return a.subject === b.subject && a.role === b.role && (a.resource ?? null) === (b.resource ?? null);
}
