import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type StepStatus } from '../../src/contract/definitions';
import { RUN_STATUSES } from '../../src/contract/runStatus';
import { factsFromView } from '../../src/contract/runFacts';
import { RunState } from '../../workflows/runState';
import { defaultInput, person } from '../../bench/fixtures';

/**
 * One policy needs one set of facts: what the workflow decides on (built from its state) and
 * what the server, the UI and the CLI decide on (built from the view a query returns, after
 * JSON) must be equal, whatever the run has been through.
 */

const STEP_STATUSES: StepStatus[] = ['pending', 'running', 'waiting', 'completed', 'failed', 'rejected', 'cancelled'];
const PEOPLE = [person.pm, person.guardian, 'guardian.two', person.sponsor, 'eng.one', 'ops.one', person.user];

const event = fc.oneof(
  fc.record({ kind: fc.constant('step' as const), step: fc.nat(25), status: fc.constantFrom(...STEP_STATUSES) }),
  fc.record({
    kind: fc.constant('decide' as const),
    step: fc.nat(25),
    who: fc.constantFrom(...PEOPLE),
    decision: fc.constantFrom('approve' as const, 'reject' as const),
    onBehalf: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('evidence' as const), step: fc.nat(25), who: fc.constantFrom(...PEOPLE) }),
  fc.record({
    kind: fc.constant('delegate' as const),
    step: fc.nat(25),
    role: fc.constantFrom('business-sponsor', 'operations'),
  }),
  fc.record({ kind: fc.constant('report' as const), resolved: fc.boolean() }),
  fc.record({ kind: fc.constant('status' as const), status: fc.constantFrom(...RUN_STATUSES) }),
  fc.record({ kind: fc.constant('fail' as const) }),
);

describe('facts from the state and from the view', () => {
  it('are equal after any history (property)', () => {
    const input = defaultInput();
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (events) => {
        const s = new RunState(input, '2026-01-01T00:00:00.000Z');
        const ids = s.plan.map((p) => p.step.id);
        const at = (i: number) => ids[i % ids.length]!;
        for (const e of events) {
          if (e.kind === 'step') s.setStep(at(e.step), e.status, 't');
          if (e.kind === 'decide') {
            const grant = {
              role: 'guardian',
              source: 'directory' as const,
              ...(e.onBehalf ? { countsFor: 'business-sponsor' } : {}),
            };
            s.recordDecision(at(e.step), e.decision, { id: e.who }, grant, 'c', [], 't');
          }
          if (e.kind === 'evidence')
            s.recordEvidence(at(e.step), 'item', 'v', undefined, { id: e.who }, 'guardian', 't');
          if (e.kind === 'delegate') s.delegatedRoles(at(e.step)).push(e.role);
          if (e.kind === 'report') {
            const r = s.addReport(
              {
                severity: 'low',
                description: 'd',
                reporter: person.user,
                at: 't',
                responseDueAt: 't',
                status: 'open',
                escalationLevel: 0,
              },
              undefined,
            );
            if (e.resolved) s.resolveReport(r, { id: 'ops.one' }, 'done', 't');
          }
          if (e.kind === 'status') s.setStatus(e.status);
          if (e.kind === 'fail') s.fail({ kind: 'stopped', reason: 'r', at: 't' });
        }
        const view = JSON.parse(JSON.stringify(s.view()));
        expect(factsFromView(view)).toEqual(s.facts());
      }),
      { numRuns: 150, seed: 20261202 },
    );
  });
});
