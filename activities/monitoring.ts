import type { ActivityDeps } from './deps';
import { httpCall, requireStatus } from './http';

/** The rule registry shared by monitoring-activate and -deactivate. */
export async function callRules(
  endpoint: { url: string; headers: Record<string, string>; timeoutMs: number },
  method: 'POST' | 'DELETE',
  body: unknown,
  deps: ActivityDeps,
): Promise<number> {
  const res = await httpCall({ ...endpoint, method, body }, deps);
  requireStatus(res, undefined, `${method} ${endpoint.url}`);
  return res.status;
}
