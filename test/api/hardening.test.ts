import net from 'node:net';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunStateView } from '../../src/contract/definitions';
import { OutboundPolicy } from '../../src/outbound/allowlist';
import { apiAs, eventually, SMALL_RUNBOOK, smallRunbookVariant, useExtraRunbooks, useTestApp } from '../support/app';
import { useTestClient } from '../support/temporal';

/**
 * Issue 11's causes, each reproduced with its new answer: malformed percent-escapes, a value
 * nested thousands deep, forged page tokens, zip bombs, SSRF through a run's target URL, and the
 * Temporal Web UI link. Never a 5xx; refused requests leave the run's history as it was.
 */

/** A loopback service that must stay out of reach, and one allowed target that fails loudly. */
let internal: http.Server;
let target: http.Server;
const internalHits: string[] = [];
const portOf = (s: http.Server) => (s.address() as AddressInfo).port;

beforeAll(async () => {
  internal = http.createServer((req, res) => {
    internalHits.push(req.url ?? '');
    res.end('{"namespaces":["secret-tenant"]}');
  });
  target = http.createServer((_req, res) => res.writeHead(503).end('Traceback: db password is hunter2'));
  await Promise.all([internal, target].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
});
afterAll(() => {
  internal.close();
  target.close();
});

const SSRF_RUNBOOK = `id: web-ssrf
version: 1.0.0
title: One HTTP check against the target
roles:
  - { id: ai-product-manager, title: AI Product Manager }
  - { id: guardian, title: Guardian }
  - { id: operations, title: Operations }
collaborationModes: [1, 2, 3]
parameters:
  targetUrl: { type: url, description: The system going live., default: http://127.0.0.1:1 }
stopAuthority: [guardian, operations]
rollbackAuthority: [ai-product-manager]
steps:
  - id: system-connections
    kind: action
    title: System connections
    action: http-check
    params: { endpoints: [{ name: status, url: "\${params.targetUrl}/status", expectStatus: 200 }] }
    timeout: 30s
    retry: { maximumAttempts: 1 }
  - id: hypercare
    kind: hypercare
    title: Hypercare
    duration: 30m
    responseDeadline: 30m
    stopAuthority: [guardian, operations]
`;

const runbooks = useExtraRunbooks(
  { beforeAll, afterAll },
  { 'web-ssrf.yaml': SSRF_RUNBOOK, 'web-entry.yaml': smallRunbookVariant('web-entry', []) },
);
const app = useTestApp({ beforeAll, afterAll }, () => ({
  ...runbooks(),
  // The operator allows the one target; everything else on loopback stays out of reach.
  outbound: OutboundPolicy.parse(`127.0.0.1:${portOf(target)}`),
}));
const client = useTestClient({ beforeAll, afterAll });
const as = (id?: string) => apiAs(app(), id);

async function startSmall(system: string): Promise<string> {
  const res = await as('rm')('POST', '/api/runs', { runbook: SMALL_RUNBOOK, system, collaborationMode: 2 });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.runId as string;
}

const historyLength = async (runId: string) =>
  (await client().workflow.getHandle(runId).fetchHistory()).events?.length ?? 0;

describe('malformed percent-escapes in the path', () => {
  it('answer 400 in the error shape on every API route, also unauthenticated, and a 400 page on UI routes', async () => {
    for (const bad of ['%ZZ', '%E0%A4%A', '%C0%AE%C0%AE', '%']) {
      for (const [method, path] of [
        ['GET', `/api/runs/${bad}`],
        ['POST', `/api/runs/${bad}/stop`],
        ['POST', `/api/runs/x/steps/${bad}/decisions`],
        ['GET', `/api/runs/${bad}/history`],
      ] as const) {
        for (const who of ['guardian', undefined]) {
          const res = await as(who)(method, path, method === 'POST' ? { reason: 'x' } : undefined);
          expect([method, path, who, res.status]).toEqual([method, path, who, 400]);
          expect(res.body.error).toMatchObject({
            code: 'invalid_request',
            message: 'the URL path holds a malformed percent-escape',
          });
        }
      }
      const page = await fetch(`${app().url}/runs/${bad}`, {
        headers: { accept: 'text/html', authorization: `Bearer ${app().credentials.guardian!.token}` },
      });
      expect(page.status).toBe(400);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expect(await page.text()).toContain('malformed percent-escape');
    }
  });
});

describe('evidence values', () => {
  it('a value nested thousands deep is a 400 naming the field; the run’s history does not grow', async () => {
    const runId = await startSmall(`deep-${Date.now().toString(36)}`);
    await eventually(
      async () =>
        (await as('ie')<RunStateView>('GET', `/api/runs/${runId}`)).body.status === 'waiting' ? true : undefined,
      'the run to wait for evidence',
    );
    const before = await historyLength(runId);
    const deep = '['.repeat(5_500) + ']'.repeat(5_500);
    const body = `{"itemId":"accuracy","value":${deep}}`;
    const res = await as('ie')('POST', `/api/runs/${runId}/steps/validation-report/evidence`, body);
    expect(res.status).toBe(400);
    expect(res.body.error.issues[0]).toEqual({
      path: 'value[0][0][0][0][0][0][0][0]',
      message: 'must be nested at most 8 levels deep',
    });
    expect(await historyLength(runId)).toBe(before);
    // A proper value still goes through.
    expect(
      (await as('ie')('POST', `/api/runs/${runId}/steps/validation-report/evidence`, { itemId: 'accuracy', value: 97 }))
        .status,
    ).toBe(200);
  });
});

describe('page tokens', () => {
  it('a forged, altered or borrowed token is a 400 at once; the server’s own token pages on', async () => {
    await startSmall(`page-a-${Date.now().toString(36)}`);
    await startSmall(`page-b-${Date.now().toString(36)}`);
    const first = await eventually(async () => {
      const res = await as('rm')('GET', `/api/runs?runbook=${SMALL_RUNBOOK}&pageSize=1`);
      return res.body.nextPageToken ? res : undefined;
    }, 'a second page');
    const token = first.body.nextPageToken as string;
    const [raw, mac] = token.split('.') as [string, string];
    // The old unkeyed checksum: anyone could compute it for any bytes.
    const { createHash } = await import('node:crypto');
    const forgedRaw = Buffer.from('forged-token').toString('base64url');
    const oldStyle = `${forgedRaw}.${createHash('sha256').update('golive-page-token:').update('forged-token').digest('base64url').slice(0, 16)}`;
    for (const bad of [
      oldStyle,
      `${raw}.${mac.slice(0, -2)}AA`,
      `${Buffer.from('x').toString('base64url')}.${mac}`,
      `${token}.x`,
      'Zm9v',
    ]) {
      const res = await as('rm')('GET', `/api/runs?runbook=${SMALL_RUNBOOK}&pageSize=1&pageToken=${bad}`);
      expect([bad, res.status]).toEqual([bad, 400]);
      expect(res.body.error.issues[0].path).toBe('pageToken');
    }
    // Bound to its list: the same token for another filter is refused too.
    expect((await as('rm')('GET', `/api/runs?pageSize=1&pageToken=${token}`)).status).toBe(400);
    expect((await as('rm')('GET', `/api/runs?runbook=${SMALL_RUNBOOK}&pageSize=1&pageToken=${token}`)).status).toBe(
      200,
    );
  });
});

describe('dossier verify upload', () => {
  const verify = (body: Uint8Array) =>
    as('ops')('POST', '/api/dossiers/verify', body, { 'content-type': 'application/zip' });

  it('answers 413 for a zip bomb (declared or lying about its size), while /healthz keeps answering', async () => {
    const bomb = zipSync({ 'dossier-x/manifest.json': new Uint8Array(250 * 1024 * 1024) }, { level: 9 });
    expect(bomb.length).toBeLessThan(300 * 1024);
    // The same, with the directory and the local header claiming 1 KB.
    const liar = zipSync({ 'dossier-x/manifest.json': new Uint8Array(40 * 1024 * 1024) }, { level: 9 });
    const view = new DataView(liar.buffer);
    view.setUint32(22, 1024, true);
    for (let i = liar.length - 22; i >= 0; i--) {
      if (view.getUint32(i, true) === 0x02014b50) {
        view.setUint32(i + 24, 1024, true);
        break;
      }
    }
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const health: number[] = [];
    let done = false;
    const probe = (async () => {
      while (!done) {
        // A reused keep-alive socket can meet the server's idle close (ECONNRESET): ask again.
        const status = await as()('GET', '/healthz').then(
          (r) => r.status,
          () => undefined,
        );
        if (status !== undefined) health.push(status);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const answers = await Promise.all([bomb, liar, bomb, liar].map(verify));
    done = true;
    await probe;
    loop.disable();
    for (const a of answers) {
      expect(a.status, JSON.stringify(a.body)).toBe(413);
      expect(a.body.error.code).toBe('payload_too_large');
    }
    expect(health.length).toBeGreaterThan(0);
    expect(health.every((s) => s === 200)).toBe(true);
    // The app runs in this process: its event loop never stalled for the unpacking (the old
    // in-thread unzip blocked it for seconds per request; the margin is generous).
    expect(loop.max / 1e6).toBeLessThan(1_500);
  });
});

describe('outbound policy (SSRF)', () => {
  it('a targetUrl outside the allowlist is refused at start, naming the parameter; nothing is started or fetched', async () => {
    const res = await as('rm')('POST', '/api/runs', {
      runbook: 'web-ssrf',
      system: `ssrf-${Date.now().toString(36)}`,
      collaborationMode: 2,
      params: { targetUrl: `http://127.0.0.1:${portOf(internal)}/api/v1` },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.issues).toEqual([
      {
        path: 'params.targetUrl',
        message: `127.0.0.1:${portOf(internal)} is not an allowed destination; GOLIVE_OUTBOUND_ALLOW allows 127.0.0.1:${portOf(target)} (it fills steps[0].params.endpoints[0].url)`,
      },
    ]);
    expect(internalHits).toEqual([]);
  });

  it('inside it, a failing check’s error names status and URL, never the body', async () => {
    const system = `ssrf-ok-${Date.now().toString(36)}`;
    const res = await as('rm')('POST', '/api/runs', {
      runbook: 'web-ssrf',
      system,
      collaborationMode: 2,
      params: { targetUrl: `http://127.0.0.1:${portOf(target)}` },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const state = await eventually(async () => {
      const s = (await as('rm')<RunStateView>('GET', `/api/runs/${res.body.runId}`)).body;
      return s.steps?.[0]?.error ? s : undefined;
    }, 'the check to fail');
    expect(state.steps[0]!.error).toBe(
      `Activity task failed: 1 of 1 endpoint(s) failed: status http://127.0.0.1:${portOf(target)}/status (status 503)`,
    );
    expect(JSON.stringify(state)).not.toContain('hunter2');
    expect(JSON.stringify(state)).not.toContain('Traceback');
    // The runs page says why by the check's own words, not Temporal's "Activity task failed".
    const page = await eventually(async () => {
      const res = await as('rm')<string>('GET', `/runs?system=${system}`, undefined, { accept: 'text/html' });
      return res.body.includes('action-failed at system-connections') ? res.body : undefined;
    }, 'the runs page to say why');
    expect(page).toContain('action-failed at system-connections: 1 of 1 endpoint(s) failed');
    expect(page).not.toContain('Activity task failed');
    // And the run's own page says why in the same words.
    const own = await as('rm')<string>('GET', `/runs/${res.body.runId}`, undefined, { accept: 'text/html' });
    expect(own.body).toContain('<strong>action-failed</strong> at system-connections: 1 of 1 endpoint(s) failed');
  });
});

describe('the Temporal Web UI link', () => {
  it('is shown to operations only', async () => {
    const runId = await startSmall(`tui-${Date.now().toString(36)}`);
    const page = async (who: string) =>
      (await as(who)('GET', `/runs/${runId}`, undefined, { accept: 'text/html' })).body as string;
    expect(await page('ops')).toContain('Open in Temporal Web UI');
    for (const who of ['rm', 'guardian', 'user']) expect(await page(who)).not.toContain('Temporal Web UI');
  });
});

/** The raw answer to a request written on a socket as it is. */
function rawAnswer(request: string): Promise<string> {
  const { port } = new URL(app().url);
  return new Promise<string>((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(request));
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('utf8')));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

const errorOf = (raw: string) =>
  (JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as { error: { code: string; message: string } }).error;

describe('requests Node cannot parse', () => {
  it('answer 400 in the error shape (a control character in a header), not an empty body', async () => {
    const raw = await rawAnswer(
      'POST /api/runs/x/reports HTTP/1.1\r\nHost: x\r\nIdempotency-Key: a\u0001b\r\nContent-Length: 0\r\n\r\n',
    );
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(errorOf(raw).code).toBe('invalid_request');
    expect(errorOf(raw).message).toMatch(/character HTTP does not allow/);
  });

  it("answer 431 in the error shape for headers over Node's limit, which the OpenAPI document states once", async () => {
    const raw = await rawAnswer(
      `GET /api/runs HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(http.maxHeaderSize)}\r\n\r\n`,
    );
    expect(raw).toMatch(/^HTTP\/1\.1 431 /);
    expect(errorOf(raw)).toEqual({ code: 'invalid_request', message: 'the request headers are too large' });
    // Not an operation's answer (no definition causes it): the document's description says it for every path.
    const doc = (await as('rm')('GET', '/api/openapi.json')).body as { info: { description: string } };
    expect(doc.info.description).toContain(
      `431 (code invalid_request) when the request's headers are over ${http.maxHeaderSize} bytes`,
    );
    expect(doc.info.description).toContain('400 (code invalid_request) when the request cannot be read as HTTP');
  });
});
