import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { buildAuditTrail, zipTrailDossier } from '../../src/audit';
import { unzipDossier, verifyDossierZip } from '../../src/audit/verify';
import { loadRunbookFile } from '../../src/runbook/load';
import { prepareRun } from '../../src/runbook/prepare';
import {
  approveStepUpdate,
  reportErrorUpdate,
  resolveReportUpdate,
  type GoLiveInput,
  type NotifyChannel,
  type RunStateView,
} from '../../src/contract/definitions';
import { actor, inputFor, people, startRun, waitForState } from '../support/runs';
import { startTestSandbox, type TestSandbox } from '../support/sandbox';
import { useTestClient, testWorker, uniqueId } from '../support/temporal';
import { OVERSIGHT_REVIEW_WORKFLOW, type ReviewInput, type ReviewView } from '../../src/contract/reviewDefinitions';

/**
 * A run's history holds what happened, not bookkeeping (issue 16). The benchmark's shape (four
 * HTTP checks, two approvals) started knowing no notification channel is configured schedules
 * no `notify` activity — who was to be told is in the run's state, so the trail still says it —
 * and upserts search attributes at most once per workflow task, each time with a changed value.
 */

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const assignments = {
  'ai-product-manager': [people.initiator],
  guardian: [people.guardian],
  'business-sponsor': [people.sponsor],
  operations: [people.ops],
};

async function shapeInput(sandbox: TestSandbox, notifyChannels?: NotifyChannel[]): Promise<GoLiveInput> {
  const loaded = await loadRunbookFile(path.join(__dirname, '../../bench/e2e/runbooks/bench-shape.yaml'));
  return prepareRun({
    loaded,
    system: 'fewer-events',
    collaborationMode: 3,
    initiator: { id: people.initiator },
    assignments,
    params: { targetUrl: sandbox.url },
    ...(notifyChannels ? { notifyChannels } : {}),
  });
}

async function runToLive(handle: WorkflowHandle): Promise<RunStateView> {
  for (const [stepId, by] of [
    ['approval-1', people.guardian],
    ['approval-2', people.sponsor],
  ] as const) {
    await waitForState(handle, (s) => s.steps.find((x) => x.id === stepId)?.status === 'waiting', 60_000);
    await handle.executeUpdate(approveStepUpdate, { args: [{ actor: { id: by }, stepId }] });
  }
  return (await handle.result()) as RunStateView;
}

const notifyActivities = (events: HistoryEvent[]) =>
  events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'notify');

/** The attributes golive upserts (the SDK's own TemporalChangeVersion upsert, one per patch, aside), per workflow task. */
function upsertsPerTask(events: HistoryEvent[]): Record<string, string>[][] {
  const tasks: Record<string, string>[][] = [[]];
  for (const e of events) {
    if (e.workflowTaskCompletedEventAttributes) tasks.push([]);
    const fields = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
    if (!fields || 'TemporalChangeVersion' in fields) continue;
    tasks
      .at(-1)!
      .push(
        Object.fromEntries(Object.entries(fields).map(([k, p]) => [k, Buffer.from(p.data ?? []).toString('utf8')])),
      );
  }
  return tasks;
}

/** What each accepted Update's workflow task wrote between its acceptance and its completion. */
function decisionTaskEvents(events: HistoryEvent[]): string[][] {
  const types = events.map((e) => temporal.api.enums.v1.EventType[e.eventType!]!.replace(/^EVENT_TYPE_/, ''));
  const out: string[][] = [];
  types.forEach((t, i) => {
    if (t !== 'WORKFLOW_EXECUTION_UPDATE_ACCEPTED') return;
    const end = types.indexOf('WORKFLOW_EXECUTION_UPDATE_COMPLETED', i);
    out.push(types.slice(i + 1, end));
  });
  return out;
}

