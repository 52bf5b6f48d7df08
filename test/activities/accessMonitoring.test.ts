import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessApply } from '../../activities/accessApply';
import { accessRevoke } from '../../activities/accessRevoke';
import { accessVerify } from '../../activities/accessVerify';
import { actionCatalog } from '../../activities/catalog';
import { monitoringActivate } from '../../activities/monitoringActivate';
import { monitoringDeactivate } from '../../activities/monitoringDeactivate';
import { monitoringVerify } from '../../activities/monitoringVerify';
import { accessApplyParams } from '../../activities/schemas/accessApply';
import { monitoringActivateParams } from '../../activities/schemas/monitoringActivate';
import type { RunningSandbox } from '../../src/sandbox/server';
import { exec, expectFailure, json, makeDeps, sandbox, tinyServer } from './harness';

let sb: RunningSandbox;
beforeAll(async () => {
  sb = await sandbox();
});
afterAll(() => sb.close());

describe('access-apply / access-verify / access-revoke', () => {
  it('applies, verifies, and the declared compensation removes exactly what was applied', async () => {
    const deps = makeDeps();
    const apply = accessApplyParams.parse({ url: `${sb.url}/access/bindings`, bindings: [{ subject: 'svc-model', role: 'reader', resource: 'features' }, { subject: 'oncall', role: 'operator' }] });
    expect((await exec(accessApply(deps), apply)).applied).toHaveLength(2);
    const verified = await exec(accessVerify(deps), { url: apply.url, bindings: apply.bindings, absent: [{ subject: 'svc-model', role: 'admin' }] });
    expect(verified.total).toBe(2);

    const mismatch = await expectFailure(exec(accessVerify(deps), { url: apply.url, absent: [{ subject: 'oncall', role: 'operator' }] }), 'AccessMismatch', true);
    expect(mismatch.details?.[0]).toMatchObject({ unexpected: [{ subject: 'oncall' }] });

    const undo = actionCatalog['access-apply'].compensation(apply);
    expect(undo?.action).toBe('access-revoke');
    await exec(accessRevoke(deps), undo?.params);
    expect(await json(`${sb.url}/access/bindings`)).toEqual({ bindings: [] });
  });

  it('fails for good when the endpoint rejects the request', async () => {
    await expectFailure(exec(accessApply(makeDeps()), { url: `${sb.url}/no-such-endpoint`, bindings: [{ subject: 'a', role: 'b' }] }), 'UnexpectedStatus', true);
  });
});

describe('monitoring-activate / -verify / -deactivate', () => {
  it('activates rules, proves a test alert arrives end to end, and the compensation deactivates', async () => {
    const deps = makeDeps();
    const activate = monitoringActivateParams.parse({ url: `${sb.url}/monitoring/rules`, rules: [{ name: 'p99-latency', expr: 'p99 > 0.5', severity: 'critical' }] });
    expect((await exec(monitoringActivate(deps), activate)).activated).toEqual(['p99-latency']);
    const verified = await exec(monitoringVerify(deps), { testAlertUrl: `${sb.url}/monitoring/test-alert`, rulesUrl: `${sb.url}/monitoring/rules`, expectRules: ['p99-latency'] });
    expect(verified).toMatchObject({ delivered: true, rulesFound: ['p99-latency'] });

    const undo = actionCatalog['monitoring-activate'].compensation(activate);
    expect(undo?.action).toBe('monitoring-deactivate');
    await exec(monitoringDeactivate(deps), undo?.params);
    expect(await json(`${sb.url}/monitoring/rules`)).toEqual({ rules: [] });
    await expectFailure(
      exec(monitoringVerify(deps), { testAlertUrl: `${sb.url}/monitoring/test-alert`, rulesUrl: `${sb.url}/monitoring/rules`, expectRules: ['p99-latency'] }),
      'AlertNotDelivered',
      true,
    );
  });

  it('fails when the pipeline accepts the request but no alert arrives', async () => {
    const blackHole = await tinyServer((_req, res) => res.writeHead(200).end('{}'));
    try {
      const t = performance.now();
      await expectFailure(exec(monitoringVerify(makeDeps()), { testAlertUrl: `${blackHole.url}/alert`, deliveryTimeoutSeconds: 0.5 }), 'AlertNotDelivered', true);
      expect(performance.now() - t).toBeLessThan(2_000);
    } finally {
      blackHole.close();
    }
  });
});
