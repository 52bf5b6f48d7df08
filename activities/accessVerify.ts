import { z } from 'zod';
import type { ActivityDeps } from './deps';
import { callBindings, sameBinding } from './access';
import { parseParams, permanent } from './errors';
import { parseJsonBody } from './http';
import { roleBinding } from '../src/contract/schemas/actions/access';
import { accessVerifyParams, type AccessVerifyResult } from '../src/contract/schemas/actions/accessVerify';

const listing = z.object({ bindings: z.array(roleBinding) });

export function accessVerify(deps: ActivityDeps) {
  return async function accessVerify(input: unknown): Promise<AccessVerifyResult> {
    const p = parseParams(accessVerifyParams, input);
    const res = await callBindings(p, 'GET', deps);
    const parsed = listing.safeParse(parseJsonBody(res));
    if (!parsed.success)
      return permanent('UnexpectedStatus', `GET ${p.url} answered ${res.status} without a { bindings } list`, {
        status: res.status,
      });
    const actual = parsed.data.bindings;
    const missing = p.bindings.filter((want) => !actual.some((b) => sameBinding(b, want)));
    const unexpected = p.absent.filter((bad) => actual.some((b) => sameBinding(b, bad)));
    if (missing.length > 0 || unexpected.length > 0) {
      permanent(
        'AccessMismatch',
        `access differs: ${missing.length} missing, ${unexpected.length} present but forbidden`,
        { missing, unexpected },
      );
    }
    return { present: p.bindings, confirmedAbsent: p.absent, total: actual.length };
  };
}
