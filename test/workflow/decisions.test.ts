import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  approveStepSignal,
  approveStepUpdate,
  getRunStateQuery,
  rejectStepUpdate,
  submitEvidenceUpdate,
  type ApproveStepInput,
} from '../../src/contract/definitions';
import {
  actor,
  defaultAssignments,
  inputFor,
  oneApproval,
  people,
  startRun,
  stepStatus,
  waitForState,
} from '../support/runs';
import { useTestClient, testWorker } from '../support/temporal';

/**
 * Who may decide: refused decisions are rejected by the Update validator, so they never reach
 * history; the caller gets the reason. Escalation fires on time and delegation widens who may act.
 */

async function historyLength(handle: WorkflowHandle): Promise<number> {
  return (await handle.fetchHistory()).events?.length ?? 0;
}

/** The history length once the run has gone quiet (a waiting step first sends notifications). */
async function quietHistoryLength(handle: WorkflowHandle): Promise<number> {
  let last = await historyLength(handle);
  for (;;) {
    await new Promise((r) => setTimeout(r, 300));
    const now = await historyLength(handle);
    if (now === last) return now;
    last = now;
  }
}

async function refusalOf(p: Promise<unknown>): Promise<{ type: string | undefined; message: string }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (err as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return { type: (cause as ApplicationFailure).type ?? undefined, message: (cause as ApplicationFailure).message };
}

