import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lru } from '../../src/audit/cache';
import { fetchRunChain, type RunHistory } from '../../src/audit/history';
import { reportErrorUpdate } from '../../src/contract/definitions';
import { actor, hypercareOnly, inputFor, people, startRun, waitForState } from '../support/runs';
import { useTestClient, testWorker } from '../support/temporal';

/**
 * An open run read again: its events decoded at the last read are taken as they were (a history
 * only grows), the ones written since are decoded, and the whole reads as a read from scratch.
 */
describe('the open run of a trail, read again', () => {
  const client = useTestClient({ beforeAll, afterAll });

  it('decodes only the events written since the last read, to the same record', async () => {
    const { taskQueue, run } = await testWorker();
    await run(async () => {
      const handle = await startRun(client(), taskQueue, inputFor(hypercareOnly()));
      await waitForState(handle, (s) => s.status === 'hypercare');
      const kept = new Lru<RunHistory>(100_000, (r) => r.events.length);
      const [first] = await fetchRunChain(client(), handle.workflowId, undefined, kept);
      await handle.executeUpdate(reportErrorUpdate, {
        args: [{ actor: actor(people.user), anonymous: false, severity: 'low', description: 'one more report' }],
      });
      const [again] = await fetchRunChain(client(), handle.workflowId, undefined, kept);
      const [scratch] = await fetchRunChain(client(), handle.workflowId);
      expect(again!.events.length).toBeGreaterThan(first!.events.length);
      // The run may have gone on between the two reads: the later one has at least as much.
      expect(again!.events).toEqual(scratch!.events.slice(0, again!.events.length));
      // The events read before are the very objects decoded then; the new ones are new.
      first!.events.forEach((e, i) => expect(again!.events[i]).toBe(e));
      expect(scratch!.events[0]).not.toBe(first!.events[0]);
      expect(JSON.stringify(again!.events)).toContain('one more report');
      await handle.terminate('test done');
    });
  });
});
