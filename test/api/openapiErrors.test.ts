import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operations, type Operation } from '../../src/server/api';
import { apiAs, useTestApp } from '../support/app';

/**
 * The OpenAPI document lists, per operation, the error statuses it can answer (derived from the
 * operation's definition in src/server/openapi.ts): none it cannot — a request without a body
 * has no 413 or 415, a public read asks nobody who they are, so no 401 — and those it does:
 * checked against real answers (a body sent to a GET is ignored, a run route answers 404 for a
 * run that does not exist). Refusals along a real run: test/api/responseSchemas.test.ts.
 */

const app = useTestApp({ beforeAll, afterAll });

type OperationId = keyof typeof operations;
interface DocOperation {
  operationId: string;
  security?: unknown[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
}
type Doc = { info: { description: string }; paths: Record<string, Record<string, DocOperation>> };

let doc: Doc;
beforeAll(async () => {
  doc = (await apiAs(app())<Doc>('GET', '/api/openapi.json')).body;
});

const openApiPath = (o: Operation) => o.path.replace(/:([A-Za-z]+)/g, '{$1}');
const documentedOf = (id: OperationId) => doc.paths[openApiPath(operations[id])]![operations[id].method]!;

/** The answer's status is the operation's success or an error status its document lists. */
function expectDocumented(id: OperationId, status: number): void {
  const listed = Object.keys(documentedOf(id).responses);
  expect(listed, `${id} answered ${status}`).toContain(String(status));
}

describe('error statuses in the OpenAPI document', () => {
  it('lists 413 and 415 only where a body is taken, and no 401, 403 or 503 for a public read', () => {
    const wrong: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const statuses = Object.keys(op.responses);
        if (!op.requestBody && (statuses.includes('413') || statuses.includes('415')))
          wrong.push(`${method} ${path}: 413/415 without a body`);
        const publicRead = method === 'get' && op.security?.length === 0;
        for (const s of ['401', '403', '503'])
          if (publicRead && statuses.includes(s) && !(path === '/readyz' && s === '503'))
            wrong.push(`${method} ${path}: ${s} on a public read`);
        for (const s of statuses.filter((x) => x >= '400'))
          expect((op.responses[s] as { description: string }).description, `${method} ${path} ${s}`).not.toBe('');
      }
    }
    expect(wrong).toEqual([]);
    expect(Object.keys(documentedOf('healthz').responses)).toEqual(['200', '400']);
  });

  it('lists what only some operations answer where they answer it', () => {
    const having = (status: string) =>
      (Object.keys(operations) as OperationId[]).filter((id) => status in documentedOf(id).responses).sort();
    expect(having('429')).toEqual(['login']);
    // Judged by a workflow, or the handler's own conflicts: a start on a busy target, a passkey twice.
    expect(having('409')).toEqual(
      [
        'acknowledgeReport',
        'decide',
        'passkeyChallenge',
        'recordReview',
        'registerPasskey',
        'report',
        'resend',
        'resolveReport',
        'rollback',
        'startRun',
        'stop',
        'submitEvidence',
      ].sort(),
    );
    expect(documentedOf('readyz').responses).toHaveProperty('503');
  });

  it('ignores a body sent where none is taken, and credentials sent to a public read', async () => {
    const rm = app().credentials.rm!.token;
    const big = JSON.stringify({ pad: 'x'.repeat(300_000) });
    const get = async (path: string, token: string) => {
      const res = await request(app().url + path, {
        method: 'GET',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-16' },
        body: big,
      });
      await res.body.dump();
      return res.statusCode;
    };
    // Over the JSON limit, in a charset the parser refuses: neither 413 nor 415 where no body is read.
    expect(await get('/api/me', rm)).toBe(200);
    expect(await get('/healthz', 'not-a-token')).toBe(200);
    expect(await get('/api/openapi.json', 'not-a-token')).toBe(200);
    expect(await get('/api/signing-keys', 'not-a-token')).toBe(200);
    // A body is read where one is taken, after the caller is known.
    const login = await apiAs(app())('POST', '/api/session', big);
    expect(login.status).toBe(413);
    expectDocumented('login', login.status);
    expect((await apiAs(app())('POST', '/api/runs', big)).status).toBe(401);
    // A query field where none is taken is a 400, and listed.
    const query = await apiAs(app())('GET', '/healthz?verbose=1');
    expect(query.status).toBe(400);
    expectDocumented('healthz', query.status);
  });

