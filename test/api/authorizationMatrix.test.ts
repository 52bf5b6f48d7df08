import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunStateView } from '../../src/contract/definitions';
import { allowedActions, authorize, Refusal, type Action, type Person } from '../../src/contract/policy';
import { factsFromView } from '../../src/contract/runFacts';
import { apiAs, eventually, SMALL_RUNBOOK, useTestApp } from '../support/app';

/**
 * The authorization matrix, generated from the policy module: every person (each role, the
 * initiator, a Guardian the run did not assign, an auditor who only reads) × every action × each
 * state of a run. For each, the policy's answer must be what the web UI offers (the forms on the
 * run page, button by button) and what the API and the workflow do: an allowed act is accepted
 * (on a run of its own, brought to the same state), a refused one is refused with the policy's
 * own reason and leaves the trail as it was.
 */

const app = useTestApp({ beforeAll, afterAll });
const as = (id: string) => apiAs(app(), id);
const PEOPLE = ['rm', 'ie', 'guardian', 'guardian2', 'sponsor', 'ops', 'user', 'auditor'] as const;
const STATES = ['evidence', 'approval', 'hypercare', 'ended'] as const;
type State = (typeof STATES)[number];

const person = (id: string): Person => ({ id, roles: app().credentials[id]!.roles });
const key = (a: Action): string =>
  [
    a.kind,
    'stepId' in a ? a.stepId : '',
    'itemId' in a ? a.itemId : '',
    'decision' in a ? a.decision : '',
    'reportId' in a ? a.reportId : '',
  ]
    .filter(Boolean)
    .join(':');

/** Every action worth asking about in a run of the small runbook. */
const CANDIDATES: Action[] = [
  { kind: 'read' },
  { kind: 'submit', stepId: 'validation-report', itemId: 'accuracy' },
  { kind: 'decide', stepId: 'guardian-sign-off', decision: 'approve' },
  { kind: 'decide', stepId: 'guardian-sign-off', decision: 'reject' },
  { kind: 'report', anonymous: false },
  { kind: 'resolve', reportId: 'R1' },
  { kind: 'acknowledge', reportId: 'R1' },
  { kind: 'stop' },
  { kind: 'rollback' },
];

async function view(runId: string): Promise<RunStateView> {
  return (await as('rm')<RunStateView>('GET', `/api/runs/${runId}`)).body;
}

async function until(runId: string, ok: (s: RunStateView) => boolean, what: string): Promise<RunStateView> {
  return eventually(async () => {
    const s = await view(runId);
    return ok(s) ? s : undefined;
  }, what);
}

const waiting = (stepId: string) => (s: RunStateView) => s.steps.find((x) => x.id === stepId)?.status === 'waiting';

/** A run of the small runbook brought to `state` through the API. The initiator also stands in as a Guardian. */
async function runAt(state: State, system: string): Promise<string> {
  const started = await as('rm')('POST', '/api/runs', {
    runbook: SMALL_RUNBOOK,
    system,
    collaborationMode: 2,
    assignments: { guardian: ['guardian'] },
    delegations: [{ role: 'guardian', person: 'rm', reason: 'covers for the Guardian this week' }],
  });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  const runId = started.body.runId as string;
  await until(runId, waiting('validation-report'), 'evidence to be awaited');
  if (state === 'evidence') return runId;
  await as('ie')('POST', `/api/runs/${runId}/steps/validation-report/evidence`, { itemId: 'accuracy', value: 97 });
  await until(runId, waiting('guardian-sign-off'), 'the sign-off to be awaited');
  if (state === 'approval') return runId;
  await as('guardian')('POST', `/api/runs/${runId}/steps/guardian-sign-off/decisions`, { decision: 'approve' });
  await until(runId, (s) => s.status === 'hypercare', 'hypercare');
  expect(
    (await as('user')('POST', `/api/runs/${runId}/reports`, { severity: 'low', description: 'first report' })).status,
  ).toBe(201);
  if (state === 'hypercare') return runId;
  await as('guardian')('POST', `/api/runs/${runId}/stop`, { reason: 'end of the watch' });
  await until(runId, (s) => ['rolled-back', 'rollback-incomplete'].includes(s.status), 'the run to end');
  return runId;
}

