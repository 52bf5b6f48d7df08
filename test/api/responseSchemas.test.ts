import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { RunStateView } from '../../src/contract/definitions';
import { operations } from '../../src/server/api';
import { evidenceItemSchema } from '../../src/contract/schemas/runbook';
import { apiAs, eventually, SMALL_RUNBOOK, useTestApp } from '../support/app';

/**
 * The OpenAPI document names what the main operations answer (src/server/responses.ts): a
 * client generated from it must be able to read real answers. A whole run through the API
 * (start, evidence, decision, Red Button report, acknowledgement, resolution, stop), and each
 * answer checked against the schema the document gives for its operation; and refusals on the way
 * (an evidence item the step does not have, a decision once the step is decided) have their
 * status listed for their operation.
 */

const app = useTestApp({ beforeAll, afterAll });
const as = (id: string) => apiAs(app(), id);

type OperationId = keyof typeof operations;

/** The answer, checked against its operation's documented schema (every issue named on failure). */
function documented(op: OperationId, res: { status: number; body: unknown }): void {
  const o = operations[op] as { status: number; response?: z.ZodType };
  expect(res.status, JSON.stringify(res.body)).toBe(o.status);
  const parsed = o.response!.safeParse(res.body);
  expect(parsed.success, `${op}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
}

/** A refusal: the status expected, and one the document lists for its operation. */
function refused(
  doc: { paths: Record<string, Record<string, { responses: object }>> },
  op: OperationId,
  status: number,
  res: { status: number; body: unknown },
): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  const o = operations[op];
  const listed = doc.paths[o.path.replace(/:([A-Za-z]+)/g, '{$1}')]![o.method]!.responses;
  expect(Object.keys(listed), `${op} answers ${status}`).toContain(String(status));
}

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
  });
});

describe('the documented answers', () => {
  it('are in the OpenAPI document and match what the API answers along a whole run', { timeout: 120_000 }, async () => {
    const doc = await as('rm')('GET', '/api/openapi.json');
    const start = doc.body.paths['/api/runs'].post.responses['201'].content['application/json'].schema;
    expect(start).toMatchObject({ type: 'object', required: ['runId'] });
    const report = doc.body.paths['/api/runs/{runId}/reports'].post.responses['201'].content['application/json'];
    expect(report.schema.properties.report.properties.severity.enum).toEqual(['low', 'medium', 'high', 'critical']);
    // An evidence value: one shape per evidence type a runbook can name.
    const evidence = doc.body.paths['/api/runs/{runId}/steps/{stepId}/evidence'].post.requestBody.content;
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
      doc.body,
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
      doc.body,
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
      doc.body.paths['/api/runs'].get.responses['200'].content['application/json'].schema.properties.runs.items;
    expect(item.properties.startedAt.description).toMatch(
      /^when golive's server started the run \(kept in the run's memo/,
    );
  });
});
