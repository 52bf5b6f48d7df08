import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunStateView } from '../../src/contract/definitions';
import { apiAs, SMALL_RUNBOOK, smallRunbookVariant, useExtraRunbooks, useTestApp, untilStepOf } from '../support/app';

/** What people read when the API refuses: plain words per field, and the real reason for a refusal. */

const TWO_ROLES = 'web-two-roles';

// The web fixtures plus a runbook whose sign-off needs a Guardian and a Business Sponsor.
const runbooks = useExtraRunbooks(
  { beforeAll, afterAll },
  {
    [`${TWO_ROLES}.yaml`]: smallRunbookVariant(TWO_ROLES, [
      [
        'approvers: [{ role: guardian, quorum: 1 }]',
        'approvers: [{ role: guardian, quorum: 1 }, { role: business-sponsor, quorum: 1 }]',
      ],
    ]),
  },
);

const app = useTestApp({ beforeAll, afterAll }, runbooks);
const as = (id: string) => apiAs(app(), id);
const issues = (body: { error: { issues?: { path: string; message: string }[] } }) =>
  Object.fromEntries((body.error.issues ?? []).map((i) => [i.path, i.message]));

async function startRun(runbook: string, system: string): Promise<string> {
  const res = await as('rm')('POST', '/api/runs', { runbook, system, collaborationMode: 2 });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.runId as string;
}

const untilStep = (runId: string, stepId: string, status: string) => untilStepOf(app(), runId, stepId, status);

