import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessApply } from '../../activities/accessApply';
import { accessRevoke } from '../../activities/accessRevoke';
import { accessVerify } from '../../activities/accessVerify';
import { actionCatalog } from '../../src/contract/schemas/catalog';
import { accessApplyParams } from '../../src/contract/schemas/actions/accessApply';
import type { RunningSandbox } from '../../src/sandbox/server';
import { exec, expectFailure, json, makeDeps, sandbox } from './harness';

let sb: RunningSandbox;
beforeAll(async () => {
  sb = await sandbox();
});
afterAll(() => sb.close());

describe('access-apply / access-verify / access-revoke', () => {
  it('applies, verifies, and the declared compensation removes exactly what was applied', async () => {
    const deps = makeDeps();
    const apply = accessApplyParams.parse({
      url: `${sb.url}/access/bindings`,
      bindings: [
        { subject: 'svc-model', role: 'reader', resource: 'features' },
        { subject: 'oncall', role: 'operator' },
      ],
    });
    expect((await exec(accessApply(deps), apply)).applied).toHaveLength(2);
    const verified = await exec(accessVerify(deps), {
      url: apply.url,
      bindings: apply.bindings,
      absent: [{ subject: 'svc-model', role: 'admin' }],
    });
    expect(verified.total).toBe(2);

    const mismatch = await expectFailure(
      exec(accessVerify(deps), { url: apply.url, absent: [{ subject: 'oncall', role: 'operator' }] }),
      'AccessMismatch',
      true,
    );
    expect(mismatch.details?.[0]).toMatchObject({ unexpected: [{ subject: 'oncall' }] });

    const undo = actionCatalog['access-apply'].compensation(apply);
    expect(undo?.action).toBe('access-revoke');
    await exec(accessRevoke(deps), undo?.params);
    expect(await json(`${sb.url}/access/bindings`)).toEqual({ bindings: [] });
  });

  it('fails for good when the endpoint rejects the request', async () => {
    await expectFailure(
      exec(accessApply(makeDeps()), { url: `${sb.url}/no-such-endpoint`, bindings: [{ subject: 'a', role: 'b' }] }),
      'UnexpectedStatus',
      true,
    );
  });
});
