import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WithStartWorkflowOperation, type WorkflowHandle } from '@temporalio/client';
import { GO_LIVE_WORKFLOW, reportErrorUpdate, type GoLiveInput } from '../../src/contract/definitions';
import type { goLive } from '../../workflows/goLive';
import { tinyServer } from '../activities/harness';
import { actor, hypercareOnly, inputFor, people, startRun, waitForState } from '../support/runs';
import { testWorker, uniqueId, useTestClient } from '../support/temporal';
import type { Payload } from '@temporalio/common';
import { decodeArrayFromPayloads, loadDataConverter } from '@temporalio/common/lib/internal-non-workflow';
import { goliveDataConverter } from '../../src/temporal/largePayloads';

/**
 * A flood of Red Button reports must not keep hypercare from continuing as new (issue 16: after
 * Temporal's 2,000 Updates per run every report failed). The flood here is adversarial and paced
 * by the run itself: each announcement's Slack call files the next report before it answers, so
 * a new report is always waiting when an announcement ends. The watch announces in passes, so it
 * reaches its checkpoint (every 1 s) mid-flood; walking the live list, it never would.
 */

const FLOOD_CAP = 400;

describe('a flood of Red Button reports during hypercare', () => {
  const client = useTestClient({ beforeAll, afterAll });

  it('continues as new while reports keep coming, and announces every report once', { timeout: 240_000 }, async () => {
    let handle: WorkflowHandle<typeof goLive> | undefined;
    let firstRunId = '';
    let filed = 1;
    let continuedAfter: number | undefined;
    const announced: string[] = [];
    // Each announcement's flood step, kept so the test reads continuedAfter only after the last
    // one has looked at the run: the wait below can end while that look is still in flight.
    const floods: Promise<void>[] = [];
    const slack = await tinyServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        const id = /AI error reported \((R\d+)\)/.exec(body)?.[1];
        if (id) announced.push(id);
        floods.push(floodOn(id).finally(() => res.writeHead(200).end('ok')));
      });
    });
    // The next report, filed while this announcement waits; stops once the run has moved on.
    const floodOn = async (id: string | undefined) => {
      if (!id || !handle || continuedAfter !== undefined || filed >= FLOOD_CAP) return;
      const { runId } = await handle.describe();
      if (runId !== firstRunId) {
        continuedAfter = filed;
        return;
      }
      filed++;
      await handle.executeUpdate(reportErrorUpdate, {
        args: [{ actor: actor(people.user), severity: 'low', description: `flood ${filed}` }],
      });
    };

    const { taskQueue, run } = await testWorker({
      activityDeps: { notifyConfig: { slackWebhookUrl: `${slack.url}/hooks/golive` } },
    });
    try {
      await run(async () => {
        handle = await startRun(
          client(),
          taskQueue,
          inputFor(hypercareOnly({ checkpointEvery: '1s', stopAuthority: ['guardian'] })),
        );
        firstRunId = (await handle.describe()).runId;
        await waitForState(handle, (s) => s.status === 'hypercare');
        await handle.executeUpdate(reportErrorUpdate, {
          args: [{ actor: actor(people.user), severity: 'low', description: 'flood 1' }],
        });
        const after = await waitForState(
          handle,
          (s) => s.chainLength >= 2 && s.reports.length === filed && announced.length >= filed,
          180_000,
        );
        await Promise.allSettled(floods);
        // The run continued as new before the flood's cap: the watch was not held by the flood.
        expect(continuedAfter).toBeDefined();
        expect(continuedAfter).toBeLessThan(FLOOD_CAP);
        // Every report recorded once, carried across the chain, and announced exactly once.
        expect(after.reports.map((r) => r.id)).toEqual(Array.from({ length: filed }, (_, i) => `R${i + 1}`));
        expect([...announced].sort()).toEqual(after.reports.map((r) => r.id).sort());
      });
    } finally {
      slack.close();
    }
  });

  it('takes a report in the first task of the run it continued as (not refused as "not in hypercare")', async () => {
    const { taskQueue, run } = await testWorker();
    await run(async () => {
      const first = await startRun(client(), taskQueue, inputFor(hypercareOnly({ checkpointEvery: '1s' })));
      await waitForState(first, (s) => s.chainLength >= 2, 60_000);
      // The continued run's own input (the carried record), started again under a new id with a
      // report delivered in its very first workflow task, as a report racing a continue-as-new is.
      const started = (await client().workflow.getHandle(first.workflowId).fetchHistory()).events?.[0];
      const [input] = await decodeStartInput(started?.workflowExecutionStartedEventAttributes?.input?.payloads);
      const report = await client().workflow.executeUpdateWithStart(reportErrorUpdate, {
        args: [{ actor: actor(people.user), severity: 'low', description: 'sent as the chain moved on' }],
        startWorkflowOperation: new WithStartWorkflowOperation(GO_LIVE_WORKFLOW, {
          workflowId: uniqueId('golive-continued'),
          taskQueue,
          args: [input],
          workflowIdConflictPolicy: 'FAIL',
        }),
      });
      expect(report).toMatchObject({ id: 'R1', status: 'open' });
    });
  });
});

async function decodeStartInput(payloads: Payload[] | null | undefined): Promise<GoLiveInput[]> {
  const converter = loadDataConverter({ payloadCodecs: goliveDataConverter.payloadCodecs });
  return decodeArrayFromPayloads(converter, payloads ?? []) as Promise<GoLiveInput[]>;
}
