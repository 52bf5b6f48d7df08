import type { Client, WorkflowHandle } from '@temporalio/client';
import type { TestSandbox } from '../support/sandbox';
import {
  rejectStepUpdate,
  reportErrorUpdate,
  resolveReportUpdate,
  stopLineUpdate,
} from '../../src/contract/definitions';
import { autopilot } from '../support/autopilot';
import { defaultRunbookInput } from '../support/defaultRunbook';
import { hypercareOnly, inputFor, people, startRun, waitForState } from '../support/runs';

/**
 * The runs whose histories are committed under test/fixtures/histories: the default runbook
 * going live (with a Red Button report in hypercare), and one rejected at Gate 4 and rolled
 * back. Recorded by record.ts; replayed by replay.test.ts against the current workflow code.
 */

export interface Scenario {
  name: string;
  run(client: Client, taskQueue: string, sandbox: TestSandbox): Promise<WorkflowHandle>;
}

export const scenarios: Scenario[] = [
  {
    name: 'default-runbook-live',
    async run(client, taskQueue, sandbox) {
      const input = await defaultRunbookInput(sandbox, '4s');
      const handle = await startRun(client, taskQueue, input);
      await autopilot(handle, input, (s) => s.status === 'hypercare');
      await handle.executeUpdate(reportErrorUpdate, {
        args: [{ actor: { id: people.user }, severity: 'medium', description: 'Answer cited a retired policy' }],
      });
      await handle.executeUpdate(resolveReportUpdate, {
        args: [{ actor: { id: people.ops }, reportId: 'R1', resolution: 'Knowledge base refreshed' }],
      });
      await handle.result();
      return handle;
    },
  },
  {
    name: 'default-runbook-gate4-rejected',
    async run(client, taskQueue, sandbox) {
      const input = await defaultRunbookInput(sandbox, '3s');
      const handle = await startRun(client, taskQueue, input);
      await autopilot(handle, input, (s) => s.steps.find((x) => x.id === 'gate-4')?.status === 'waiting', {
        skip: ['gate-4'],
      });
      await handle.executeUpdate(rejectStepUpdate, {
        args: [{ actor: { id: people.sponsor }, stepId: 'gate-4', comment: 'not this quarter' }],
      });
      await waitForState(handle, (s) => s.status === 'rolled-back');
      await handle.result();
      return handle;
    },
  },
  {
    // Reports arriving in batches while hypercare announces earlier ones with `notify` activities:
    // recorded with the watch walking the live list of reports (before golive-hypercare-passes).
    name: 'hypercare-report-flood',
    async run(client, taskQueue) {
      const handle = await startRun(client, taskQueue, inputFor(hypercareOnly()));
      await waitForState(handle, (s) => s.status === 'hypercare');
      const report = (n: number) =>
        handle.executeUpdate(reportErrorUpdate, {
          args: [{ actor: { id: people.user }, severity: 'low', description: `flood ${n}` }],
        });
      // Five at a time: Temporal takes at most ten Updates in flight per run.
      for (let batch = 0; batch < 3; batch++) await Promise.all([1, 2, 3, 4, 5].map((i) => report(batch * 5 + i)));
      await waitForAnnouncements(client, handle.workflowId, 15);
      await handle.executeUpdate(stopLineUpdate, { args: [{ actor: { id: people.ops }, reason: 'flood recorded' }] });
      await handle.result();
      return handle;
    },
  },
];

/** Until `count` activities (the announcements) have completed in the run's history. */
async function waitForAnnouncements(client: Client, workflowId: string, count: number): Promise<void> {
  for (let tries = 0; tries < 600; tries++) {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const done = (history.events ?? []).filter((e) => e.activityTaskCompletedEventAttributes).length;
    if (done >= count) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`fewer than ${count} announcements in ${workflowId}`);
}
