import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunStateView } from '../../src/contract/definitions';
import { RefusalLog } from '../../src/audit/refusalLog';
import { apiAs, eventually, SMALL_RUNBOOK, useTestApp, untilStepOf } from '../support/app';
import { testClient } from '../support/temporal';

/** Every run endpoint against the real app and real workflows: success and each error code. */

const app = useTestApp({ beforeAll, afterAll });
const as = (id: string) => apiAs(app(), id);

async function startRun(system: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await as('rm')('POST', '/api/runs', { runbook: SMALL_RUNBOOK, system, collaborationMode: 2, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return (res.body as { runId: string }).runId;
}

const untilStep = (runId: string, stepId: string, status: string) => untilStepOf(app(), runId, stepId, status);

/** A run that reached hypercare: evidence in, Guardian approved. */
async function runInHypercare(system: string): Promise<string> {
  const runId = await startRun(system);
  await untilStep(runId, 'validation-report', 'waiting');
  expect(
    (await as('ie')('POST', `/api/runs/${runId}/steps/validation-report/evidence`, { itemId: 'accuracy', value: 99 }))
      .status,
  ).toBe(200);
  await untilStep(runId, 'guardian-sign-off', 'waiting');
  expect(
    (await as('guardian')('POST', `/api/runs/${runId}/steps/guardian-sign-off/decisions`, { decision: 'approve' }))
      .status,
  ).toBe(200);
  await untilStep(runId, 'hypercare', 'running');
  return runId;
}

describe('POST /api/runs', () => {
  it('answers 400 with each field path for bad start input', async () => {
    const res = await as('rm')('POST', '/api/runs', {
      runbook: 'web-small',
      system: 'bad system!',
      collaborationMode: 9,
    });
    expect(res.status).toBe(400);
    expect(res.body.error.issues.map((i: { path: string }) => i.path).sort()).toEqual(['collaborationMode', 'system']);

    const unknownRunbook = await as('rm')('POST', '/api/runs', {
      runbook: 'no-such-book',
      system: 'x',
      collaborationMode: 1,
    });
    expect(unknownRunbook.status).toBe(400);
    expect(unknownRunbook.body.error.issues[0].path).toBe('runbook');

    const people = await as('rm')('POST', '/api/runs', {
      runbook: SMALL_RUNBOOK,
      system: 'x',
      collaborationMode: 1,
      assignments: { guardian: ['guardian', 'mallory'], janitor: ['ops'] },
    });
    expect(people.status).toBe(400);
    expect(people.body.error.issues.map((i: { path: string }) => i.path).sort()).toEqual([
      'assignments.guardian[1]',
      'assignments.janitor',
    ]);

    // A person assigned twice to a role (once a run took 20,000 copies and carried them everywhere).
    const twice = await as('rm')('POST', '/api/runs', {
      runbook: SMALL_RUNBOOK,
      system: 'x',
      collaborationMode: 1,
      assignments: { guardian: ['guardian', 'guardian2', 'guardian'] },
    });
    expect(twice.status).toBe(400);
    expect(twice.body.error.issues).toEqual([
      { path: 'assignments.guardian[2]', message: 'guardian is already assigned' },
    ]);

    // Checked by src/runbook's prepareRun: mode not allowed by the runbook, param of the wrong type.
    const prepared = await as('rm')('POST', '/api/runs', {
      runbook: SMALL_RUNBOOK,
      system: 'x',
      collaborationMode: 5,
      params: { note: 3, extra: 'x' },
    });
    expect(prepared.status).toBe(400);
    expect(prepared.body.error.issues.map((i: { path: string }) => i.path).sort()).toEqual([
      'collaborationMode',
      'params.extra',
      'params.note',
    ]);

    // A bad person does not hide a bad parameter: every issue in one answer.
    const both = await as('rm')('POST', '/api/runs', {
      runbook: SMALL_RUNBOOK,
      system: 'x',
      collaborationMode: 1,
      assignments: { guardian: ['mallory'] },
      params: { note: 3 },
    });
    expect(both.status).toBe(400);
    expect(both.body.error.issues.map((i: { path: string }) => i.path)).toEqual(
      expect.arrayContaining(['assignments.guardian[0]', 'params.note']),
    );
  });

  it('starts a run showing its first state, which its first workflow task then does not upsert', async () => {
    const runId = await startRun('first-state');
    await untilStep(runId, 'validation-report', 'waiting');
    const client = await testClient();
    try {
      const events = (await client.workflow.getHandle(runId).fetchHistory()).events ?? [];
      const fields = (f: Record<string, { data?: Uint8Array | null }> | null | undefined) =>
        Object.fromEntries(Object.entries(f ?? {}).map(([k, p]) => [k, JSON.parse(Buffer.from(p.data!).toString())]));
      const started = fields(events[0]!.workflowExecutionStartedEventAttributes!.searchAttributes?.indexedFields);
      expect(started).toMatchObject({ GoLiveState: 'running', GoLiveWaitingRoles: [] });
      const states = events
        .map((e) => fields(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields))
        .filter((f) => 'GoLiveState' in f || 'GoLiveWaitingRoles' in f);
      // Its first upsert of them is the step that waits: nothing says `running` again.
      expect(states[0]).toEqual({ GoLiveState: 'waiting', GoLiveWaitingRoles: ['implementation-engineer'] });
    } finally {
      await client.connection.close();
    }
  });

  it('a field named __proto__ (a parameter, a role) is refused naming it, not silently dropped', async () => {
    for (const [body, path] of [
      [
        `{"runbook":"${SMALL_RUNBOOK}","system":"x","collaborationMode":1,"params":{"__proto__":"x"}}`,
        'params.__proto__',
      ],
      [
        `{"runbook":"${SMALL_RUNBOOK}","system":"x","collaborationMode":1,"assignments":{"__proto__":["rm"]}}`,
        'assignments.__proto__',
      ],
    ] as const) {
      const res = await as('rm')('POST', '/api/runs', body);
      expect([path, res.status]).toEqual([path, 400]);
      expect(res.body.error.issues).toEqual([{ path, message: 'unknown field' }]);
    }
    // Where a strict object already names it, once.
    const top = await as('rm')(
      'POST',
      '/api/runs',
      `{"runbook":"${SMALL_RUNBOOK}","system":"x","collaborationMode":1,"__proto__":{}}`,
    );
    expect(top.status).toBe(400);
    expect(top.body.error.issues).toEqual([{ path: '__proto__', message: 'unknown field' }]);
  });

  it('a parameter named like an Object method (constructor, toString) is unknown, not a 500', async () => {
    for (const name of ['constructor', 'toString', 'hasOwnProperty']) {
      const res = await as('rm')('POST', '/api/runs', {
        runbook: SMALL_RUNBOOK,
        system: 'x',
        collaborationMode: 1,
        params: { [name]: 'x' },
      });
      expect([name, res.status]).toEqual([name, 400]);
      expect(res.body.error.issues).toEqual([
        { path: `params.${name}`, message: expect.stringMatching(/^unknown parameter/) },
      ]);
    }
  });

  it('answers 403 for a person who may not start runs', async () => {
    const res = await as('user')('POST', '/api/runs', { runbook: SMALL_RUNBOOK, system: 'x', collaborationMode: 1 });
    expect(res.status).toBe(403);
  });
});

describe('GET /api/runbooks', () => {
  it('lists what a run can start from, with the hash a start pins, and no server paths', async () => {
    const res = await as('user')('GET', '/api/runbooks');
    expect(res.status).toBe(200);
    const small = res.body.runbooks.find((r: { id?: string }) => r.id === SMALL_RUNBOOK);
    expect(small).toMatchObject({ valid: true, version: '1.0.0', file: 'web-small.yaml' });
    expect(small.sha256).toMatch(/^[a-f0-9]{64}$/);
    expect(JSON.stringify(res.body)).not.toContain('/test/fixtures');
    expect((await apiAs(app())('GET', '/api/runbooks')).status).toBe(401);
  });
});

describe('GET /api/runs and /api/runs/:runId', () => {
  it('lists with filters and pages, and reads one run (404 for an unknown one)', async () => {
    const system = `list-${Date.now().toString(36)}`;
    const a = await startRun(system);
    const b = await startRun(`${system}-b`);
    const page = await eventually(async () => {
      const res = await as('rm')('GET', `/api/runs?system=${system}`);
      return res.body.runs?.length === 1 ? res.body : undefined;
    }, 'the run to be listed');
    expect(page.runs.map((r: { runId: string }) => r.runId)).toEqual([a]);
    expect(page.runs[0]).toMatchObject({ system, runbook: SMALL_RUNBOOK, initiator: 'rm', executionStatus: 'RUNNING' });

    // Paging over the runbook's runs (this file starts several).
    const first = await eventually(async () => {
      const res = await as('rm')('GET', `/api/runs?runbook=${SMALL_RUNBOOK}&pageSize=1`);
      return res.body.nextPageToken ? res : undefined;
    }, 'a second page');
    expect(first.body.runs).toHaveLength(1);
    const second = await as('rm')(
      'GET',
      `/api/runs?runbook=${SMALL_RUNBOOK}&pageSize=1&pageToken=${first.body.nextPageToken}`,
    );
    expect(second.body.runs).toHaveLength(1);
    expect(second.body.runs[0].runId).not.toBe(first.body.runs[0].runId);
    const badToken = await as('rm')('GET', `/api/runs?pageToken=Zm9v`);
    expect(badToken.status).toBe(400);
    expect(badToken.body.error.issues[0].path).toBe('pageToken');

    // Both wait for the implementation engineer's evidence: in ie's "waiting for me", not in the Guardian's.
    for (const s of [system, `${system}-b`]) {
      await eventually(async () => {
        const res = await as('ie')('GET', `/api/runs?system=${s}&waitingFor=me`);
        return res.body.runs?.length === 1 ? true : undefined;
      }, `the ${s} run waiting for implementation-engineer`);
      expect((await as('guardian')('GET', `/api/runs?system=${s}&waitingFor=me`)).body.runs).toEqual([]);
    }
    const byState = await eventually(async () => {
      const res = await as('rm')('GET', `/api/runs?system=${system}-b&state=waiting`);
      return res.body.runs?.length === 1 ? res.body : undefined;
    }, 'runs in state waiting');
    expect(byState.runs[0].runId).toBe(b);

    // One go-live per system at a time: a second start for the system is refused, naming the run.
    const again = await as('rm')('POST', '/api/runs', { runbook: SMALL_RUNBOOK, system, collaborationMode: 2 });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain(a);

    const one = await as('guardian')<RunStateView>('GET', `/api/runs/${a}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ system, initiator: { id: 'rm' }, runbook: { id: SMALL_RUNBOOK } });

    expect((await as('rm')('GET', '/api/runs/golive-nothing-00000000')).status).toBe(404);
    expect((await as('rm')('GET', '/api/runs/has%20space')).status).toBe(400);
  });
});

describe('decisions and evidence', () => {
  it('a malformed role (huge, empty, control characters) is a 400 naming role; the run is not asked', async () => {
    const runId = await startRun('role-shape');
    await untilStep(runId, 'validation-report', 'waiting');
    for (const role of ['x'.repeat(5000), '', 'Guard\u001bian']) {
      const evidence = await as('ie')('POST', `/api/runs/${runId}/steps/validation-report/evidence`, {
        itemId: 'accuracy',
        value: 99,
        role,
      });
      const decision = await as('guardian')('POST', `/api/runs/${runId}/steps/guardian-sign-off/decisions`, {
        decision: 'reject',
        comment: 'no',
        role,
      });
      for (const res of [evidence, decision]) {
        expect([role.length, res.status]).toEqual([role.length, 400]);
        expect(res.body.error.issues.map((i: { path: string }) => i.path)).toEqual(['role']);
      }
    }
    // A role they do not hold is named as such, not as the item's roles (which ie holds).
    const notHeld = await as('ie')('POST', `/api/runs/${runId}/steps/validation-report/evidence`, {
      itemId: 'accuracy',
      value: 99,
      role: 'guardian',
    });
    expect(notHeld.status).toBe(403);
    expect(notHeld.body.error.message).toBe('ie may not submit as guardian: they are not assigned it in this run');
    // Nothing was taken: the item still waits, and a well-formed role goes through.
    const ok = await as('ie')('POST', `/api/runs/${runId}/steps/validation-report/evidence`, {
      itemId: 'accuracy',
      value: 99,
      role: 'implementation-engineer',
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  });

  it('takes evidence and one approval; refuses wrong role, own run, not waiting, duplicates, unknown steps', async () => {
    // The release manager stands in as a Guardian (a delegation the fixture allows): four-eyes still refuses them.
    const runId = await startRun('decide', {
      delegations: [{ role: 'guardian', person: 'rm', reason: 'stands in as Guardian this week' }],
    });
    const decide = (who: string, body: unknown, step = 'guardian-sign-off') =>
      as(who)('POST', `/api/runs/${runId}/steps/${step}/decisions`, body);
    await untilStep(runId, 'validation-report', 'waiting');

    const early = await decide('guardian', { decision: 'approve' });
    expect(early.status).toBe(409);
    expect(early.body.error.reason).toBe('StepNotWaiting');
    // Someone who can never decide the step hears so, not how far the step has got.
    const outsiderEarly = await decide('user', { decision: 'approve' });
    expect(outsiderEarly.status).toBe(403);
    expect(outsiderEarly.body.error.reason).toBe('NotAuthorized');
    expect(outsiderEarly.body.error.message).not.toContain('pending');
    const ownRunEarly = await decide('rm', { decision: 'approve' });
    expect(ownRunEarly.body.error.reason).toBe('SelfApproval');

    const badEvidence = await as('ie')('POST', `/api/runs/${runId}/steps/validation-report/evidence`, {
      itemId: 'accuracy',
      value: 140,
    });
    expect(badEvidence.status).toBe(400);
    expect(badEvidence.body.error.reason).toBe('InvalidInput');
    const wrongPerson = await as('sponsor')('POST', `/api/runs/${runId}/steps/validation-report/evidence`, {
      itemId: 'accuracy',
      value: 90,
    });
    expect(wrongPerson.status).toBe(403);
    const evidence = await as('ie')('POST', `/api/runs/${runId}/steps/validation-report/evidence`, {
      itemId: 'accuracy',
      value: 96.1,
      note: 'hold-out v3',
    });
    expect(evidence.status).toBe(200);
    expect(evidence.body.step.id).toBe('validation-report');
    await untilStep(runId, 'guardian-sign-off', 'waiting');

    const wrongRole = await decide('ops', { decision: 'approve' });
    expect(wrongRole.status).toBe(403);
    expect(wrongRole.body.error.reason).toBe('NotAuthorized');
    const ownRun = await decide('rm', { decision: 'approve' });
    expect(ownRun.status).toBe(403);
    expect(ownRun.body.error.reason).toBe('SelfApproval');
    const unknownStep = await decide('guardian', { decision: 'approve' }, 'no-such-step');
    expect(unknownStep.status).toBe(404);
    const rejectWithoutComment = await decide('guardian', { decision: 'reject' });
    expect(rejectWithoutComment.status).toBe(400);
    expect(rejectWithoutComment.body.error.issues[0].path).toBe('comment');

    const approved = await decide('guardian', { decision: 'approve', comment: 'oversight protocol fits mode 2' });
    expect(approved.status).toBe(200);
    expect(approved.body.step).toMatchObject({ id: 'guardian-sign-off' });
    const again = await decide('guardian', { decision: 'approve' });
    expect(again.status).toBe(409);
    const late = await decide('guardian2', { decision: 'reject', comment: 'too late' });
    expect(late.status).toBe(409);

    const state = await untilStep(runId, 'hypercare', 'running');
    expect(state.decisions).toEqual([
      expect.objectContaining({
        stepId: 'guardian-sign-off',
        decision: 'approve',
        actor: { id: 'guardian', name: 'Gita Guardian', roles: ['guardian'] },
        roleSource: 'directory',
      }),
    ]);

    const refusals = await new RefusalLog(app().database).readForRun(runId);
    expect(refusals.map((r) => [r.actor, r.type, r.status])).toEqual(
      expect.arrayContaining([
        ['ops', 'NotAuthorized', 403],
        ['rm', 'SelfApproval', 403],
        ['guardian', 'StepNotWaiting', 409],
      ]),
    );
    expect(refusals.every((r) => r.reason.length > 0 && r.at)).toBe(true);
  });

  it('a rejection rolls the run back', async () => {
    const runId = await startRun('reject');
    await untilStep(runId, 'validation-report', 'waiting');
    await as('ie')('POST', `/api/runs/${runId}/steps/validation-report/evidence`, { itemId: 'accuracy', value: 60 });
    await untilStep(runId, 'guardian-sign-off', 'waiting');
    const res = await as('guardian2')('POST', `/api/runs/${runId}/steps/guardian-sign-off/decisions`, {
      decision: 'reject',
      comment: 'accuracy too low',
    });
    expect(res.status).toBe(200);
    const closed = await eventually(async () => {
      const s = (await as('rm')<RunStateView>('GET', `/api/runs/${runId}`)).body;
      return s.status === 'rolled-back' ? s : undefined;
    }, 'the run to roll back');
    expect(closed.failure).toMatchObject({ kind: 'rejected', stepId: 'guardian-sign-off' });
  });
});

describe('Red Button, stop and rollback', () => {
  it('takes reports in hypercare (named and anonymous), resolves them, and stops the line', async () => {
    const notYet = await startRun('redbutton-early');
    await untilStep(notYet, 'validation-report', 'waiting');
    const early = await as('user')('POST', `/api/runs/${notYet}/reports`, {
      severity: 'low',
      description: 'too early',
    });
    // The run is open, only not in hypercare yet: it says so, not "closed" (named: the run's
    // validator; anonymous: the server's pre-check, with the same policy).
    expect(early.status).toBe(409);
    expect(early.body.error).toMatchObject({
      reason: 'NotInHypercare',
      message: expect.stringMatching(/not reached hypercare yet/),
    });
    const earlyAnonymous = await as('user')('POST', `/api/runs/${notYet}/reports`, {
      severity: 'low',
      description: 'too early',
      anonymous: true,
    });
    expect(earlyAnonymous.status).toBe(409);
    expect(earlyAnonymous.body.error.reason).toBe('NotInHypercare');
    // A reader who may not report learns only that, before hypercare as in it (authority first).
    for (const anonymous of [false, true]) {
      const byAuditor = await as('auditor')('POST', `/api/runs/${notYet}/reports`, {
        severity: 'low',
        description: 'too early, from the audit desk',
        anonymous,
      });
      expect(byAuditor.status, `anonymous: ${anonymous}`).toBe(403);
      expect(byAuditor.body.error).toMatchObject({
        reason: 'NotAuthorized',
        message: expect.stringMatching(/not involved in this run$/),
      });
    }

    const runId = await runInHypercare('redbutton');
    const named = await as('user')('POST', `/api/runs/${runId}/reports`, {
      severity: 'high',
      description: 'wrong answer about refunds',
    });
    expect(named.status).toBe(201);
    expect(named.body.report).toMatchObject({ reporter: 'user', severity: 'high', status: 'open' });
    const anon = await as('user')('POST', `/api/runs/${runId}/reports`, {
      severity: 'medium',
      description: 'made up a policy',
      anonymous: true,
    });
    expect(anon.status).toBe(201);
    expect(anon.body.report.reporter).toBe('anonymous');
    expect(anon.body.receipt).toEqual(expect.any(String));
    // A reader who may not report, anonymously: the refusal names nobody, in plain words.
    const byReader = await as('auditor')('POST', `/api/runs/${runId}/reports`, {
      severity: 'low',
      description: 'seen from the audit desk',
      anonymous: true,
    });
    expect(byReader.status).toBe(403);
    expect(byReader.body.error.message).toBe('you are not involved in this run');
    const badSeverity = await as('user')('POST', `/api/runs/${runId}/reports`, {
      severity: 'apocalyptic',
      description: 'x',
    });
    expect(badSeverity.status).toBe(400);
    expect(badSeverity.body.error.issues[0].path).toBe('severity');

    const reportId = named.body.report.id as string;
    const unknownReport = await as('ops')('POST', `/api/runs/${runId}/reports/r-nope/resolution`, { resolution: 'x' });
    expect(unknownReport.status).toBe(404);
    const notAllowed = await as('sponsor')('POST', `/api/runs/${runId}/reports/${reportId}/resolution`, {
      resolution: 'x',
    });
    expect(notAllowed.status).toBe(403);
    const resolved = await as('ops')('POST', `/api/runs/${runId}/reports/${reportId}/resolution`, {
      resolution: 'prompt fixed, answer corrected',
    });
    expect(resolved.status).toBe(200);
    expect(resolved.body.report).toMatchObject({ status: 'resolved' });
    const twice = await as('ops')('POST', `/api/runs/${runId}/reports/${reportId}/resolution`, { resolution: 'again' });
    expect(twice.status).toBe(409);

    // The sponsor has a role in the run but no stop authority: the workflow itself refuses.
    const sponsorStop = await as('sponsor')('POST', `/api/runs/${runId}/stop`, { reason: 'nervous' });
    expect(sponsorStop.status).toBe(403);
    const refusals = await new RefusalLog(app().database).readForRun(runId);
    expect(refusals).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ actor: 'sponsor', action: 'stop', by: 'workflow', type: 'NotAuthorized' }),
      ]),
    );
    const noReason = await as('ops')('POST', `/api/runs/${runId}/stop`, { reason: '' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.issues[0].path).toBe('reason');

    const stopped = await as('ops')('POST', `/api/runs/${runId}/stop`, { reason: 'Red Button reports pile up' });
    expect(stopped.status).toBe(200);
    await eventually(
      async () =>
        (await as('rm')<RunStateView>('GET', `/api/runs/${runId}`)).body.status === 'rolled-back' ? true : undefined,
      'rolled back',
    );
    const afterClose = await as('ops')('POST', `/api/runs/${runId}/stop`, { reason: 'again' });
    expect(afterClose.status).toBe(409);
    expect(afterClose.body.error.reason).toBe('RunClosed');
    const lateReport = await as('user')('POST', `/api/runs/${runId}/reports`, { severity: 'low', description: 'late' });
    expect(lateReport.status).toBe(409);
    expect(lateReport.body.error.reason).toBe('RunClosed');
    // Someone who may never do the act hears that, whatever the run's state: a reader (the
    // auditor) and a person involved without the authority (the sponsor), once the run has ended.
    const never: [who: string, path: string, body: object, message: RegExp][] = [
      ['auditor', 'stop', { reason: 'from the audit desk' }, /^auditor may not stop the line: it needs /],
      ['auditor', 'rollback', { reason: 'from the audit desk' }, /^auditor may not ask for a rollback: it needs /],
      ['auditor', 'reports', { severity: 'low', description: 'late' }, /^auditor is not involved in this run$/],
      ['auditor', 'reports', { severity: 'low', description: 'late', anonymous: true }, /^you are not involved in/],
      ['sponsor', 'stop', { reason: 'nervous, late' }, /^sponsor may not stop the line: it needs /],
    ];
    for (const [who, path, body, message] of never) {
      const res = await as(who)('POST', `/api/runs/${runId}/${path}`, body);
      expect(res.status, `${who} ${path} ${JSON.stringify(body)}: ${JSON.stringify(res.body)}`).toBe(403);
      expect(res.body.error).toMatchObject({ reason: 'NotAuthorized', message: expect.stringMatching(message) });
    }
    expect(await new RefusalLog(app().database).readForRun(runId)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ actor: 'auditor', action: 'stop', type: 'NotAuthorized', status: 403 }),
      ]),
    );
  });

  it('takes a rollback request from someone with rollback authority', async () => {
    const runId = await startRun('rollback');
    await untilStep(runId, 'validation-report', 'waiting');
    // One go-live per system: the refusal names the run in the way.
    const second = await as('rm')('POST', '/api/runs', {
      runbook: SMALL_RUNBOOK,
      system: 'rollback',
      collaborationMode: 2,
    });
    expect(second.status).toBe(409);
    expect(second.body.error.runId).toBe(runId);
    const denied = await as('ops')('POST', `/api/runs/${runId}/rollback`, { reason: 'not mine to ask' });
    expect(denied.status).toBe(403);
    const res = await as('rm')('POST', `/api/runs/${runId}/rollback`, { reason: 'vendor pulled the model' });
    expect(res.status).toBe(200);
    const closed = await eventually(async () => {
      const s = (await as('rm')<RunStateView>('GET', `/api/runs/${runId}`)).body;
      return s.status === 'rolled-back' ? s : undefined;
    }, 'rolled back');
    expect(closed.failure).toMatchObject({ kind: 'rollback-requested', by: { id: 'rm' } });
    // A closed run is still readable.
    expect((await as('guardian')('GET', `/api/runs/${runId}`)).status).toBe(200);
  });
});

describe('audit of an open run', () => {
  it('serves the trail so far and a dossier marked as a draft', async () => {
    const runId = await startRun('audit-open');
    await untilStep(runId, 'validation-report', 'waiting');
    const history = await as('guardian')('GET', `/api/runs/${runId}/history`);
    expect(history.status).toBe(200);
    expect(history.body).toMatchObject({ workflowId: runId, finished: false, state: { status: 'waiting' } });
    expect(history.body.entries[0]).toMatchObject({ kind: 'run-started', actor: 'rm' });

    const dossier = await fetch(`${app().url}/api/runs/${runId}/dossier`, {
      headers: { authorization: `Bearer ${app().credentials.rm!.token}` },
    });
    expect(dossier.status).toBe(200);
    const files = unzipSync(new Uint8Array(await dossier.arrayBuffer()));
    const manifest = JSON.parse(Buffer.from(files[`dossier-${runId}/manifest.json`]!).toString('utf8'));
    expect(manifest).toMatchObject({ finished: false, status: 'waiting' });
    expect(Buffer.from(files[`dossier-${runId}/dossier.md`]!).toString('utf8')).toContain('DRAFT — run not finished');
  });
});
