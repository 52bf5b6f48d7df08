import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import type { RunStateView } from '../../src/contract/definitions';
import { oversightScheduleId } from '../../src/contract/reviewDefinitions';
import { operations, type Operation } from '../../src/server/api';
import { CSV_COLUMNS } from '../../src/server/redButtonFigures';
import { evidenceItemSchema } from '../../src/contract/schemas/runbook';
import { OVERSIGHT_RUNBOOK, oversightRunbookYaml } from '../fixtures/oversight-runbook';
import {
  apiAs,
  eventually,
  SMALL_RUNBOOK,
  smallRunbookVariant,
  untilStepOf,
  useExtraRunbooks,
  useTestApp,
  type ApiResponse,
} from '../support/app';
import { softRegistration } from '../support/softPasskey';
import { testClient } from '../support/temporal';

/**
 * The OpenAPI document names what every operation answers: the JSON schema of its answer
 * (src/server/responses.ts), or the media types of one that is not JSON (CSV, HTML, a zip, a PDF,
 * metrics text), or no content. A client generated from it must be able to read real answers:
 * a whole run through the API (start, evidence, decision, Red Button report, acknowledgement,
 * resolution, stop, trail, dossier and its verification, the five deliverables), the Red Button
 * across runs, scheduled oversight, passkeys, `golive login`, the health and system routes; each
 * answer checked against what the document gives for its operation, and every operation's answer
 * met at least once. Refusals on the way (an evidence item the step does not have, a decision
 * once the step is decided) have their status listed for their operation.
 */

const PASSKEY_RUNBOOK = 'web-passkey-sign-off';
const runbooks = useExtraRunbooks(
  { beforeAll, afterAll },
  {
    'web-oversight.yaml': oversightRunbookYaml,
    [`${PASSKEY_RUNBOOK}.yaml`]: smallRunbookVariant(PASSKEY_RUNBOOK, [
      ['    deadline: 30m\n', '    deadline: 30m\n    passkey: true\n'],
    ]),
  },
);
const app = useTestApp({ beforeAll, afterAll }, runbooks);
const as = (id: string) => apiAs(app(), id);

type OperationId = keyof typeof operations;
type Doc = {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>;
};

/** Every operation whose real answer a test here checked against the document. */
const met = new Set<OperationId>();

