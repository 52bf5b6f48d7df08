import path from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { loadRunbookFile } from '../../src/runbook/load';
import { prepareRun } from '../../src/runbook/prepare';
import type { RunningSandbox } from '../../src/sandbox/server';
import { rejectStepUpdate, reportErrorUpdate, resolveReportUpdate, type GoLiveInput } from '../../workflows/definitions';
import { autopilot } from '../support/autopilot';
import { defaultAssignments, people, startRun, waitForState } from '../support/runs';

/**
 * The runs whose histories are committed under test/fixtures/histories: the default runbook
 * going live (with a Red Button report in hypercare), and one rejected at Gate 4 and rolled
 * back. Recorded by record.ts; replayed by replay.test.ts against the current workflow code.
 */

export async function defaultRunbookInput(sandbox: RunningSandbox, hypercareDuration = '3s'): Promise<GoLiveInput> {
  const loaded = await loadRunbookFile(path.resolve(__dirname, '../../runbooks/default.yaml'));
  const hypercare = loaded.runbook.steps.at(-1);
  if (hypercare?.kind !== 'hypercare') throw new Error('the default runbook should end with hypercare');
  hypercare.duration = hypercareDuration;
  return prepareRun({
    loaded,
    system: 'claims-assistant',
    collaborationMode: 3,
    initiator: { id: people.initiator },
    assignments: defaultAssignments,
    params: { targetUrl: sandbox.url, targetPort: Number(new URL(sandbox.url).port), loadTestSeconds: 1, failoverSeconds: 2, stressMaxRate: 60 },
  });
}

export interface Scenario {
  name: string;
  run(client: Client, taskQueue: string, sandbox: RunningSandbox): Promise<WorkflowHandle>;
}

export const scenarios: Scenario[] = [
  {
    name: 'default-runbook-live',
    async run(client, taskQueue, sandbox) {
      const input = await defaultRunbookInput(sandbox, '4s');
      const handle = await startRun(client, taskQueue, input);
      await autopilot(handle, input, (s) => s.status === 'hypercare');
      await handle.executeUpdate(reportErrorUpdate, { args: [{ actor: { id: people.user }, severity: 'medium', description: 'Answer cited a retired policy' }] });
      await handle.executeUpdate(resolveReportUpdate, { args: [{ actor: { id: people.ops }, reportId: 'R1', resolution: 'Knowledge base refreshed' }] });
      await handle.result();
      return handle;
    },
  },
  {
    name: 'default-runbook-gate4-rejected',
    async run(client, taskQueue, sandbox) {
      const input = await defaultRunbookInput(sandbox);
      const handle = await startRun(client, taskQueue, input);
      await autopilot(handle, input, (s) => s.steps.find((x) => x.id === 'gate-4')?.status === 'waiting', { skip: ['gate-4'] });
      await handle.executeUpdate(rejectStepUpdate, { args: [{ actor: { id: people.sponsor }, stepId: 'gate-4', comment: 'not this quarter' }] });
      await waitForState(handle, (s) => s.status === 'rolled-back');
      await handle.result();
      return handle;
    },
  },
];