describe('decisions', () => {
  const client = useTestClient({ beforeAll, afterAll });

  it('refuses unauthorized, self-, duplicate and stale decisions without adding history', async () => {
    const { taskQueue, run } = await testWorker();
    await run(async () => {
      // The initiator also holds the guardian role here, to prove four-eyes beats role membership.
      const assignments = { ...defaultAssignments, guardian: [people.guardian, people.guardian2, people.initiator] };
      const handle = await startRun(
        client(),
        taskQueue,
        inputFor(
          {
            steps: [
              {
                id: 'evidence',
                kind: 'evidence',
                title: 'Model card',
                items: [{ id: 'model-card', title: 'Model card', type: 'url', submittedBy: ['ai-product-manager'] }],
              },
              {
                id: 'sign-off',
                kind: 'approval',
                title: 'Sign-off',
                approvers: [{ role: 'guardian', quorum: 2 }],
                covers: ['evidence'],
                deadline: '1h',
              },
              {
                id: 'later',
                kind: 'approval',
                title: 'Later',
                approvers: [{ role: 'business-sponsor' }],
                deadline: '1h',
              },
            ],
          },
          { assignments },
        ),
      );
      const atEvidence = await waitForState(handle, (s) => stepStatus(s, 'evidence') === 'waiting');
      expect(atEvidence.steps[0]?.items).toEqual([
        { id: 'model-card', title: 'Model card', type: 'url', optional: false, submittedBy: ['ai-product-manager'] },
      ]);

      // Evidence of the wrong type or from the wrong role is refused too.
      const badUrl = await refusalOf(
        handle.executeUpdate(submitEvidenceUpdate, {
          args: [{ actor: actor(people.initiator), stepId: 'evidence', itemId: 'model-card', value: 'not a url' }],
        }),
      );
      expect(badUrl.type).toBe('InvalidInput');
      const wrongRole = await refusalOf(
        handle.executeUpdate(submitEvidenceUpdate, {
          args: [
            {
              actor: actor(people.user),
              stepId: 'evidence',
              itemId: 'model-card',
              value: 'https://models.example/card',
            },
          ],
        }),
      );
      expect(wrongRole.type).toBe('NotAuthorized');
      await handle.executeUpdate(submitEvidenceUpdate, {
        args: [
          {
            actor: actor(people.initiator),
            stepId: 'evidence',
            itemId: 'model-card',
            value: 'https://models.example/card',
          },
        ],
      });
      const replaced = await handle.query(getRunStateQuery);
      expect(replaced.evidence).toHaveLength(1);
      expect(replaced.evidence[0]?.replaces).toBeUndefined();
      await waitForState(handle, (s) => stepStatus(s, 'sign-off') === 'waiting');

      const approve = (input: Omit<ApproveStepInput, 'stepId'> & { stepId?: string }) =>
        handle.executeUpdate(approveStepUpdate, { args: [{ stepId: 'sign-off', ...input }] });
      const before = await quietHistoryLength(handle);

      const unauthorized = await refusalOf(approve({ actor: actor(people.user) }));
      expect(unauthorized.type).toBe('NotAuthorized');
      expect(unauthorized.message).toContain('guardian');

      const self = await refusalOf(approve({ actor: actor(people.initiator) }));
      expect(self.type).toBe('SelfApproval');

      const wrongClaimedRole = await refusalOf(approve({ actor: actor(people.guardian), role: 'business-sponsor' }));
      expect(wrongClaimedRole.type).toBe('NotAuthorized');

      const stale = await refusalOf(approve({ actor: actor(people.sponsor), stepId: 'later' }));
      expect(stale.type).toBe('StepNotWaiting');

      const unknown = await refusalOf(approve({ actor: actor(people.guardian), stepId: 'nope' }));
      expect(unknown.type).toBe('UnknownStep');

      const noComment = await refusalOf(
        handle.executeUpdate(rejectStepUpdate, {
          args: [{ actor: actor(people.guardian), stepId: 'sign-off', comment: '  ' }],
        }),
      );
      expect(noComment.type).toBe('InvalidInput');
      expect(noComment.message).toContain('comment');

      expect(await historyLength(handle)).toBe(before);

      const first = await approve({ actor: actor(people.guardian), comment: 'ok' });
      expect(first.status).toBe('waiting'); // quorum 2: still waiting for a second guardian
      const afterFirst = await quietHistoryLength(handle);
      const duplicate = await refusalOf(approve({ actor: actor(people.guardian) }));
      expect(duplicate.type).toBe('DuplicateDecision');
      expect(await historyLength(handle)).toBe(afterFirst);

      // A refused Signal cannot answer: it is recorded in state and changes nothing else.
      await handle.signal(approveStepSignal, { actor: actor(people.initiator), stepId: 'sign-off' });
      const second = await approve({ actor: actor(people.guardian2) });
      expect(second.status).toBe('completed');

      const state = await handle.query(getRunStateQuery);
      expect(state.refusedSignals).toHaveLength(1);
      expect(state.refusedSignals[0]).toMatchObject({ signal: 'approveStep', actorId: people.initiator });
      expect(state.refusedSignals[0]?.reason).toContain('four-eyes');
      expect(state.decisions.map((d) => [d.actor.id, d.role, d.decision])).toEqual([
        [people.guardian, 'guardian', 'approve'],
        [people.guardian2, 'guardian', 'approve'],
      ]);
      // Each decision records the hash of the evidence it covered.
      expect(state.decisions[0]?.evidenceHash).toMatch(/^[a-f0-9]{64}$/);
      expect(state.decisions[0]?.evidenceHash).toBe(state.decisions[1]?.evidenceHash);
      await handle.terminate('test done');
    });
  });

  it('fires escalations at the configured times, delegates, and holds past the deadline', async () => {
    const { taskQueue, run } = await testWorker();
    await run(async () => {
      const handle = await startRun(
        client(),
        taskQueue,
        inputFor(
          oneApproval({
            deadline: '3s',
            onDeadline: 'hold',
            escalation: [
              { after: '1s', notify: ['ai-product-manager'] },
              { after: '2s', notify: ['operations'], delegateTo: 'business-sponsor' },
            ],
          }),
        ),
      );
      const waiting = await waitForState(handle, (s) => stepStatus(s, 'sign-off') === 'waiting');
      // Before delegation the sponsor may not decide.
      const early = await refusalOf(
        handle.executeUpdate(approveStepUpdate, { args: [{ actor: actor(people.sponsor), stepId: 'sign-off' }] }),
      );
      expect(early.type).toBe('NotAuthorized');

      const held = await waitForState(handle, (s) => s.escalations.length >= 3, 15_000);
      const startedAt = Date.parse(waiting.steps[0]!.startedAt!);
      const offsets = held.escalations.slice(0, 3).map((e) => Date.parse(e.at) - startedAt);
      expect(held.escalations.slice(0, 3).map((e) => e.level)).toEqual([1, 2, 3]);
      expect(offsets[0]).toBeGreaterThanOrEqual(1000);
      expect(offsets[1]).toBeGreaterThanOrEqual(2000);
      expect(offsets[2]).toBeGreaterThanOrEqual(3000); // the deadline: held, everyone reminded
      expect(held.escalations[0]?.notified).toEqual(['ai-product-manager']);
      expect(held.escalations[1]).toMatchObject({
        notified: ['operations', 'business-sponsor'],
        delegatedTo: 'business-sponsor',
      });
      expect(held.status).toBe('waiting'); // hold: not rejected

      const step = await handle.executeUpdate(approveStepUpdate, {
        args: [{ actor: actor(people.sponsor), stepId: 'sign-off', comment: 'delegate decision' }],
      });
      expect(step.status).toBe('completed');
      const result = await handle.result();
      expect(result.status).toBe('live');
      expect(result.decisions[0]).toMatchObject({ role: 'business-sponsor', onBehalfOf: 'guardian' });
    });
  });
});
