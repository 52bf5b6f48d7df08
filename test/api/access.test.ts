import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrustedProxy } from '../../src/auth/proxy';
import { apiAs, startTestApp, useTestApp } from '../support/app';
import { testClient } from '../support/temporal';

/** Authentication, CSRF, throttling, input limits and the operational endpoints. */

const app = useTestApp({ beforeAll, afterAll });

async function login(user: string, password: string) {
  return fetch(app().url + '/api/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: user, password }),
  });
}

function sessionCookie(res: Response): string {
  const set = res.headers.get('set-cookie') ?? '';
  return set.split(';')[0] ?? '';
}

describe('authentication', () => {
  it('refuses requests without credentials or with a wrong token (401)', async () => {
    const none = await apiAs(app())('GET', '/api/runs');
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('unauthenticated');
    const bad = await apiAs(app())('GET', '/api/runs', undefined, { authorization: 'Bearer glt_nope' });
    expect(bad.status).toBe(401);
    const malformed = await apiAs(app())('GET', '/api/runs', undefined, { authorization: 'Basic abc' });
    expect(malformed.status).toBe(401);
  });

  it('accepts an API token and says who it is', async () => {
    const me = await apiAs(app(), 'guardian')('GET', '/api/me');
    expect(me.status).toBe(200);
    expect(me.body.user).toEqual({
      id: 'guardian',
      name: 'Gita Guardian',
      email: 'guardian@demo.golive.example',
      roles: ['guardian'],
    });
    expect(me.body.via).toBe('token');
  });

  it('logs in with a password: httpOnly SameSite=Strict cookie; CSRF needed for changes; logout revokes', async () => {
    const wrong = await login('sponsor', 'not-the-password');
    expect(wrong.status).toBe(401);

    const res = await login('sponsor', app().credentials.sponsor!.password);
    expect(res.status).toBe(200);
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const cookie = sessionCookie(res);

    const me = await apiAs(app())('GET', '/api/me', undefined, { cookie });
    expect(me.status).toBe(200);
    const csrf = me.body.csrfToken as string;
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{20,}$/);

    // A state-changing request from the cookie session without the token is refused.
    const noCsrf = await apiAs(app())('POST', '/api/runs/whatever/stop', { reason: 'x' }, { cookie });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.error.code).toBe('csrf');
    const wrongCsrf = await apiAs(app())(
      'POST',
      '/api/runs/whatever/stop',
      { reason: 'x' },
      { cookie, 'x-csrf-token': 'forged' },
    );
    expect(wrongCsrf.status).toBe(403);
    // With the token the request gets through to the run lookup.
    const withCsrf = await apiAs(app())(
      'POST',
      '/api/runs/whatever/stop',
      { reason: 'x' },
      { cookie, 'x-csrf-token': csrf },
    );
    expect(withCsrf.status).toBe(404);

    const out = await apiAs(app())('DELETE', '/api/session', undefined, { cookie, 'x-csrf-token': csrf });
    expect(out.status).toBe(204);
    const after = await apiAs(app())('GET', '/api/me', undefined, { cookie });
    expect(after.status).toBe(401);
  });

  it('throttles repeated failed logins for a user (429 with Retry-After)', async () => {
    for (let i = 0; i < 5; i++) expect((await login('ops', `wrong-${i}`)).status).toBe(401);
    const blocked = await login('ops', app().credentials.ops!.password);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another person from the same address is not locked out.
    expect((await login('ie', app().credentials.ie!.password)).status).toBe(200);
  });

  it('sends pages to the login page when nobody is logged in', async () => {
    const res = await fetch(app().url + '/runs', { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?next=%2Fruns');
    const loginPage = await fetch(app().url + '/login');
    expect(loginPage.status).toBe(200);
    expect(loginPage.headers.get('content-security-policy')).toContain("script-src 'self'");
  });
});

