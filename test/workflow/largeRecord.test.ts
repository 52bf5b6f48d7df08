import { describe, expect, it } from 'vitest';
import { afterAll, beforeAll } from 'vitest';
import type { Client } from '@temporalio/client';
import { buildAuditTrail } from '../../src/audit';
import { getRunRecordQuery, reportErrorUpdate, stopLineUpdate } from '../../src/contract/definitions';
import { COMPRESSED_ENCODING } from '../../src/temporal/largePayloads';
import { actor, hypercareOnly, inputFor, people, startRun, waitForState } from '../support/runs';
import { eventually } from '../support/eventually';
import { testClient, testWorker } from '../support/temporal';

/**
 * A hypercare whose record outgrows Temporal's 2 MB per payload (issue 16: the run died at
 * ≈4,800 reports when its continue-as-new input passed 2 MB). Here 300 long reports (≈2.2 MB of
 * record) are carried across continue-as-new compressed, and the trail reads them all back; filed
 * within one checkpoint (30 s), their Updates make a page of history over gRPC's default 4 MB.
 */

const REPORTS = 300;
const sentence = 'The assistant cited a retired refund policy to a customer and named the wrong deadline. ';
const description = (n: number) => `Report ${n}: ${sentence.repeat(80).trimEnd()}`; // ≈7 KB each

describe('a hypercare record larger than a Temporal payload may be', () => {
  let client: Client;
  beforeAll(async () => {
    client = await testClient();
  });
  afterAll(async () => client.connection.close());

  it(
    'continues as new with its record compressed, and the trail reads every report',
    { timeout: 240_000 },
    async () => {
      const { taskQueue, run } = await testWorker();
      await run(async () => {
        const handle = await startRun(
          client,
          taskQueue,
          inputFor(hypercareOnly({ checkpointEvery: '30s' }), { notifyChannels: [] }),
        );
        const firstRunId = (await handle.describe()).runId;
        await waitForState(handle, (s) => s.status === 'hypercare');
        for (let n = 1; n <= REPORTS; n += 5)
          await Promise.all(
            [0, 1, 2, 3, 4].map((i) =>
              handle.executeUpdate(reportErrorUpdate, {
                args: [{ actor: actor(people.user), severity: 'low', description: description(n + i) }],
              }),
            ),
          );
        // A checkpoint after the last report carries the whole record (over 2 MB as JSON).
        const chainBefore = (await waitForState(handle, (s) => s.reports.length === REPORTS)).chainLength;
        await waitForState(handle, (s) => s.chainLength > chainBefore, 90_000);
        // One wake-up timer while the reports came in, not one started and cancelled per report.
        const firstRun = await client.workflow.getHandle(handle.workflowId, firstRunId).fetchHistory();
        const timers = (firstRun.events ?? []).filter((e) => e.timerStartedEventAttributes).length;
        expect(timers).toBeLessThanOrEqual(3);
        const started = (await client.workflow.getHandle(handle.workflowId).fetchHistory()).events?.[0];
        const carried = started?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
        expect(Buffer.from(carried?.metadata?.encoding ?? []).toString()).toBe(COMPRESSED_ENCODING);
        expect(carried?.data?.length).toBeLessThan(512 * 1024);

        // Reports the last run recorded but had not announced when it continued as new are
        // announced by the next one, once its watch begins (a task or so after it starts).
        await eventually(
          async () => ((await handle.query(getRunRecordQuery)).notifications?.length === REPORTS ? true : undefined),
          'every report announced',
          60_000,
          200,
        );
        // The open run's trail states every recorded announcement, not the 200 a page shows (QA).
        const open = await buildAuditTrail({ client, workflowId: handle.workflowId, refusals: [] });
        expect(open.finished).toBe(false);
        expect(open.entries.filter((e) => e.kind === 'notification')).toHaveLength(REPORTS);

        await handle.executeUpdate(stopLineUpdate, { args: [{ actor: actor(people.ops), reason: 'record is long' }] });
        const result = await handle.result();
        expect(result.reports).toHaveLength(REPORTS);
        const trail = await buildAuditTrail({ client, workflowId: handle.workflowId, refusals: [] });
        // Filed five at a time, so in any order within a batch: compared as sets.
        expect(new Set(trail.state?.reports.map((r) => r.description))).toEqual(
          new Set(Array.from({ length: REPORTS }, (_, i) => description(i + 1))),
        );
        expect(trail.entries.filter((e) => e.kind === 'report')).toHaveLength(REPORTS);
      });
    },
  );
});
