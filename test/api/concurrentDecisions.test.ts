import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunStateView } from '../../src/contract/definitions';
import { apiAs, eventually, smallRunbookVariant, useExtraRunbooks, useTestApp } from '../support/app';

/**
 * One person, one decision, under any concurrency. Random batches of approvals, rejections,
 * evidence and stops from several people are fired at the same waiting step at once, through
 * the API; whatever order the workflow takes them in, the record must be one a sequential run
 * could have produced: each person decides once, no quorum is exceeded, a rejection ends the
 * step (nothing is recorded after it, nor after the last quorum was met), every answered
 * decision is in the record and every refused one is a 403 or 409 and is not.
 */

const RUNBOOK = 'web-quorum';
const runbooks = useExtraRunbooks(
  { beforeAll, afterAll },
  {
    [`${RUNBOOK}.yaml`]: smallRunbookVariant(RUNBOOK, [
      [
        'approvers: [{ role: guardian, quorum: 1 }]',
        'approvers: [{ role: guardian, quorum: 2 }, { role: business-sponsor, quorum: 1 }]',
      ],
    ]),
  },
);
const app = useTestApp({ beforeAll, afterAll }, runbooks);
const as = (id: string) => apiAs(app(), id);

const QUORUM: Record<string, number> = { guardian: 2, 'business-sponsor': 1 };
type Act =
  | { who: 'guardian' | 'guardian2' | 'sponsor'; kind: 'approve' | 'reject' }
  | { who: 'ie'; kind: 'evidence' }
  | { who: 'ops'; kind: 'stop' };

const act: fc.Arbitrary<Act> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      who: fc.constantFrom('guardian' as const, 'guardian2' as const, 'sponsor' as const),
      kind: fc.constantFrom('approve' as const, 'reject' as const),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ who: 'ie' as const, kind: 'evidence' as const }) },
  { weight: 1, arbitrary: fc.constant({ who: 'ops' as const, kind: 'stop' as const }) },
);

async function view(runId: string): Promise<RunStateView> {
  return (await as('rm')<RunStateView>('GET', `/api/runs/${runId}`)).body;
}

async function runWaitingAtTheGate(n: number): Promise<string> {
  const res = await as('rm')('POST', '/api/runs', {
    runbook: RUNBOOK,
    system: `race-${n}`,
    collaborationMode: 2,
    assignments: { guardian: ['guardian', 'guardian2'] },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const runId = res.body.runId as string;
  const stepIs = (id: string, status: string) => async () =>
    (await view(runId)).steps.find((s) => s.id === id)?.status === status ? true : undefined;
  await eventually(stepIs('validation-report', 'waiting'), 'evidence awaited');
  await as('ie')('POST', `/api/runs/${runId}/steps/validation-report/evidence`, { itemId: 'accuracy', value: 98 });
  await eventually(stepIs('guardian-sign-off', 'waiting'), 'the gate awaited');
  return runId;
}

function fire(runId: string, a: Act) {
  const run = `/api/runs/${runId}`;
  if (a.kind === 'evidence')
    return as(a.who)('POST', `${run}/steps/validation-report/evidence`, { itemId: 'accuracy', value: 90 });
  if (a.kind === 'stop') return as(a.who)('POST', `${run}/stop`, { reason: 'racing stop' });
  return as(a.who)('POST', `${run}/steps/guardian-sign-off/decisions`, {
    decision: a.kind,
    comment: `${a.who} ${a.kind}`,
  });
}

describe('racing decisions on one step', () => {
  it('record what some sequential order would have (property, real workflows)', async () => {
    let n = 0;
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.array(act, { minLength: 4, maxLength: 14 }), async (acts) => {
        const runId = await runWaitingAtTheGate(n++);
        const answers = await Promise.all(acts.map((a) => fire(runId, a)));
        for (const r of answers) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        const state = await eventually(async () => {
          const s = await view(runId);
          const gate = s.steps.find((x) => x.id === 'guardian-sign-off')!;
          return gate.status !== 'waiting' || s.status === 'waiting' ? s : undefined;
        }, 'the run to take in the batch');
        const decisions = state.decisions.filter((d) => d.stepId === 'guardian-sign-off').sort((a, b) => a.seq - b.seq);

        const people = decisions.map((d) => d.actor.id);
        expect(new Set(people).size, `one decision each: ${people.join(', ')}`).toBe(people.length);
        for (const [role, quorum] of Object.entries(QUORUM)) {
          expect(
            decisions.filter((d) => d.decision === 'approve' && (d.onBehalfOf ?? d.role) === role).length,
          ).toBeLessThanOrEqual(quorum);
        }
        const reject = decisions.findIndex((d) => d.decision === 'reject');
        if (reject >= 0) expect(reject, 'nothing recorded after a rejection').toBe(decisions.length - 1);
        acts.forEach((a, i) => {
          const res = answers[i]!;
          if (res.status >= 300)
            expect([403, 409], `${a.who} ${a.kind}: ${JSON.stringify(res.body)}`).toContain(res.status);
          if (a.kind === 'approve' || a.kind === 'reject') {
            const recorded = decisions.some((d) => d.actor.id === a.who && d.decision === a.kind);
            if (res.status < 300) expect(recorded, `${a.who}'s answered ${a.kind} is in the record`).toBe(true);
          }
        });
        // Every recorded decision was answered as accepted to exactly one request.
        for (const d of decisions) {
          const accepted = acts.filter(
            (a, i) => a.who === d.actor.id && a.kind === d.decision && answers[i]!.status < 300,
          );
          expect(accepted.length, `${d.actor.id} ${d.decision}`).toBe(1);
        }
        if (answers.some((r, i) => acts[i]!.kind === 'stop' && r.status < 300)) {
          await eventually(
            async () =>
              ['rolled-back', 'rollback-incomplete'].includes((await view(runId)).status) ? true : undefined,
            'the stopped run to roll back',
          );
        }
      }),
      { numRuns: 8, seed: 20261202, endOnFailure: true },
    );
    console.log(`racing decisions: answers by status ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
    expect(statuses.get(500) ?? 0).toBe(0);
  });
});