describe('validation messages in plain words', () => {
  it('says "required" for missing or empty fields and lists the allowed values', async () => {
    const empty = await as('rm')('POST', '/api/runs', {});
    expect(empty.status).toBe(400);
    expect(issues(empty.body)).toMatchObject({
      runbook: 'required',
      system: 'required',
      collaborationMode: 'required',
    });
    expect(JSON.stringify(empty.body)).not.toContain('Invalid input');

    const blank = await as('rm')('POST', '/api/runs', { runbook: SMALL_RUNBOOK, system: '', collaborationMode: 2 });
    expect(issues(blank.body).system).toBe('required');

    // A parameter is text, a number or true/false: anything else is said so, not "Invalid input".
    for (const value of [{ a: 1 }, null, [1]]) {
      const param = await as('rm')('POST', '/api/runs', {
        runbook: SMALL_RUNBOOK,
        system: 'wording-param',
        collaborationMode: 2,
        params: { note: value },
      });
      expect(param.status).toBe(400);
      expect(issues(param.body), JSON.stringify(value)).toEqual({
        'params.note': 'must be text, a number or true/false',
      });
    }
    const notMap = await as('rm')('POST', '/api/runs', {
      runbook: SMALL_RUNBOOK,
      system: 'wording-param',
      collaborationMode: 2,
      params: ['x'],
    });
    expect(issues(notMap.body)).toEqual({ params: 'must be an object' });

    const runId = await startRun(SMALL_RUNBOOK, 'wording');
    const noDecision = await as('guardian')('POST', `/api/runs/${runId}/steps/guardian-sign-off/decisions`, {});
    expect(issues(noDecision.body).decision).toBe('required (one of: approve, reject)');
    const noComment = await as('guardian')('POST', `/api/runs/${runId}/steps/guardian-sign-off/decisions`, {
      decision: 'reject',
    });
    expect(issues(noComment.body)).toEqual({ comment: 'a rejection needs a comment' });
    const blankComment = await as('guardian')('POST', `/api/runs/${runId}/steps/guardian-sign-off/decisions`, {
      decision: 'reject',
      comment: '  \n ',
    });
    expect(issues(blankComment.body)).toEqual({ comment: 'a rejection needs a comment' });

    const badSeverity = await as('user')('POST', `/api/runs/${runId}/reports`, {
      severity: 'apocalyptic',
      description: 'x',
    });
    expect(issues(badSeverity.body).severity).toBe('must be one of: low, medium, high, critical');
    const badKind = await as('rm')('GET', `/api/runs/${runId}/history?kind=bogus`);
    expect(badKind.status).toBe(400);
    expect(issues(badKind.body)['query.kind']).toMatch(/^must be one of: run-started, .+/);
    const badState = await as('rm')('GET', '/api/runs?state=sleeping');
    expect(issues(badState.body)['query.state']).toMatch(/^must be one of: running, waiting, hypercare/);
  });

  it('refuses control characters in free text with a 400 naming the field; tab and line breaks are text', async () => {
    const runId = await startRun(SMALL_RUNBOOK, 'wording-control');
    const message = 'must not contain control characters (such as NUL or ESC; tab and line breaks are fine)';
    const run = `/api/runs/${runId}`;
    const cases = [
      ['guardian', `${run}/steps/guardian-sign-off/decisions`, { decision: 'reject', comment: 'no\u0000' }, 'comment'],
      ['ie', `${run}/steps/validation-report/evidence`, { itemId: 'accuracy', value: 1, note: '\u001b[2J' }, 'note'],
      ['user', `${run}/reports`, { severity: 'high', description: 'declined\u0000 everyone' }, 'description'],
      ['guardian', `${run}/reports/R1/acknowledgement`, { text: 'seen\u0007' }, 'text'],
      ['guardian', `${run}/reports/R1/resolution`, { resolution: 'fixed\u007f' }, 'resolution'],
      ['guardian', `${run}/stop`, { reason: 'stop\u0000' }, 'reason'],
    ] as const;
    for (const [who, path, body, field] of cases) {
      const res = await as(who)('POST', path, body);
      expect(res.status, path).toBe(400);
      expect(issues(res.body), path).toEqual({ [field]: message });
    }
    const param = await as('rm')('POST', '/api/runs', {
      runbook: SMALL_RUNBOOK,
      system: 'wording-control-param',
      collaborationMode: 2,
      params: { note: 'from\u0000 the form' },
    });
    expect(param.status).toBe(400);
    expect(issues(param.body)).toEqual({ 'params.note': message });
    // Still running, nothing recorded: the stop above was refused at the boundary.
    const state = await as('rm')<RunStateView>('GET', run);
    expect(state.body.failure).toBeUndefined();
    const fine = await as('user')('POST', `${run}/reports`, { severity: 'low', description: 'line\r\n\tand tab' });
    expect(fine.status).not.toBe(400);
  });

  it('refuses C1 control characters and lone surrogates in free text and names, and line breaks in names, with a 400 naming the field', async () => {
    const runId = await startRun(SMALL_RUNBOOK, 'wording-unicode');
    const control = 'must not contain control characters (such as NUL or ESC; tab and line breaks are fine)';
    const lone = 'must be valid Unicode (a lone UTF-16 surrogate is not a character)';
    const run = `/api/runs/${runId}`;
    const cases = [
      [
        'guardian',
        `${run}/steps/guardian-sign-off/decisions`,
        { decision: 'reject', comment: 'no\u009b2J' },
        'comment',
        control,
      ],
      ['user', `${run}/reports`, { severity: 'high', description: 'broken \ud800' }, 'description', lone],
      ['guardian', `${run}/reports/R1/acknowledgement`, { text: '\udc00seen' }, 'text', lone],
      ['guardian', `${run}/stop`, { reason: 'stop\u0085' }, 'reason', control],
      ['guardian', `${run}/rollback`, { reason: 'roll \udbff back' }, 'reason', lone],
      [
        'rm',
        '/api/runs',
        { runbook: SMALL_RUNBOOK, system: 'wording-unicode-param', collaborationMode: 2, params: { note: 'x\ud800' } },
        'params.note',
        lone,
      ],
    ] as const;
    for (const [who, path, body, field, message] of cases) {
      const res = await as(who)('POST', path, body);
      expect(res.status, path).toBe(400);
      expect(issues(res.body), path).toEqual({ [field]: message });
    }
    // A name: the label of a `golive login` token (checked before the code is looked up).
    const token = await as('rm')('POST', '/api/cli-logins/token', {
      code: 'c'.repeat(43),
      verifier: 'v'.repeat(43),
      label: 'laptop\u009b',
    });
    expect(token.status).toBe(400);
    // In a name's words: "tab and line breaks are fine" is untrue of a name.
    expect(issues(token.body)).toEqual({
      label: 'must not contain control characters (such as NUL or ESC; a name is one line, without tab or line break)',
    });
    const twoLines = await as('rm')('POST', '/api/cli-logins/token', {
      code: 'c'.repeat(43),
      verifier: 'v'.repeat(43),
      label: 'work\nlaptop',
    });
    expect(issues(twoLines.body)).toEqual({ label: 'must be one line (no tab or line break)' });
    const state = await as('rm')<RunStateView>('GET', run);
    expect(state.body.failure).toBeUndefined();
    // A pair of surrogates is one character (an emoji), and text.
    const fine = await as('user')('POST', `${run}/reports`, { severity: 'low', description: 'slow \ud83d\udc22' });
    expect(fine.status).not.toBe(400);
  });

  it('escapes a control character in a field name as values are escaped (a 400 never echoes one raw)', async () => {
    const runId = await startRun(SMALL_RUNBOOK, 'wording-field-names');
    // DEL and C1 (NEL, CSI): JSON.stringify writes them raw; a terminal would act on the CSI.
    // eslint-disable-next-line no-control-regex -- the very characters that must not come back
    const raw = /[\x00-\x1f\x7f-\x9f]/;
    const refusals = [
      await as('user')('POST', `/api/runs/${runId}/reports`, { severity: 'low', description: 'x', 'a\u009b2Jb': 1 }),
      await as('rm')('POST', '/api/runs', {
        runbook: SMALL_RUNBOOK,
        system: 'wording-field-names-2',
        collaborationMode: 2,
        params: { 'note\u0085x': 'text' },
      }),
      await as('rm')('POST', '/api/runs', {
        runbook: SMALL_RUNBOOK,
        system: 'wording-field-names-3',
        collaborationMode: 2,
        assignments: { 'guard\u009bian': ['guardian'] },
      }),
      await as('ie')('POST', `/api/runs/${runId}/steps/validation-report/evidence`, {
        itemId: 'accuracy',
        value: { 'k\u007f': 1 },
      }),
    ];
    for (const res of refusals) {
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      const text = JSON.stringify(res.body.error);
      const shown = [
        res.body.error.message,
        ...(res.body.error.issues ?? []).flatMap((i: { path: string; message: string }) => [i.path, i.message]),
      ];
      for (const line of shown) expect(raw.test(line), `${text}: ${line}`).toBe(false);
    }
    expect(JSON.stringify(refusals.map((r) => r.body.error))).toMatch(/\\\\u009b2Jb/);
  });

  it('a role given by its title is refused in words about roles, with a role for example', async () => {
    const words = 'must be a role id: lowercase letters, digits and dashes (e.g. "guardian")';
    const start = await as('rm')('POST', '/api/runs', {
      runbook: SMALL_RUNBOOK,
      system: 'wording-role-title',
      collaborationMode: 2,
      assignments: { Guardian: ['guardian'] },
    });
    expect(start.status).toBe(400);
    expect(issues(start.body)).toEqual({ 'assignments.Guardian': `key "Guardian": ${words}` });
    const runId = await startRun(SMALL_RUNBOOK, 'wording-role-title-2');
    const decision = await as('guardian')('POST', `/api/runs/${runId}/steps/guardian-sign-off/decisions`, {
      decision: 'approve',
      role: 'Guardian',
    });
    expect(decision.status).toBe(400);
    expect(issues(decision.body)).toEqual({ role: words });
  });

  it('runs page and audit page name the filter they ignored and why', async () => {
    const runId = await startRun(SMALL_RUNBOOK, 'wording-filters');
    const page = async (p: string) =>
      (await fetch(app().url + p, { headers: { authorization: `Bearer ${app().credentials.rm!.token}` } })).text();
    expect(await page('/runs?state=sleeping')).toContain('state: must be one of: running, waiting');
    expect(await page(`/runs/${runId}/audit?kind=bogus`)).toContain('kind: must be one of: run-started');
  });

  it('names an unknown field by its own path, one issue each, and a body that is not an object as `body`', async () => {
    const start = { runbook: SMALL_RUNBOOK, system: 'wording-unknown', collaborationMode: 2 };
    const top = await as('rm')('POST', '/api/runs', { ...start, colour: 'red', size: 2 });
    expect(top.status).toBe(400);
    expect(top.body.error.issues).toEqual([
      { path: 'colour', message: 'unknown field' },
      { path: 'size', message: 'unknown field' },
    ]);
    const nested = await as('rm')('POST', '/api/runs', {
      ...start,
      delegations: [{ role: 'guardian', person: 'ops', reason: 'away', colour: 'red' }],
    });
    expect(issues(nested.body)).toEqual({ 'delegations[0].colour': 'unknown field' });
    const query = await as('rm')('GET', '/api/runs?bogus=1&state=running&other=2');
    expect(query.status).toBe(400);
    expect(issues(query.body)).toEqual({ 'query.bogus': 'unknown field', 'query.other': 'unknown field' });
    // A route that takes no query names the field too.
    const none = await as('rm')('GET', '/api/me?x=1');
    expect(issues(none.body)).toEqual({ 'query.x': 'unknown field' });
    // The body as a whole is `body` whichever check refused it: the JSON parser (null) or the schema.
    for (const raw of ['null', '[1]', '"text"']) {
      const res = await as('rm')('POST', '/api/runs', raw);
      expect(res.status, raw).toBe(400);
      expect(res.body.error.issues, raw).toEqual([{ path: 'body', message: 'must be an object' }]);
    }
  });

  it('a query parameter that takes one value, given twice, must be given once; one that takes a list is judged by its values', async () => {
    const twice = await as('rm')('GET', '/api/runs?state=running&state=waiting&pageSize=5&pageSize=6');
    expect(twice.status).toBe(400);
    expect(issues(twice.body)).toEqual({ 'query.state': 'must be given once', 'query.pageSize': 'must be given once' });
    // Given twice with a bad value is still said once, about the count.
    const bad = await as('rm')('GET', '/api/runs?state=sleeping&state=running');
    expect(bad.body.error.issues).toEqual([{ path: 'query.state', message: 'must be given once' }]);
    // `kind` and the Red Button's `runbook` take a list.
    const runId = await startRun(SMALL_RUNBOOK, 'wording-repeated');
    const kinds = await as('rm')('GET', `/api/runs/${runId}/history?kind=decision&kind=run-started`);
    expect(kinds.status).toBe(200);
    const badKind = await as('rm')('GET', `/api/runs/${runId}/history?kind=decision&kind=bogus`);
    expect(badKind.status).toBe(400);
    expect(JSON.stringify(badKind.body.error.issues)).toMatch(/must be one of: run-started/);
    expect(JSON.stringify(badKind.body.error.issues)).not.toContain('given once');
    const runbooks = await as('rm')('GET', `/api/reports?runbook=${SMALL_RUNBOOK}&runbook=${TWO_ROLES}`);
    expect(runbooks.status).toBe(200);
    const person = await as('rm')('GET', `/api/runs/${runId}/history?person=rm&person=ie`);
    expect(issues(person.body)).toEqual({ 'query.person': 'must be given once' });
  });

  it("unknown pages get a page in the app's look; assets and pages have their own metrics labels", async () => {
    const missing = await fetch(`${app().url}/no-such-page`);
    expect(missing.status).toBe(404);
    const text = await missing.text();
    expect(text).toContain('Not found');
    expect(text).toContain('/assets/favicon.svg');
    expect(text).not.toContain('Cannot GET');
    expect((await fetch(`${app().url}/assets/favicon.svg`)).headers.get('content-type')).toContain('image/svg+xml');
    expect((await fetch(`${app().url}/assets/no-such.css`)).status).toBe(404);
    const metrics = await (await fetch(`${app().url}/metrics`)).text();
    expect(metrics).toContain('route="/assets",status="200"');
    expect(metrics).toContain('route="/assets",status="404"');
    expect(metrics).toContain('route="/runs/:runId/audit"');
  });
});

