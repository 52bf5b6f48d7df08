import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAuditTrail, dossierFilesOf, filterEntries } from '../../src/audit';
import { verifyDossierFiles } from '../../src/audit/verify';
import { verifyChain } from '../../src/audit/chain';
import { inputFor, oneApproval, startRun, stepStatus, waitForState } from '../support/runs';
import { useTestClient, testWorker } from '../support/temporal';

/**
 * A run reset in Temporal (`temporal workflow reset`) goes on as a new run from an earlier point;
 * what the run it was reset from recorded later is not in the new run's history. The trail must
 * say so in a chained entry: who reset it, why, from which run and at which event.
 */
describe('audit trail of a run reset in Temporal', () => {
  const client = useTestClient({ beforeAll, afterAll });

  it('shows the reset as an entry naming the run it was reset from, the event and the reason', async () => {
    const { taskQueue, run } = await testWorker();
    await run(async () => {
      const handle = await startRun(
        client(),
        taskQueue,
        inputFor(oneApproval({ id: 'go', title: 'Go', approvers: [{ role: 'guardian', quorum: 1 }] })),
      );
      await waitForState(handle, (s) => stepStatus(s, 'go') === 'waiting');
      const base = await handle.describe();
      const events = (await handle.fetchHistory()).events ?? [];
      const firstTaskDone = events.find((e) => e.workflowTaskCompletedEventAttributes)!;
      const { runId: newRunId } = await client().workflowService.resetWorkflowExecution({
        namespace: 'default',
        workflowExecution: { workflowId: handle.workflowId, runId: base.runId },
        workflowTaskFinishEventId: firstTaskDone.eventId,
        reason: 'operator: a stuck workflow task',
        requestId: randomUUID(),
      });
      // The reset run goes on: the worker replays what it copied and the step waits again.
      await waitForState(client().workflow.getHandle(handle.workflowId), (s) => stepStatus(s, 'go') === 'waiting');

      const trail = await buildAuditTrail({ client: client(), workflowId: handle.workflowId });
      expect(trail.runIds).toEqual([newRunId]);
      const resets = filterEntries(trail.entries, { kind: 'run-reset' });
      expect(resets).toHaveLength(1);
      expect(resets[0]).toMatchObject({
        runId: newRunId,
        details: { baseRunId: base.runId, newRunId, resetEventId: Number(firstTaskDone.eventId) },
      });
      expect(resets[0]!.summary).toContain(`of run ${base.runId}`);
      expect(resets[0]!.summary).toContain('operator: a stuck workflow task');
      expect(verifyChain(trail.entries)).toMatchObject({ ok: true, length: trail.entries.length });
      // Its dossier (a draft: the run is open) still verifies, the reset entry in its chain.
      expect(verifyDossierFiles(await dossierFilesOf(trail))).toMatchObject({ ok: true, runIds: [newRunId] });
      await client().workflow.getHandle(handle.workflowId).terminate('test done');
    });
  });
});
