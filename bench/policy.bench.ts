import { authorize as decide, Refusal } from '../src/contract/policy';
import { RunState } from '../workflows/runState';
import { compareAll, mb, retained, type Bench, type Comparison } from './harness';
import { defaultInput, person } from './fixtures';

/**
 * Queries call RunState.view() on every poll (UI, CLI --follow), so its cost as a run grows
 * matters; structuredClone of the carried state is the baseline: one visit of every record, the
 * O(n) yardstick. A ratio that stays flat as n grows means view() is O(n) too; one that falls
 * means it does less than a copy (it hands out the record arrays as they are). A query also ships
 * its answer as JSON, so JSON.stringify of the run's whole result and of the bounded query answer
 * (workflows/viewBounds.ts) are measured at the largest size.
 * authorize (every message's validator and handler, facts included) is compared with
 * itself on a small run: a ratio near 1 means run size does not reach it.
 */

const SIZES = [100, 1_000, 10_000];
const T0 = Date.parse('2025-01-01T00:00:00Z');
const at = (i: number) => new Date(T0 + i * 60_000).toISOString();

/**
 * A run part-way through: one evidence step and Gate 4 waiting (so view() works out who may act),
 * and `records` records split evenly over decisions, evidence submissions and Red Button reports.
 */
function longRun(records: number, onlyReports = false): RunState {
  const state = new RunState(defaultInput(), at(0));
  state.setStep('oversight-protocol', 'waiting', at(0));
  state.setStep('gate-4', 'waiting', at(0));
  const guardian = person.guardian;
  const share = onlyReports ? 0 : Math.floor(records / 3);
  for (let i = 0; i < share; i++) {
    const grant = { role: 'guardian', countsFor: 'guardian', source: 'directory' as const };
    state.recordDecision(
      'dossier-signoff',
      'approve',
      { id: guardian },
      grant,
      `looked again (${i})`,
      ['compliance-dossier'],
      at(i),
    );
  }
  const items = ['oversight-protocol', 'escalation-paths', 'intervention-levels'];
  for (let i = 0; i < share; i++) {
    const itemId = items[i % items.length]!;
    const value = {
      name: `${itemId} v${i}.pdf`,
      sha256: 'a'.repeat(64),
      url: `https://docs.example.com/${itemId}/${i}`,
    };
    state.recordEvidence('oversight-protocol', itemId, value, 'revised', { id: guardian }, 'guardian', at(i));
  }
  for (let i = 0; i < records - 2 * share; i++) {
    const report = {
      severity: 'medium' as const,
      description: `Answer ${i} cited a retired policy`,
      reporter: person.user,
      at: at(i),
      responseDueAt: at(i + 60),
    };
    state.addReport({ ...report, status: 'open', escalationLevel: 0 }, undefined);
  }
  return state;
}

/** The sponsor deciding Gate 4, as the approve Update's validator asks it (facts built each time, as there). */
function authorize(state: RunState) {
  const request = { kind: 'decide' as const, stepId: 'gate-4', decision: 'approve' as const };
  const sponsor = { id: person.sponsor, roles: ['business-sponsor'] };
  if (decide(state.facts(), sponsor, request) instanceof Refusal)
    throw new Error('the sponsor should be allowed to decide Gate 4');
  return () => decide(state.facts(), sponsor, request);
}

export const bench: Bench = {
  name: 'policy',
  async run() {
    // What every state holds whatever its size (input, plan, first-use allocations) is not per record.
    longRun(SIZES[0]!); // first-use allocations (schemas, caches) are no state's own
    const comparisons: Comparison[] = [];
    for (const n of SIZES) {
      const { value: state, heapBytes } = await retained(() => longRun(n));
      comparisons.push({
        what: `view() @ ${n.toLocaleString('en')} records`,
        baseline: { label: 'structuredClone(state)', run: () => structuredClone(state.data) },
        candidate: { label: 'view()', run: () => state.view() },
        memory: `state ${mb(heapBytes)}`,
      });
    }
    const [small, large] = [longRun(SIZES[0]!), longRun(SIZES.at(-1)!)];
    const json = JSON.stringify(large.view());
    // Decisions and evidence are bounded by the steps and the people; reports are not.
    const reportsOnly = longRun(SIZES.at(-1)!, true);
    const answer = JSON.stringify(reportsOnly.view({ bounded: true }));
    comparisons.push(
      {
        what: `run result @ ${SIZES.at(-1)!.toLocaleString('en')} records`,
        baseline: { label: 'structuredClone(state)', run: () => structuredClone(large.data) },
        candidate: { label: 'JSON.stringify(view())', run: () => JSON.stringify(large.view()) },
        memory: `payload ${(Buffer.byteLength(json) / 1024 / 1024).toFixed(1)} MB`,
      },
      {
        what: `query answer (bounded) @ ${SIZES.at(-1)!.toLocaleString('en')} reports`,
        baseline: { label: 'structuredClone(state)', run: () => structuredClone(reportsOnly.data) },
        candidate: {
          label: 'JSON.stringify(view({ bounded }))',
          run: () => JSON.stringify(reportsOnly.view({ bounded: true })),
        },
        memory: `payload ${(Buffer.byteLength(answer) / 1024).toFixed(0)} KB`,
      },
      {
        what: `authorize @ ${SIZES.at(-1)!.toLocaleString('en')} vs ${SIZES[0]} records`,
        baseline: { label: `same @ ${SIZES[0]}`, run: authorize(small) },
        candidate: { label: 'authorize', run: authorize(large) },
      },
    );
    return compareAll('policy', comparisons);
  },
};
