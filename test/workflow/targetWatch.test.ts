import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { getRunStateQuery, stopLineUpdate, type RunStateView } from '../../src/contract/definitions';
import type { WatchStatus } from '../../workflows/targetWatch';
import { autopilot } from '../support/autopilot';
import { defaultRunbookInput } from '../support/defaultRunbook';
import { eventually } from '../support/eventually';
import { people, startRun } from '../support/runs';
import { startTestSandbox, type TestSandbox } from '../support/sandbox';
import { testClient, testWorker } from '../support/temporal';

/**
 * A run in hypercare watches its target as it left it: when something else deploys over the
 * release, removes a role binding or takes its alert rules away, golive raises a Red Button report.
 */
describe('the hypercare watch of the target', () => {
  let client: Client;
  let sandbox: TestSandbox;
  beforeAll(async () => {
    client = await testClient();
  });
  afterAll(async () => {
    await client.connection.close();
  });
  beforeEach(async () => {
    sandbox = await startTestSandbox();
  });
  afterEach(async () => {
    await sandbox.close();
  });

  const watchOf = (s: RunStateView) =>
    (s.steps.find((x) => x.id === 'hypercare')?.result as { watch?: WatchStatus } | undefined)?.watch;
  const send = (path: string, method: string, body: unknown) =>
    fetch(`${sandbox.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then((r) => {
      expect(r.status, `${method} ${path}`).toBeLessThan(300);
    });

  it(
    'reports a deploy over the release and a removed binding by golive, once each, and nothing while the target stays as it was',
    { timeout: 240_000 },
    async () => {
      const input = await defaultRunbookInput(sandbox, '10m', {}, { watchInterval: '1s' });
      const { taskQueue, run } = await testWorker();
      await run(async () => {
        const handle = await startRun(client, taskQueue, input);
        await autopilot(handle, input, (s) => s.status === 'hypercare', { timeoutMs: 180_000 });
        // The baseline is the target as the go-live left it; a few unchanged readings raise nothing.
        const settled = await eventually(async () => {
          const s = await handle.query(getRunStateQuery);
          return (watchOf(s)?.readings ?? 0) >= 3 ? s : undefined;
        }, 'three readings of the target');
        expect(watchOf(settled)!.baseline.version).toEqual({ version: input.params.releaseVersion });
        expect(Object.values(watchOf(settled)!.baseline['alert-rules']!)[0]).toEqual([
          'AiErrorRateHigh',
          'AiLatencyP95High',
          'AiSystemDown',
        ]);
        expect(settled.reports).toEqual([]);

        // Someone else deploys the old version straight into production.
        await send('/deploy', 'POST', { version: '0.9.0', idempotencyKey: 'someone-else' });
        const reported = await eventually(async () => {
          const s = await handle.query(getRunStateQuery);
          return s.reports.length > 0 ? s : undefined;
        }, 'a report by golive');
        expect(reported.reports[0]).toMatchObject({ reporter: 'golive', severity: 'high', status: 'open' });
        expect(reported.reports[0]!.description).toContain('Production serves the release');
        expect(reported.reports[0]!.description).toContain(
          `version: was "${input.params.releaseVersion}", now "0.9.0"`,
        );

        // A role binding removed: a second report; the version change is not reported again.
        await send('/access/bindings', 'DELETE', {
          bindings: [{ subject: 'group:end-users', role: 'user', resource: 'predict' }],
        });
        const second = await eventually(async () => {
          const s = await handle.query(getRunStateQuery);
          return s.reports.length > 1 ? s : undefined;
        }, 'a second report by golive');
        expect(second.reports[1]!.description).toContain('Role bindings (RBAC) as applied');
        const later = await eventually(async () => {
          const s = await handle.query(getRunStateQuery);
          return (watchOf(s)?.readings ?? 0) >= (watchOf(second)?.readings ?? 0) + 3 ? s : undefined;
        }, 'three more readings');
        expect(later.reports).toHaveLength(2);
        expect(Object.keys(watchOf(later)!.changed).sort()).toEqual(['access-bindings', 'version']);

        await handle.executeUpdate(stopLineUpdate, {
          args: [{ actor: { id: people.ops }, reason: 'someone deployed over the release' }],
        });
        const final = await handle.result();
        expect(final.status).toBe('rolled-back');
      });
    },
  );
});
