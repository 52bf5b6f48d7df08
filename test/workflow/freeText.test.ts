import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { type ApplicationFailure } from '@temporalio/common';
import { approveStepSignal, approveStepUpdate, getRunStateQuery } from '../../src/contract/definitions';
import { CONTROL_CHARACTERS_MESSAGE, LONE_SURROGATE_MESSAGE } from '../../src/contract/freeText';
import { actor, inputFor, oneApproval, people, startRun, stepStatus, waitForState } from '../support/runs';
import { testWorker, useTestClient } from '../support/temporal';

/**
 * Control characters (C0 and C1) and lone surrogates in free text and names (QA: a NUL in a
 * comment was stored and shown raw): the Update's validator refuses them before anything reaches
 * history, and a Signal carrying them is recorded as refused, in a run started with this code
 * (older histories replay as recorded: test/replay).
 */

describe('free text with control characters', () => {
  const client = useTestClient({ beforeAll, afterAll });

  it('is refused by the validator before history, and as a Signal', async () => {
    const { taskQueue, run } = await testWorker();
    await run(async () => {
      const handle = await startRun(client(), taskQueue, inputFor(oneApproval()));
      await waitForState(handle, (s) => stepStatus(s, 'sign-off') === 'waiting');
      const events = async () => (await handle.fetchHistory()).events?.length ?? 0;
      // Once quiet: a waiting step first sends its notifications.
      let before = await events();
      for (let now = -1; now !== before;) {
        await new Promise((r) => setTimeout(r, 300));
        [before, now] = [await events(), before];
      }

      const err: unknown = await handle
        .executeUpdate(approveStepUpdate, {
          args: [{ actor: actor(people.guardian), stepId: 'sign-off', comment: 'fine\u0000' }],
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
      const cause = (err as WorkflowUpdateFailedError).cause as ApplicationFailure;
      expect(cause.type).toBe('InvalidInput');
      expect(cause.message).toBe(`comment: ${CONTROL_CHARACTERS_MESSAGE}`);
      // C1 control characters, lone surrogates and control characters in a name: the same.
      const refusals = [
        [{ comment: 'fine\u009b2J' }, `comment: ${CONTROL_CHARACTERS_MESSAGE}`],
        [{ comment: 'fine \ud800' }, `comment: ${LONE_SURROGATE_MESSAGE}`],
        [{ actor: { id: people.guardian, name: 'Gina\u0007' } }, `actor.name: ${CONTROL_CHARACTERS_MESSAGE}`],
      ] as const;
      for (const [change, message] of refusals) {
        const refused: unknown = await handle
          .executeUpdate(approveStepUpdate, {
            args: [{ actor: actor(people.guardian), stepId: 'sign-off', comment: 'fine', ...change }],
          })
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect(((refused as WorkflowUpdateFailedError).cause as ApplicationFailure).message).toBe(message);
      }
      expect(await events()).toBe(before);

      await handle.signal(approveStepSignal, {
        actor: actor(people.guardian),
        stepId: 'sign-off',
        comment: '\u001b[2Jfine',
      });
      const state = await waitForState(handle, (s) => s.refusedSignals.length > 0);
      expect(state.refusedSignals[0]).toMatchObject({
        signal: 'approveStep',
        actorId: people.guardian,
        type: 'InvalidInput',
        reason: `comment: ${CONTROL_CHARACTERS_MESSAGE}`,
      });
      await handle.signal(approveStepSignal, { actor: actor(people.guardian), stepId: 'sign-off', comment: '\udc00' });
      const again = await waitForState(handle, (s) => s.refusedSignals.length > 1);
      expect(again.refusedSignals[1]).toMatchObject({
        type: 'InvalidInput',
        reason: `comment: ${LONE_SURROGATE_MESSAGE}`,
      });
      expect(stepStatus(await handle.query(getRunStateQuery), 'sign-off')).toBe('waiting');
      await handle.terminate('test done');
    });
  });
});