/** The action sent through the API as the person would send it. */
function send(who: string, runId: string, a: Action) {
  const api = as(who);
  const run = `/api/runs/${runId}`;
  switch (a.kind) {
    case 'read':
      return api('GET', run);
    case 'submit':
      return api('POST', `${run}/steps/${a.stepId}/evidence`, { itemId: a.itemId, value: 95 });
    case 'decide':
      return api('POST', `${run}/steps/${a.stepId}/decisions`, { decision: a.decision, comment: 'matrix' });
    case 'report':
      return api('POST', `${run}/reports`, { severity: 'low', description: `reported by ${who}` });
    case 'resolve':
      return api('POST', `${run}/reports/${a.reportId}/resolution`, { resolution: 'answered' });
    case 'acknowledge':
      return api('POST', `${run}/reports/${a.reportId}/acknowledgement`, { text: 'seen' });
    case 'stop':
      return api('POST', `${run}/stop`, { reason: 'matrix' });
    case 'rollback':
      return api('POST', `${run}/rollback`, { reason: 'matrix' });
    case 'resend':
      return api('POST', `${run}/steps/${a.stepId}/resend`, {});
    case 'review':
      throw new Error('an oversight review is an act on a review, not on the run (test/workflow/oversight.test.ts)');
  }
}

/** The acts the run page offers this person, read from its forms and their buttons. */
async function offeredByUi(who: string, runId: string): Promise<string[] | 'not found'> {
  const res = await as(who)('GET', `/runs/${runId}`);
  if (res.status === 404) return 'not found';
  expect(res.status).toBe(200);
  const page = String(res.body);
  const offered = ['read'];
  for (const [, id, body] of page.matchAll(/<form[^>]* id="([^"]+)-form"[^>]*>([\s\S]*?)<\/form>/g)) {
    if (id === 'rb') offered.push('report');
    else if (id === 'stop-reason') offered.push('stop');
    else if (id === 'rollback-reason') offered.push('rollback');
    else if (id!.startsWith('res-')) offered.push(`resolve:${id!.slice(4)}`);
    else if (id!.startsWith('resend-')) offered.push(`resend:${id!.slice(7)}`);
    else if (id!.startsWith('ev-validation-report-'))
      offered.push(`submit:validation-report:${id!.slice('ev-validation-report-'.length)}`);
    else if (id!.startsWith('decide-')) {
      for (const d of ['approve', 'reject'])
        if (body!.includes(`value="${d}"`)) offered.push(`decide:${id!.slice(7)}:${d}`);
    }
  }
  return [...new Set(offered)].sort();
}

interface TrailEntry {
  kind: string;
  actor?: string;
  summary: string;
}

async function trailOf(runId: string): Promise<TrailEntry[]> {
  return (await as('rm')('GET', `/api/runs/${runId}/history`)).body.entries as TrailEntry[];
}

describe('the authorization matrix: policy = UI = API = workflow', () => {
  const runs = {} as Record<State, string>;
  beforeAll(async () => {
    for (const s of STATES) runs[s] = await runAt(s, `matrix-${s}`);
  }, 300_000);

  it.each(STATES)(
    'in a run waiting at %s, each person is offered and allowed exactly what the policy says',
    async (state) => {
      const runId = runs[state];
      const facts = factsFromView(await view(runId));
      const granted: { who: string; action: Action }[] = [];
      for (const who of PEOPLE) {
        const expected = allowedActions(facts, person(who)).map(key).sort();
        const ui = await offeredByUi(who, runId);
        expect(ui, `${who} in ${state}: the page`).toEqual(expected.includes('read') ? expected : 'not found');
        for (const action of CANDIDATES) {
          const verdict = authorize(facts, person(who), action);
          if (!(verdict instanceof Refusal)) {
            if (action.kind !== 'read') granted.push({ who, action });
            continue;
          }
          const before = (await trailOf(runId)).length;
          const res = await send(who, runId, action);
          const what = `${who} ${key(action)} in ${state}`;
          // Whoever may not read the run hears it does not exist, whatever they send; the others hear why.
          const reader = !(authorize(facts, person(who), { kind: 'read' }) instanceof Refusal);
          if (!reader) expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(404);
          else expect(res.body.error?.reason, `${what}: ${JSON.stringify(res.body)}`).toBe(verdict.type);
          // Nothing of theirs in the trail. (The full suite under load once saw the trail grow by
          // one here; the entries added are named so that the next time says what it was.)
          const added = (await trailOf(runId)).slice(before);
          expect(
            added.filter((e) => e.actor === who),
            `${what} left a trace: ${JSON.stringify(added)}`,
          ).toEqual([]);
        }
      }
      // Each allowed act, on a run of its own in the same state: accepted.
      const accepted = await Promise.all(
        granted.map(async ({ who, action }, i) => {
          const own = await runAt(state, `matrix-${state}-${i}`);
          const res = await send(who, own, action);
          return [`${who} ${key(action)}`, res.status < 300 ? 'accepted' : `${res.status} ${JSON.stringify(res.body)}`];
        }),
      );
      expect(accepted).toEqual(granted.map(({ who, action }) => [`${who} ${key(action)}`, 'accepted']));
    },
  );
});
