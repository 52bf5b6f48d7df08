import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import {
  acknowledgeReportUpdate,
  getRunRecordQuery,
  getRunStateQuery,
  reportErrorUpdate,
  resolveReportUpdate,
  type GoLiveInput,
  type RunStateView,
} from '../../src/contract/definitions';
import type { goLive } from '../../workflows/goLive';
import { actor, hypercareOnly, inputFor, people, startRun, waitForState } from '../support/runs';
import { testWorker, useTestClient } from '../support/temporal';
import { goliveDataConverter } from '../../src/temporal/largePayloads';

/**
 * A run stuck in hypercare (QA): under a flood of Red Button reports, some refused, the worker
 * logged "History is out of order", evicted the run, and its full replay failed ("Timer fired
 * event did not have expected timer id 324, it was 325"): the live worker had done something its
 * history does not show. What Temporal runs live and never replays: Update validators (also in
 * speculative workflow tasks that a refusal drops from history, at a later workflow time, with
 * every blocked condition checked again) and queries. Here the flood mixes accepted and refused
 * reports, resolutions and acknowledgements (some refused), the run-state query the web UI polls,
 * responses going late (escalations every second, recorded in state: no channel) and continue-as-
 * new; then every run of the chain must replay, and a fresh worker rebuilding the run from its
 * history must hold the very record the live worker held. A validator or a condition that changed
 * state in such a task fails both (checked by hand: a validator that bumps the state's version).
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Responses late after 1 s, escalated at 2 s and 3 s: wake-ups while the flood goes on. */
const floodRun = (hypercare: { checkpointEvery?: string } = {}): GoLiveInput =>
  inputFor(
    hypercareOnly({
      responseDeadline: '1s',
      escalation: [
        { after: '2s', notify: ['guardian'] },
        { after: '3s', notify: ['business-sponsor'], delegateTo: 'ai-product-manager' },
      ],
      ...hypercare,
    }),
    { notifyChannels: [] },
  );

/** A small seeded generator: the mix of messages is the same on every run of the test. */
function seeded(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

interface Tally {
  accepted: number;
  refused: number;
}

/** Senders and readers at the run for `ms`; every kind of message both accepted and refused. */
async function flood(handle: WorkflowHandle<typeof goLive>, ms: number): Promise<Record<string, Tally>> {
  const random = seeded(16);
  const tally: Record<string, Tally> = {};
  let reports = 0;
  const settle = async (kind: string, sent: Promise<unknown>) => {
    const t = (tally[kind] ??= { accepted: 0, refused: 0 });
    await sent.then(
      () => t.accepted++,
      () => t.refused++,
    );
  };
  const someReport = () => `R${1 + Math.floor(random() * (reports + 1))}`;
  const send = (r: number) => {
    if (r < 0.3)
      return settle(
        'report',
        handle
          .executeUpdate(reportErrorUpdate, {
            args: [{ actor: actor(people.user), severity: 'low', description: `report ${r}` }],
          })
          .then(() => reports++),
      );
    // Refused by the validator (a named report needs its reporter): never in history.
    if (r < 0.75)
      return settle(
        'report without reporter',
        handle.executeUpdate(reportErrorUpdate, { args: [{ severity: 'low', description: 'x' } as never] }),
      );
    if (r < 0.87)
      return settle(
        'resolution',
        handle.executeUpdate(resolveReportUpdate, {
          args: [{ actor: actor(people.ops), reportId: someReport(), resolution: 'fixed' }],
        }),
      );
    return settle(
      'acknowledgement',
      handle.executeUpdate(acknowledgeReportUpdate, {
        args: [{ actor: actor(people.ops), reportId: someReport(), text: 'on it' }],
      }),
    );
  };
  const until = Date.now() + ms;
  const sender = async () => {
    while (Date.now() < until) {
      await send(random());
      await sleep(random() * 300);
    }
  };
  // The web UI's polling. On a busy machine a query may time out: not what this test is about.
  const reader = async () => {
    while (Date.now() < until) {
      await handle.query(getRunStateQuery).catch(() => undefined);
      await sleep(random() * 100);
    }
  };
  await Promise.all([...Array.from({ length: 6 }, sender), reader(), reader()]);
  return tally;
}

describe('a flood of accepted and refused Red Button reports during hypercare', () => {
  const client = useTestClient({ beforeAll, afterAll });

  it('leaves a history every run of the chain replays', { timeout: 90_000 }, async () => {
    const { taskQueue, run } = await testWorker();
    await run(async () => {
      const handle = await startRun(client(), taskQueue, floodRun({ checkpointEvery: '4s' }));
      const firstRunId = (await handle.describe()).runId;
      await waitForState(handle, (s) => s.status === 'hypercare');
      const tally = await flood(handle, 12_000);
      // The flood was one: each kind of message was taken and refused.
      for (const kind of ['report', 'resolution', 'acknowledgement'])
        expect(tally[kind], kind).toMatchObject({ accepted: expect.any(Number) });
      expect(tally['report']?.accepted).toBeGreaterThan(20);
      expect(tally['report without reporter']).toMatchObject({ accepted: 0 });
      expect(tally['report without reporter']?.refused).toBeGreaterThan(20);

      const failures: string[] = [];
      let runs = 0;
      for (let runId: string | undefined = firstRunId; runId; runs++) {
        const history = await client().workflow.getHandle(handle.workflowId, runId).fetchHistory();
        await Worker.runReplayHistory(
          {
            workflowBundle: { codePath: inject('workflowBundlePath') },
            // As the worker reads them: a continue-as-new input past 256 KB is stored compressed.
            dataConverter: goliveDataConverter,
          },
          history,
          `${handle.workflowId}-${runs}`,
        ).catch((err: unknown) => failures.push(`run ${runs + 1}: ${String(err)}`));
        runId = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
      }
      expect(failures).toEqual([]);
      expect(runs).toBeGreaterThan(1);
    });
  });

  it(
    'leaves the live record equal to the record a fresh worker rebuilds from history',
    { timeout: 90_000 },
    async () => {
      const live = await testWorker();
      let handle: WorkflowHandle<typeof goLive> | undefined;
      const record = await live.run(async () => {
        const h = (handle = await startRun(client(), live.taskQueue, floodRun()));
        await waitForState(h, (s) => s.status === 'hypercare');
        await flood(h, 10_000);
        // Quiet: every report's last escalation (3 s) is behind it, nothing changes before the step ends.
        await sleep(4_000);
        return h.query(getRunRecordQuery);
      });
      expect(record.escalations.length).toBeGreaterThan(20);
      // A new worker has nothing cached: it rebuilds the run by replaying its whole history.
      const fresh = await testWorker({ taskQueue: live.taskQueue });
      const rebuilt: RunStateView = await fresh.run(() => handle!.query(getRunRecordQuery));
      expect(rebuilt).toEqual(record);
    },
  );
});
