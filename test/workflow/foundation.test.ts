import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveStepUpdate, getRunStateQuery } from '../../src/contract/definitions';
import { runbookKey, runStateKey, systemKey } from '../../src/contract/searchAttributes';
import { actor, inputFor, oneApproval, people, startRun, waitForState } from '../support/runs';
import { useTestClient, testWorker } from '../support/temporal';

/** The foundation: a real workflow on the real dev server waits for an Update and completes. */
describe('foundation', () => {
  const client = useTestClient({ beforeAll, afterAll });

  it('runs a one-approval runbook to live on the real dev server', async () => {
    const { taskQueue, run } = await testWorker();
    await run(async () => {
      const handle = await startRun(client(), taskQueue, inputFor(oneApproval()));
      const waiting = await waitForState(handle, (s) => s.status === 'waiting');
      expect(waiting.waitingRoles).toEqual(['guardian']);
      const step = await handle.executeUpdate(approveStepUpdate, {
        args: [{ actor: actor(people.guardian), stepId: 'sign-off', comment: 'looks good' }],
      });
      expect(step.status).toBe('completed');
      const result = await handle.result();
      expect(result.status).toBe('live');
      expect(result.decisions).toHaveLength(1);
      expect(result.decisions[0]).toMatchObject({
        actor: { id: people.guardian },
        role: 'guardian',
        comment: 'looks good',
      });
      expect((await handle.query(getRunStateQuery)).status).toBe('live');
      // The run makes itself findable: identity and state as search attributes.
      const attrs = (await handle.describe()).typedSearchAttributes;
      expect(attrs.get(systemKey)).toBe('test-system');
      expect(attrs.get(runbookKey)).toBe('test-runbook');
      expect(attrs.get(runStateKey)).toBe('live');
    });
  });
});