describe('refusal reasons', () => {
  it('an evidence item the step does not have is refused as such, naming it and the step’s items', async () => {
    const runId = await startRun(SMALL_RUNBOOK, 'unknown-item');
    await untilStep(runId, 'validation-report', 'waiting');
    const res = await as('ie')('POST', `/api/runs/${runId}/steps/validation-report/evidence`, {
      itemId: 'precision',
      value: 99,
    });
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({
      code: 'not_found',
      reason: 'UnknownEvidenceItem',
      message: 'step "validation-report" has no evidence item "precision" (its items: accuracy)',
      issues: [{ path: 'itemId', message: 'not an evidence item of this step (its items: accuracy)' }],
    });
    // A step the run does not have is UnknownStep wherever it is named, the passkey challenge too.
    for (const path of ['decisions', 'passkey-challenge']) {
      const step = await as('guardian')('POST', `/api/runs/${runId}/steps/no-such-step/${path}`, {
        decision: 'approve',
      });
      expect(step.status, path).toBe(404);
      expect(step.body.error, path).toMatchObject({
        code: 'not_found',
        reason: 'UnknownStep',
        message: 'no step "no-such-step" in this run',
      });
    }
    // The OpenAPI document names the refusal type.
    const doc = await as('rm')('GET', '/api/openapi.json');
    expect(JSON.stringify(doc.body.components.schemas.Error)).toContain('UnknownEvidenceItem');
  });

  it('a second Guardian after the Guardian quorum is met hears that, not "no role"', async () => {
    const runId = await startRun(TWO_ROLES, 'quorum-met');
    await untilStep(runId, 'validation-report', 'waiting');
    expect(
      (await as('ie')('POST', `/api/runs/${runId}/steps/validation-report/evidence`, { itemId: 'accuracy', value: 99 }))
        .status,
    ).toBe(200);
    await untilStep(runId, 'guardian-sign-off', 'waiting');
    const first = await as('guardian')('POST', `/api/runs/${runId}/steps/guardian-sign-off/decisions`, {
      decision: 'approve',
    });
    expect(first.status).toBe(200);
    expect(first.body.step.status).toBe('waiting');

    const second = await as('guardian2')('POST', `/api/runs/${runId}/steps/guardian-sign-off/decisions`, {
      decision: 'approve',
    });
    expect(second.status).toBe(409);
    expect(second.body.error.reason).toBe('DuplicateDecision');
    expect(second.body.error.message).toContain('the quorum for guardian');
    expect(second.body.error.message).not.toContain('none of the roles');
    const again = await as('guardian')('POST', `/api/runs/${runId}/steps/guardian-sign-off/decisions`, {
      decision: 'approve',
    });
    expect(again.body.error.message).toContain('has already approved');

    // Someone with no deciding role at all still hears that.
    const ops = await as('ops')('POST', `/api/runs/${runId}/steps/guardian-sign-off/decisions`, {
      decision: 'approve',
    });
    expect(ops.status).toBe(403);
    expect(ops.body.error.message).toContain('it needs guardian or business-sponsor (they hold operations)');

    // The sponsor still may, and settles it.
    expect(
      (await as('sponsor')('POST', `/api/runs/${runId}/steps/guardian-sign-off/decisions`, { decision: 'approve' }))
        .status,
    ).toBe(200);
    await untilStep(runId, 'hypercare', 'running');
  });
});