/** The answer, checked against its operation's documented schema (every issue named on failure). */
function documented(op: OperationId, res: { status: number; body: unknown }): void {
  const o = operations[op] as Operation;
  expect(res.status, `${op}: ${JSON.stringify(res.body)}`).toBe(o.status);
  expect(o.response, `${op} documents its JSON answer`).toBeDefined();
  const parsed = o.response!.safeParse(res.body);
  expect(parsed.success, `${op}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
  met.add(op);
}

/** The success answers the document lists for an operation, by media type. */
function successContent(doc: Doc, op: OperationId): Record<string, unknown> {
  const o = operations[op] as Operation;
  return doc.paths[o.path.replace(/:([A-Za-z]+)/g, '{$1}')]![o.method]!.responses[String(o.status)]!.content ?? {};
}

/** An answer that is not JSON (or no content): its status, and a media type the document lists for it. */
function documentedAs(doc: Doc, op: OperationId, res: ApiResponse): void {
  const o = operations[op] as Operation;
  expect(res.status, `${op}: ${String(res.body).slice(0, 300)}`).toBe(o.status);
  const listed = Object.keys(successContent(doc, op));
  if (o.status === 204) {
    expect(listed, `${op}: no content`).toEqual([]);
    expect(res.body).toBeUndefined();
  } else {
    const type = res.headers.get('content-type')!.split(';')[0]!.trim();
    expect(listed, `${op} answered ${type}`).toContain(type);
  }
  met.add(op);
}

/** A refusal: the status expected, and one the document lists for its operation. */
function refused(doc: Doc, op: OperationId, status: number, res: { status: number; body: unknown }): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  const o = operations[op];
  const listed = doc.paths[o.path.replace(/:([A-Za-z]+)/g, '{$1}')]![o.method]!.responses;
  expect(Object.keys(listed), `${op} answers ${status}`).toContain(String(status));
}

/** A browser session, at localhost (passkeys belong to a domain name): its cookie and CSRF token. */
async function sessionOf(person: string) {
  const base = app().url.replace('127.0.0.1', 'localhost');
  const login = await fetch(`${base}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: person, password: app().credentials[person]!.password }),
  });
  expect(login.status).toBe(200);
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const me = (await (await fetch(`${base}/api/me`, { headers: { cookie } })).json()) as { csrfToken: string };
  // Tests read answers freely; a wrong field fails the assertion that reads it.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const send = async (method: string, path: string, body?: unknown): Promise<ApiResponse<any>> => {
    const res = await fetch(base + path, {
      method,
      headers: {
        cookie,
        'x-csrf-token': me.csrfToken,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };
  return { base, send };
}

let doc: Doc;
beforeAll(async () => {
  doc = (await as('rm')<Doc>('GET', '/api/openapi.json')).body;
});

async function until(runId: string, ok: (s: RunStateView) => boolean, what: string): Promise<RunStateView> {
  return eventually(async () => {
    const res = await as('rm')<RunStateView>('GET', `/api/runs/${runId}`);
    return ok(res.body) ? res.body : undefined;
  }, what);
}

describe('who is asking', () => {
  it('login and /api/me answer as documented: a session gets its CSRF token, a token none', async () => {
    const login = await apiAs(app())('POST', '/api/session', {
      username: 'guardian',
      password: app().credentials.guardian!.password,
    });
    documented('login', login);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const session = await apiAs(app())('GET', '/api/me', undefined, { cookie });
    documented('me', session);
    expect(session.body).toMatchObject({ via: 'session', csrfToken: expect.any(String) });
    const token = await as('guardian')('GET', '/api/me');
    documented('me', token);
    expect(token.body.via).toBe('token');
    expect(token.body.csrfToken).toBeUndefined();
    const csrfToken = session.body.csrfToken as string;
    const logout = await apiAs(app())('DELETE', '/api/session', undefined, { cookie, 'x-csrf-token': csrfToken });
    documentedAs(doc, 'logout', logout);
    expect(logout.headers.get('set-cookie')).toMatch(/^golive_session=;/);
    expect((await apiAs(app())('GET', '/api/me', undefined, { cookie })).status).toBe(401);
  });
});

describe('the documented answers', () => {
  it('are in the OpenAPI document and match what the API answers along a whole run', { timeout: 120_000 }, async () => {
    const opened = await as('rm')('GET', '/api/openapi.json');
    documented('openapi', opened);
    const start = opened.body.paths['/api/runs'].post.responses['201'].content['application/json'].schema;
    expect(start).toMatchObject({ type: 'object', required: ['runId'] });
    const report = opened.body.paths['/api/runs/{runId}/reports'].post.responses['201'].content['application/json'];
    expect(report.schema.properties.report.properties.severity.enum).toEqual(['low', 'medium', 'high', 'critical']);
    // An evidence value: one shape per evidence type a runbook can name.
    const evidence = opened.body.paths['/api/runs/{runId}/steps/{stepId}/evidence'].post.requestBody.content;
    const value = evidence['application/json'].schema.properties.value;
    expect(value.anyOf.map((s: { title: string }) => s.title)).toEqual(evidenceItemSchema.shape.type.options);
    expect(value.anyOf[2]).toMatchObject({ type: 'object', required: ['name', 'sha256'] });
    expect(value.anyOf[3]).toMatchObject({ type: 'boolean', const: true });

    const started = await as('rm')('POST', '/api/runs', {
      runbook: SMALL_RUNBOOK,
      system: 'documented',
      collaborationMode: 2,
    });
    documented('startRun', started);
    expect(started.headers.get('location')).toBe(`/api/runs/${started.body.runId as string}`);
    const run = `/api/runs/${started.body.runId as string}`;
    await until(
      started.body.runId,
      (s) => s.steps.some((x) => x.id === 'validation-report' && x.status === 'waiting'),
      'evidence',
    );
    documented('getRun', await as('rm')('GET', run));
    refused(
      doc,
      'submitEvidence',
      404,
      await as('ie')('POST', `${run}/steps/validation-report/evidence`, { itemId: 'precision', value: 97 }),
    );
    documented(
      'submitEvidence',
      await as('ie')('POST', `${run}/steps/validation-report/evidence`, { itemId: 'accuracy', value: 97 }),
    );
    await until(
      started.body.runId,
      (s) => s.steps.some((x) => x.id === 'guardian-sign-off' && x.status === 'waiting'),
      'approval',
    );
    documented(
      'decide',
      await as('guardian')('POST', `${run}/steps/guardian-sign-off/decisions`, { decision: 'approve' }),
    );
    await until(started.body.runId, (s) => s.status === 'hypercare', 'hypercare');
    refused(
      doc,
      'decide',
      409,
      await as('guardian')('POST', `${run}/steps/guardian-sign-off/decisions`, { decision: 'approve' }),
    );

    const reported = await as('user')('POST', `${run}/reports`, { severity: 'high', description: 'wrong answer' });
    documented('report', reported);
    const anonymous = await as('user')('POST', `${run}/reports`, {
      severity: 'low',
      description: 'odd',
      anonymous: true,
    });
    documented('report', anonymous);
    expect(anonymous.body.receipt).toEqual(expect.any(String));
    documented(
      'reportByReceipt',
      await as('user')('POST', `${run}/reports/${anonymous.body.report.id as string}/receipt`, {
        receipt: anonymous.body.receipt,
      }),
    );
    const id = reported.body.report.id as string;
    documented(
      'acknowledgeReport',
      await as('guardian')('POST', `${run}/reports/${id}/acknowledgement`, { text: 'seen' }),
    );
    documented(
      'resolveReport',
      await as('guardian')('POST', `${run}/reports/${id}/resolution`, { resolution: 'fixed' }),
    );
    documented('stop', await as('guardian')('POST', `${run}/stop`, { reason: 'end of the watch' }));
    documented('getRun', await as('rm')('GET', run));
    // The list says why the run ended, from visibility (which lags a little behind the run).
    const listed = await eventually(async () => {
      const res = await as('rm')('GET', '/api/runs?system=documented');
      const summary = (res.body.runs as { runId: string; failure?: unknown; startedAt: string }[]).find(
        (r) => r.runId === started.body.runId,
      );
      return summary?.failure ? { res, summary } : undefined;
    }, 'the run listed with why it failed');
    documented('listRuns', listed.res);
    expect(listed.summary.failure).toEqual({ kind: 'stopped', by: 'guardian', reason: 'end of the watch' });
    // The list's startedAt is when golive's server started the run (before the run's first task
    // set the run's own), and the document says so.
    const own = (await as('rm')<RunStateView>('GET', run)).body.startedAt;
    expect(Date.parse(listed.summary.startedAt)).toBeLessThanOrEqual(Date.parse(own));
    const item =
      opened.body.paths['/api/runs'].get.responses['200'].content['application/json'].schema.properties.runs.items;
    expect(item.properties.startedAt.description).toMatch(
      /^when golive's server started the run \(kept in the run's memo/,
    );
    await theRecordOf(started.body.runId as string);
  });
});

/** The ended run's audit trail, dossier (verified), the five deliverables, and the Red Button across runs. */
async function theRecordOf(runId: string): Promise<void> {
  const run = `/api/runs/${runId}`;
  const trail = await as('ops')('GET', `${run}/history`);
  documented('history', trail);
  expect(trail.body.entries.length).toBeGreaterThan(0);
  expect(trail.body.temporalUi.length).toBeGreaterThan(0); // operations get the Temporal UI links
  documented('history', await as('rm')('GET', `${run}/history?kind=decision&kind=report`));
  const dossier = await as('rm')<string>('GET', `${run}/dossier`);
  documentedAs(doc, 'dossier', dossier);
  const zip = new Uint8Array(
    await (await fetch(`${app().url}${run}/dossier`, { headers: bearer('rm') })).arrayBuffer(),
  );
  const verdict = await as('rm')('POST', '/api/dossiers/verify', zip, { 'content-type': 'application/zip' });
  documented('verifyDossier', verdict);
  expect(verdict.body).toMatchObject({ ok: true, workflowId: runId });
  for (const format of ['json', 'html', 'md', 'pdf'] as const) {
    const res = await as('rm')('GET', `${run}/documents/go-live-plan?format=${format}`);
    if (format === 'json') documented('document', res);
    documentedAs(doc, 'document', res);
  }
  const reports = await as('rm')('GET', '/api/reports?system=documented');
  documented('redButton', reports);
  expect(reports.body.reports).toBe(2);
  const csv = await as('rm')<string>('GET', '/api/reports.csv?system=documented');
  documentedAs(doc, 'redButtonCsv', csv);
  expect(csv.body.split('\r\n')[0]).toBe(CSV_COLUMNS.join(','));
  expect(operations.redButtonCsv.answer).toContain(CSV_COLUMNS.join(','));
  documentedAs(doc, 'redButtonHtml', await as('rm')('GET', '/api/reports.html?system=documented'));
}

const bearer = (who: string) => ({ authorization: `Bearer ${app().credentials[who]!.token}` });

describe('the system routes', () => {
  it('answer as documented: runbooks, signing keys, health, readiness, metrics', async () => {
    const runbooksListed = await as('rm')('GET', '/api/runbooks');
    documented('listRunbooks', runbooksListed);
    expect(runbooksListed.body.runbooks.map((r: { id?: string }) => r.id)).toContain(SMALL_RUNBOOK);
    documented('signingKeys', await apiAs(app())('GET', '/api/signing-keys'));
    documented('healthz', await apiAs(app())('GET', '/healthz'));
    documented('readyz', await apiAs(app())('GET', '/readyz'));
    const metrics = await apiAs(app())('GET', '/metrics');
    documentedAs(doc, 'metrics', metrics);
    expect(metrics.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(operations.metrics.answer).toContain('version 0.0.4');
    // readyz's 503 is its report, not the Error shape: the document says so.
    const unready = doc.paths['/readyz']!.get!.responses['503']!.content as Record<string, { schema: object }>;
    expect(unready['application/json']!.schema).toMatchObject({ required: ['status', 'temporal', 'database'] });
  });
});

describe('passkeys', () => {
  it('registration options, registration, the list, a decision challenge and removal answer as documented', async () => {
    const guardian = await sessionOf('guardian');
    const none = await guardian.send('GET', '/api/passkeys');
    documented('listPasskeys', none);
    expect(none.body.passkeys).toEqual([]);
    const options = await guardian.send('POST', '/api/passkeys/registration-options');
    documented('passkeyRegistrationOptions', options);
    const registered = await guardian.send('POST', '/api/passkeys', {
      label: 'soft key',
      response: softRegistration(options.body.options, guardian.base),
    });
    documented('registerPasskey', registered);
    documented('listPasskeys', await guardian.send('GET', '/api/passkeys'));

    const started = await as('rm')('POST', '/api/runs', {
      runbook: PASSKEY_RUNBOOK,
      system: 'documented-passkey',
      collaborationMode: 2,
    });
    documented('startRun', started);
    const runId = started.body.runId as string;
    await untilStepOf(app(), runId, 'validation-report', 'waiting');
    documented(
      'submitEvidence',
      await as('ie')('POST', `/api/runs/${runId}/steps/validation-report/evidence`, { itemId: 'accuracy', value: 97 }),
    );
    await untilStepOf(app(), runId, 'guardian-sign-off', 'waiting');
    const challenge = await guardian.send('POST', `/api/runs/${runId}/steps/guardian-sign-off/passkey-challenge`, {
      decision: 'approve',
    });
    documented('passkeyChallenge', challenge);
    expect(challenge.body.binding).toMatchObject({ runId, stepId: 'guardian-sign-off', personId: 'guardian' });
    documented('rollback', await as('guardian')('POST', `/api/runs/${runId}/rollback`, { reason: 'test over' }));

    const removed = await guardian.send('DELETE', `/api/passkeys/${registered.body.passkey.credentialId as string}`);
    documentedAs(doc, 'deletePasskey', removed);
  });
});

describe('golive login', () => {
  it('hands a code over (to the loopback address, or to paste) and redeems it for a token, as documented', async () => {
    const browser = await sessionOf('rm');
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const state = randomBytes(16).toString('base64url');
    const redirected = await browser.send('POST', '/api/cli-logins', { state, challenge, port: 40_123 });
    documented('cliLogin', redirected);
    expect(redirected.body.redirect).toMatch(/^http:\/\/127\.0\.0\.1:40123\/callback\?code=/);
    const pasted = await browser.send('POST', '/api/cli-logins', { state, challenge });
    documented('cliLogin', pasted);
    const token = await apiAs(app())('POST', '/api/cli-logins/token', { code: pasted.body.code, verifier });
    documented('cliToken', token);
    expect(token.body.user.id).toBe('rm');
  });
});

describe('scheduled oversight', () => {
  let client: Client;
  beforeAll(async () => {
    client = await testClient();
  });
  afterAll(async () => {
    await client.connection.close();
  });

  it("a run's oversight, a review and a recorded review answer as documented", async () => {
    const started = await as('rm')('POST', '/api/runs', {
      runbook: OVERSIGHT_RUNBOOK,
      system: 'documented-oversight',
      collaborationMode: 4,
    });
    documented('startRun', started);
    const runId = started.body.runId as string;
    const live = await eventually(async () => {
      const res = await as('rm')('GET', `/api/runs/${runId}/oversight`);
      return res.body.state === 'active' ? res : undefined;
    }, 'the oversight schedules');
    documented('runOversight', live);
    const scheduleId = oversightScheduleId(runId, 'weekly-sample');
    await client.schedule.getHandle(scheduleId).trigger();
    const listed = await eventually(async () => {
      const res = await as('guardian')('GET', `/api/runs/${runId}/oversight`);
      return (res.body.reviews as { status: string }[]).some((r) => r.status === 'waiting') ? res : undefined;
    }, 'the fired review in the list');
    documented('runOversight', listed);
    const reviewUrl = `/api/reviews/${listed.body.reviews[0].reviewId as string}`;
    documented('getReview', await as('guardian')('GET', reviewUrl));
    const recorded = await as('guardian')('POST', reviewUrl, {
      sampleSize: 25,
      overrides: 1,
      findings: [{ summary: 'One refund above the limit', severity: 'high', report: true }],
    });
    documented('recordReview', recorded);
    documented('getReview', await as('guardian')('GET', reviewUrl));
    documented('stop', await as('guardian')('POST', `/api/runs/${runId}/stop`, { reason: 'test over' }));
    await client.schedule.getHandle(scheduleId).delete();
  });
});

/**
 * Operations whose answer no test here meets, each with why and where it is met: their answer is
 * documented all the same (the test below), with a schema another operation's real answer checks.
 */
const MET_ELSEWHERE: Partial<Record<OperationId, string>> = {
  resend:
    '{step}, the stepAnswerSchema decide and submitEvidence are checked against here; it needs a notification that failed to deliver (test/api/authorizationMatrix.test.ts)',
};

describe('every operation', () => {
  it('documents its success answer: a JSON schema, the media types of one that is not JSON, or no content (204)', () => {
    const missing = (Object.entries(operations) as [OperationId, Operation][])
      .filter(([id, o]) => {
        const content = Object.entries(successContent(doc, id));
        if (o.status === 204) return content.length > 0;
        if (content.length === 0) return true;
        // JSON has its schema; anything else is described in words.
        return content.some(([type, media]) =>
          type === 'application/json'
            ? !['type', 'anyOf', 'oneOf'].some((k) => k in ((media as { schema?: object }).schema ?? {}))
            : !(o.answer && (media as { schema?: object }).schema),
        );
      })
      .map(([id, o]) => `${id} ${o.method} ${o.path}`);
    expect(missing).toEqual([]);
  });

  it('had its real answer checked against the document above (or says where it is met)', () => {
    const unmet = (Object.keys(operations) as OperationId[]).filter((id) => !met.has(id) && !MET_ELSEWHERE[id]);
    expect(unmet).toEqual([]);
  });
});
