import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { auditCache, buildAuditTrail, dossierFilesOf, filterEntries } from '../../src/audit';
import { verifyChain } from '../../src/audit/chain';
import { verifyDossierFiles } from '../../src/audit/verify';
import { reportErrorUpdate, resolveReportUpdate } from '../../src/contract/definitions';
import { actor, inputFor, people, startRun, waitForState } from '../support/runs';
import { useTestClient, testWorker } from '../support/temporal';

/** The client, with the run ids of the histories fetched through it noted (the calls go through). */
function notingHistoryFetches(client: Client): { client: Client; fetched: string[] } {
  const fetched: string[] = [];
  const service = client.workflowService;
  const noting = new Proxy(service, {
    get(target, prop) {
      if (prop === 'getWorkflowExecutionHistory')
        return (request: Parameters<typeof service.getWorkflowExecutionHistory>[0]) => {
          fetched.push(request.execution?.runId ?? '');
          return target.getWorkflowExecutionHistory(request);
        };
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  const wrapped = new Proxy(client, {
    get: (target, prop) => (prop === 'workflowService' ? noting : Reflect.get(target, prop)),
  });
  return { client: wrapped, fetched };
}

/** A hypercare watch that checkpoints every second: many runs, one trail. */
describe('audit trail across continue-as-new', () => {
  const client = useTestClient({ beforeAll, afterAll });

  it('tells the whole chain as one trail, with a Red Button report and its resolution', async () => {
    const { taskQueue, run } = await testWorker();
    const cache = auditCache();
    const noting = notingHistoryFetches(client());
    const closedWhenOpen: string[] = [];
    const workflowId = await run(async () => {
      const handle = await startRun(
        client(),
        taskQueue,
        inputFor({
          steps: [
            {
              id: 'hypercare',
              kind: 'hypercare',
              title: 'Hypercare',
              duration: '12s',
              checkpointEvery: '1s',
              responseDeadline: '1h',
              notifyOnReport: ['operations'],
              stopAuthority: ['guardian'],
            },
          ],
        }),
      );
      // The report waits for the third run of the chain: a busy machine delays timers, and a chain that
      // has already grown to three cannot come out shorter; 12 s leaves room for a late worker.
      await waitForState(handle, (s) => s.status === 'hypercare' && s.chainLength >= 3);
      // Read while open: the runs that continued as new are kept decoded (the one still open is not).
      const open = await buildAuditTrail({ client: noting.client, workflowId: handle.workflowId, cache });
      expect(open.finished).toBe(false);
      expect(new Set(noting.fetched)).toEqual(new Set(open.runIds));
      closedWhenOpen.push(...open.runIds.slice(0, -1));
      const report = await handle.executeUpdate(reportErrorUpdate, {
        args: [
          {
            actor: actor(people.user),
            anonymous: false,
            severity: 'medium',
            description: 'wrong answer about refunds',
          },
        ],
      });
      await handle.executeUpdate(resolveReportUpdate, {
        args: [{ actor: actor(people.ops), reportId: report.id, resolution: 'prompt fixed' }],
      });
      const result = await handle.result();
      expect(result.status).toBe('live');
      return handle.workflowId;
    });

    const trail = await buildAuditTrail({ client: client(), workflowId });
    expect(trail.runIds.length).toBeGreaterThanOrEqual(3);
    expect(trail.state?.chainLength).toBe(trail.runIds.length);
    expect(filterEntries(trail.entries, { kind: 'continued-as-new' })).toHaveLength(trail.runIds.length - 1);
    expect(filterEntries(trail.entries, { kind: 'run-started' })).toHaveLength(1);
    expect(trail.entries.at(-1)).toMatchObject({
      kind: 'run-ended',
      runId: trail.runIds.at(-1),
      details: { status: 'live' },
    });
    expect(filterEntries(trail.entries, { kind: ['report', 'report-resolved'] }).map((e) => [e.kind, e.actor])).toEqual(
      [
        ['report', people.user],
        ['report-resolved', people.ops],
      ],
    );
    expect(filterEntries(trail.entries, { stepId: 'hypercare' }).map((e) => e.kind)).toEqual([
      'step-started',
      'step-completed',
    ]);
    expect(verifyChain(trail.entries)).toMatchObject({ ok: true, length: trail.entries.length });
    // The dossier's run ids are checked against the chain's run-started and continued-as-new entries.
    expect(verifyDossierFiles(await dossierFilesOf(trail))).toMatchObject({
      ok: true,
      runIds: trail.runIds,
      status: 'live',
      finished: true,
    });

    // Read again once closed, through the cache: the runs that had continued as new by the first
    // read are not fetched again, and the trail is the one read without any cache, entry for entry.
    expect(closedWhenOpen.length).toBeGreaterThanOrEqual(2);
    noting.fetched.length = 0;
    const cached = await buildAuditTrail({ client: noting.client, workflowId, cache });
    expect(cached.entries).toEqual(trail.entries);
    expect(cached.head).toBe(trail.head);
    expect(noting.fetched.length).toBeGreaterThan(0);
    expect(noting.fetched.filter((id) => closedWhenOpen.includes(id))).toEqual([]);
  });
});