describe('input limits', () => {
  it('rejects unknown fields, bad JSON, non-JSON bodies and oversized bodies without a 500', async () => {
    const rm = apiAs(app(), 'rm');
    const unknown = await rm('POST', '/api/runs', {
      runbook: 'web-small',
      system: 'x',
      collaborationMode: 1,
      colour: 'red',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.issues).toEqual([{ path: 'colour', message: 'unknown field' }]);

    const badJson = await rm('POST', '/api/runs', '{"runbook": ', {});
    expect(badJson.status).toBe(400);
    expect(badJson.body.error.message).toMatch(/not valid JSON/);
    // A passkey is never asked to sign a decision that would be refused: a rejection needs a comment.
    const uncommented = await rm('POST', '/api/runs/golive-any/steps/gate-4/passkey-challenge', { decision: 'reject' });
    expect(uncommented.status).toBe(400);
    expect(uncommented.body.error.issues).toEqual([{ path: 'comment', message: 'a rejection needs a comment' }]);
    const nullBody = await rm('POST', '/api/runs', 'null', {});
    expect(nullBody.status).toBe(400);
    expect(nullBody.body.error).toMatchObject({
      message: 'the request body must be a JSON object',
      issues: [{ path: 'body', message: 'must be an object' }],
    });

    const notJson = await fetch(app().url + '/api/runs', {
      method: 'POST',
      headers: { authorization: `Bearer ${app().credentials.rm!.token}`, 'content-type': 'text/plain' },
      body: 'runbook=web-small',
    });
    expect(notJson.status).toBe(415);

    const huge = await rm('POST', '/api/runs', {
      runbook: 'web-small',
      system: 'x',
      collaborationMode: 1,
      params: { note: 'x'.repeat(300_000) },
    });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('payload_too_large');

    const badQuery = await rm('GET', '/api/runs?state=exploded&pageSize=1000');
    expect(badQuery.status).toBe(400);
    expect(badQuery.body.error.issues.map((i: { path: string }) => i.path).sort()).toEqual([
      'query.pageSize',
      'query.state',
    ]);

    const noRoute = await rm('GET', '/api/nothing-here');
    expect(noRoute.status).toBe(404);
    expect(noRoute.body.error.code).toBe('not_found');
  });
});

describe('operations endpoints', () => {
  it('reports health, Prometheus metrics and the OpenAPI document', async () => {
    const health = await apiAs(app())('GET', '/healthz');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok' });
    const ready = await apiAs(app())('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', temporal: 'ok', database: 'ok' });

    const metrics = await apiAs(app())('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(metrics.body).toMatch(/# TYPE golive_http_requests_total counter/);
    expect(metrics.body).toMatch(/golive_http_requests_total\{method="GET",route="\/healthz",status="200"\} 1/);
    expect(metrics.body).toMatch(/golive_runs_started_total/);

    const doc = await apiAs(app())('GET', '/api/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    const decide = doc.body.paths['/api/runs/{runId}/steps/{stepId}/decisions'].post;
    expect(
      decide.requestBody.content['application/json'].schema.oneOf ??
        decide.requestBody.content['application/json'].schema.anyOf,
    ).toHaveLength(2);
    expect(decide.parameters.map((p: { name: string }) => p.name)).toEqual(['runId', 'stepId', 'Idempotency-Key']);
    expect(doc.body.paths['/api/runs'].post.requestBody.content['application/json'].schema.additionalProperties).toBe(
      false,
    );
  });
});

describe('single sign-on through a trusted proxy', () => {
  it('believes the header only from the configured network and only for known people', async () => {
    const client = await testClient();
    const trusted = await startTestApp({
      client,
      taskQueue: 'unused',
      trustedProxy: createTrustedProxy('X-Forwarded-User', ['127.0.0.1/32']),
    });
    const untrusted = await startTestApp({
      client,
      taskQueue: 'unused',
      trustedProxy: createTrustedProxy('X-Forwarded-User', ['10.0.0.0/8']),
    });
    try {
      const me = await apiAs(trusted)('GET', '/api/me', undefined, { 'x-forwarded-user': 'guardian' });
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ user: { id: 'guardian' }, via: 'proxy', csrfToken: expect.any(String) });
      // Browser requests through the proxy still need the CSRF token for changes.
      const noCsrf = await apiAs(trusted)(
        'POST',
        '/api/runs/x/stop',
        { reason: 'x' },
        { 'x-forwarded-user': 'guardian' },
      );
      expect(noCsrf.status).toBe(403);
      const stranger = await apiAs(trusted)('GET', '/api/me', undefined, { 'x-forwarded-user': 'mallory' });
      expect(stranger.status).toBe(401);
      const ignored = await apiAs(untrusted)('GET', '/api/me', undefined, { 'x-forwarded-user': 'guardian' });
      expect(ignored.status).toBe(401);
    } finally {
      await trusted.close();
      await untrusted.close();
      await client.connection.close();
    }
  });
});