describe('fewer history events', () => {
  const client = useTestClient({ beforeAll, afterAll });
  let sandbox: TestSandbox;
  beforeEach(async () => {
    sandbox = await startTestSandbox();
  });
  afterEach(async () => sandbox.close());

  it(
    'with no channel configured schedules no notify activity, and the trail still names who was told',
    { timeout: 120_000 },
    async () => {
      const { taskQueue, run } = await testWorker();
      await run(async () => {
        const handle = await startRun(client(), taskQueue, await shapeInput(sandbox, []));
        const result = await runToLive(handle);
        const history = await handle.fetchHistory();
        const events = history.events ?? [];
        expect(notifyActivities(events)).toEqual([]);
        expect(result.notifications?.map((n) => [n.to, n.subject])).toEqual([
          [[people.guardian], '[golive fewer-events] decision needed: Guardian approves'],
          [[people.sponsor], '[golive fewer-events] decision needed: Sponsor approves'],
        ]);

        const trail = await buildAuditTrail({ client: client(), workflowId: handle.workflowId, refusals: [] });
        const told = trail.entries.filter((e) => e.kind === 'notification');
        expect(told.map((e) => e.details.to)).toEqual([[people.guardian], [people.sponsor]]);
        expect(told[0]!.summary).toContain('recorded only (no notification channel configured)');
        // Told after its step started waiting, before the decision.
        const order = trail.entries.map((e) => `${e.kind}:${e.stepId ?? ''}`);
        expect(order.indexOf('notification:')).toBeGreaterThan(order.indexOf('step-started:approval-1'));
        expect(order.indexOf('notification:')).toBeLessThan(order.indexOf('decision:approval-1'));
        // The dossier of that trail verifies (the recorded notifications are in its hash chain).
        const dossier = await zipTrailDossier(trail);
        expect(verifyDossierZip(dossier.zip, { expectManifestSha256: dossier.manifestSha256 })).toMatchObject({
          ok: true,
          anchored: true,
          head: trail.head,
        });
        // Its Go-live Plan says the two were recorded, not sent.
        const plan = [...unzipDossier(dossier.zip)].filter(([name]) => /go-live-plan.*\.md$/.test(name));
        expect(plan).toHaveLength(1);
        expect(Buffer.from(plan[0]![1]).toString('utf8')).toContain(
          '2 notification(s) in this run so far (see the handover log): 2 recorded only, because no notification channel was configured when the run started.',
        );

        // Search attributes: at most one upsert per workflow task, and only values that changed.
        const shown = new Map<string, string>();
        for (const task of upsertsPerTask(events)) {
          expect(task.length).toBeLessThanOrEqual(1);
          for (const [k, v] of Object.entries(task[0] ?? {})) {
            expect(shown.get(k), `${k} upserted unchanged`).not.toBe(v);
            shown.set(k, v);
          }
        }
        expect(JSON.parse(shown.get('GoLiveState')!)).toBe('live');

        // One patch marker: the newest patch stands for the older ones (runContext.ts, fewerEvents).
        expect(events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')).toHaveLength(1);

        // A decision's task writes no timer: the first approval's deadline timer is kept for the
        // second's (deadlineAlarm.ts), and nothing is cancelled when the last one settles.
        expect(decisionTaskEvents(events)).toEqual([
          ['UPSERT_WORKFLOW_SEARCH_ATTRIBUTES'],
          ['UPSERT_WORKFLOW_SEARCH_ATTRIBUTES'],
        ]);

        // The batching waits on the SDK's condition loop: the history replays as it was recorded.
        const replay = await Worker.runReplayHistory(
          { workflowBundle: { codePath: inject('workflowBundlePath') } },
          history,
          handle.workflowId,
        );
        expect(replay).toBeUndefined();
      });
    },
  );

  it('started without the channels recorded (older servers, other clients), hands notifications to the activity', async () => {
    const { taskQueue, run } = await testWorker();
    await run(async () => {
      const handle = await startRun(client(), taskQueue, await shapeInput(sandbox));
      const result = await runToLive(handle);
      const events = (await handle.fetchHistory()).events ?? [];
      expect(notifyActivities(events)).toHaveLength(2);
      expect(result.notifications).toBeUndefined();
      const trail = await buildAuditTrail({ client: client(), workflowId: handle.workflowId, refusals: [] });
      const told = trail.entries.filter((e) => e.kind === 'notification');
      expect(told.map((e) => e.details.to)).toEqual([[people.guardian], [people.sponsor]]);
    });
  });

  it('in hypercare records the report and the thank-you for people, and carries them across continue-as-new', async () => {
    const { taskQueue, run } = await testWorker();
    await run(async () => {
      const input = inputFor(
        {
          steps: [
            {
              id: 'hypercare',
              kind: 'hypercare',
              title: 'Hypercare',
              duration: '5s',
              checkpointEvery: '2s',
              responseDeadline: '1h',
              notifyOnReport: ['operations'],
              stopAuthority: ['guardian', 'operations'],
            },
          ],
        },
        { notifyChannels: [] },
      );
      const handle = await startRun(client(), taskQueue, input);
      await waitForState(handle, (s) => s.status === 'hypercare');
      await handle.executeUpdate(reportErrorUpdate, {
        args: [{ actor: actor(people.user), severity: 'high', description: 'Invented a refund policy' }],
      });
      await handle.executeUpdate(resolveReportUpdate, {
        args: [{ actor: actor(people.ops), reportId: 'R1', resolution: 'Prompt fixed' }],
      });
      const result = (await client().workflow.getHandle(handle.workflowId).result()) as RunStateView;
      expect(result.chainLength).toBeGreaterThanOrEqual(2);
      expect(result.notifications?.map((n) => [n.to, n.severity])).toEqual([
        [[people.ops, people.guardian, people.guardian2], 'critical'], // the report, to its responders
        [[people.user], 'info'], // the thank-you, to the reporter
      ]);
      expect(result.reports[0]?.thanks?.delivered).toBe(true);

      const trail = await buildAuditTrail({ client: client(), workflowId: handle.workflowId, refusals: [] });
      expect(trail.runIds.length).toBeGreaterThanOrEqual(2);
      const told = trail.entries.filter((e) => e.kind === 'notification');
      expect(told.map((e) => e.details.to)).toEqual([[people.ops, people.guardian, people.guardian2], [people.user]]);
      for (const runId of trail.runIds) {
        const events = (await client().workflow.getHandle(handle.workflowId, runId).fetchHistory()).events ?? [];
        expect(notifyActivities(events)).toEqual([]);
      }
    });
  });

  it('a scheduled oversight review of such a run records its reminder and its miss instead of sending them', async () => {
    const { taskQueue, run } = await testWorker();
    await run(async () => {
      const review: ReviewInput = {
        parentRunId: 'golive-parent',
        system: 'fewer-events',
        collaborationMode: 3,
        duty: {
          id: 'weekly-sample',
          title: 'Weekly sample',
          modes: [3],
          every: '7d',
          reviewers: ['guardian'],
          sampleSize: 0,
          within: '1s',
          escalation: [],
          onMissed: ['operations'],
        },
        initiatorId: people.initiator,
        assignments: { guardian: [people.guardian], operations: [people.ops] },
        delegations: [],
        directoryBound: false,
        notifyChannels: [],
      };
      const handle = await client().workflow.start(OVERSIGHT_REVIEW_WORKFLOW, {
        taskQueue,
        workflowId: uniqueId('review'),
        args: [review],
      });
      const view = (await handle.result()) as ReviewView;
      expect(view.status).toBe('missed');
      expect(view.notifications?.map((n) => n.to)).toEqual([[people.guardian], [people.ops, people.guardian]]);
      expect(notifyActivities((await handle.fetchHistory()).events ?? [])).toEqual([]);
    });
  });
});