  it('answers 404 on every route that names a run, for a run that does not exist, and lists it', async () => {
    type RunRoute = {
      [K in OperationId]: (typeof operations)[K]['path'] extends `${string}:runId${string}` ? K : never;
    }[OperationId];
    // A body each route accepts, so the request reaches the run (a new run route fails to compile here).
    const bodies: Record<RunRoute, unknown> = {
      getRun: undefined,
      decide: { decision: 'approve' },
      submitEvidence: { itemId: 'accuracy', value: 97 },
      resend: {},
      report: { severity: 'low', description: 'odd' },
      resolveReport: { resolution: 'fixed' },
      acknowledgeReport: { text: 'seen' },
      reportByReceipt: { receipt: 'a'.repeat(24) },
      stop: { reason: 'test' },
      rollback: { reason: 'test' },
      runOversight: undefined,
      history: undefined,
      dossier: undefined,
      document: undefined,
      passkeyChallenge: { decision: 'approve' },
    };
    const values: Record<string, string> = {
      runId: 'golive-nothing-00000000',
      stepId: 'validation-report',
      reportId: 'r-1',
      documentId: 'go-live-plan',
    };
    const answers: Record<string, number> = {};
    for (const [id, body] of Object.entries(bodies) as [RunRoute, unknown][]) {
      const o = operations[id];
      const path = o.path.replace(/:([A-Za-z]+)/g, (_, name: string) => values[name]!);
      const res = await apiAs(app(), 'rm')(o.method.toUpperCase(), path, body);
      answers[id] = res.status;
      expectDocumented(id, res.status);
    }
    expect(
      Object.values(answers).every((s) => s === 404),
      JSON.stringify(answers),
    ).toBe(true);
  });
});

describe('a method a path does not take', () => {
  it('is a 405 with Allow listing the methods the path takes, in the error shape, as the document says', async () => {
    const rm = apiAs(app(), 'rm');
    const cases: [method: string, path: string, allow: string][] = [
      ['PUT', '/api/runs', 'GET, HEAD, POST, OPTIONS'],
      ['POST', '/api/runs/golive-nothing-00000000', 'GET, HEAD, OPTIONS'],
      ['DELETE', '/api/runs/golive-nothing-00000000/stop', 'POST, OPTIONS'],
      ['GET', '/api/session', 'POST, DELETE, OPTIONS'],
      ['PATCH', '/api/passkeys', 'GET, HEAD, POST, OPTIONS'],
      ['DELETE', '/healthz', 'GET, HEAD, OPTIONS'],
      ['POST', '/metrics', 'GET, HEAD, OPTIONS'],
      ['POST', '/api/openapi.json', 'GET, HEAD, OPTIONS'],
    ];
    for (const [method, path, allow] of cases) {
      const res = await rm(method, path);
      expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(405);
      expect(res.headers.get('allow'), `${method} ${path}`).toBe(allow);
      expect(res.body.error).toMatchObject({ code: 'method_not_allowed', message: expect.stringContaining(allow) });
    }
    // Anonymous callers hear the same; a path the API does not have stays a 404.
    expect((await apiAs(app())('POST', '/readyz')).status).toBe(405);
    const missing = await rm('POST', '/api/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
    // Every path of the document answers an unlisted method with 405 naming exactly its listed methods.
    for (const [path, methods] of Object.entries(doc.paths)) {
      const concrete = path.replace(/\{[A-Za-z]+\}/g, 'x-1');
      const res = await apiAs(app())('PUT', concrete);
      expect(res.status, `PUT ${path}`).toBe(405);
      const listed = Object.keys(methods).map((m) => m.toUpperCase());
      const allowed = res.headers.get('allow')!.split(', ');
      for (const m of listed) expect(allowed, `PUT ${path}`).toContain(m);
    }
    expect(doc.info.description).toMatch(/405 \(code method_not_allowed\) with an Allow header/);
  });

  it('OPTIONS on a path of the document is a 204 with Allow and no body (no CORS headers), as the document says', async () => {
    const cases: [path: string, allow: string][] = [
      ['/api/runs', 'GET, HEAD, POST, OPTIONS'],
      ['/api/runs/golive-nothing-00000000/stop', 'POST, OPTIONS'],
      ['/api/session', 'POST, DELETE, OPTIONS'],
      ['/healthz', 'GET, HEAD, OPTIONS'],
    ];
    for (const [path, allow] of cases) {
      const res = await fetch(app().url + path, {
        method: 'OPTIONS',
        headers: { origin: 'https://elsewhere.example', 'access-control-request-method': 'POST' },
      });
      expect(res.status, path).toBe(204);
      expect(res.headers.get('allow'), path).toBe(allow);
      expect(await res.text(), path).toBe('');
      expect(res.headers.get('access-control-allow-origin'), path).toBeNull();
    }
    // Every path of the document, each with the methods it lists.
    for (const [path, methods] of Object.entries(doc.paths)) {
      const res = await fetch(app().url + path.replace(/\{[A-Za-z]+\}/g, 'x-1'), { method: 'OPTIONS' });
      expect(res.status, `OPTIONS ${path}`).toBe(204);
      const allowed = res.headers.get('allow')!.split(', ');
      for (const m of Object.keys(methods)) expect(allowed, `OPTIONS ${path}`).toContain(m.toUpperCase());
    }
    // A path the API does not have is still a 404 in the error shape.
    const missing = await fetch(app().url + '/api/nothing-here', { method: 'OPTIONS' });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
    expect(doc.info.description).toMatch(/OPTIONS is answered 204 with that Allow header/);
  });
});
