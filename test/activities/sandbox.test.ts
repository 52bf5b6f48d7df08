import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../src/sandbox/server';
import { eventually } from '../support/eventually';
import { json, post, sandbox, tinyServer } from './harness';

let sb: RunningSandbox;
beforeEach(async () => {
  sb = await sandbox();
});
afterEach(() => sb.close());

describe('sandbox production system', () => {
  it('serves health, version and a deterministic prediction', async () => {
    expect(await json(`${sb.url}/health`)).toEqual({ status: 'ok', version: '1.0.0', slot: 'production' });
    expect(await json(`${sb.url}/version`)).toEqual({ version: '1.0.0', status: 'serving' });
    const a = await (await post(`${sb.url}/predict`, { text: 'fraud risk outage' })).json();
    const b = await (await post(`${sb.url}/predict`, { text: 'fraud risk outage' })).json();
    expect(a).toEqual(b);
    expect(a).toMatchObject({ version: '1.0.0', label: 'high-risk', tokens: 3 });
  });

  it('rejects a bad body with 400 naming the field path', async () => {
    const res = await post(`${sb.url}/access/bindings`, { bindings: [{ subject: 'alice' }] }, 'PUT');
    expect(res.status).toBe(400);
    const body = (await res.json()) as { issues: { path: string }[] };
    expect(body.issues.map((i) => i.path)).toContain('bindings.0.role');
    // A body that is not JSON: the same JSON shape, no stack trace.
    const broken = await fetch(`${sb.url}/deploy`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'nojson',
    });
    expect(broken.status).toBe(400);
    expect(await broken.text()).toBe('{"error":"the body is not valid JSON"}');
  });

  it('deploys once per idempotency key and rolls back to the previous version', async () => {
    expect((await post(`${sb.url}/deploy`, { version: '2.0.0', idempotencyKey: 'k1' })).status).toBe(201);
    const again = await post(`${sb.url}/deploy`, { version: '2.0.0', idempotencyKey: 'k1' });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ replayed: true, to: '2.0.0' });
    expect((await post(`${sb.url}/deploy`, { version: '3.0.0', idempotencyKey: 'k1' })).status).toBe(409);
    expect((await post(`${sb.url}/rollback`, { idempotencyKey: 'r1' })).status).toBe(201);
    const d = await json<{
      version: string;
      history: unknown[];
      keys: { key: string; calls: number; applied: number }[];
    }>(`${sb.url}/deployments`);
    expect(d.version).toBe('1.0.0');
    expect(d.history).toHaveLength(2);
    expect(d.keys.find((k) => k.key === 'k1')).toMatchObject({ calls: 2, applied: 1 });
  });

  it('keeps the old version serving during a slow rollout', async () => {
    await post(`${sb.url}/faults`, { rolloutMs: 200 });
    await post(`${sb.url}/deploy`, { version: '2.0.0', idempotencyKey: 'slow' });
    expect(await json(`${sb.url}/version`)).toEqual({ version: '1.0.0', status: 'rolling-out', target: '2.0.0' });
    await new Promise((r) => setTimeout(r, 250));
    expect(await json(`${sb.url}/version`)).toEqual({ version: '2.0.0', status: 'serving' });
  });

  it('stores and removes access bindings', async () => {
    await post(`${sb.url}/access/bindings`, { bindings: [{ subject: 'svc', role: 'reader' }] }, 'PUT');
    await post(`${sb.url}/access/bindings`, { bindings: [{ subject: 'svc', role: 'reader' }] }, 'PUT');
    expect(await json(`${sb.url}/access/bindings`)).toEqual({ bindings: [{ subject: 'svc', role: 'reader' }] });
    await post(`${sb.url}/access/bindings`, { bindings: [{ subject: 'svc', role: 'reader' }] }, 'DELETE');
    expect(await json(`${sb.url}/access/bindings`)).toEqual({ bindings: [] });
  });

  it('exports Prometheus metrics: requests by status code, a latency histogram, the fault switch', async () => {
    await post(`${sb.url}/faults`, { errorRate: 0.5 });
    for (let i = 0; i < 4; i++) await post(`${sb.url}/predict`, { text: 'x' });
    const text = await (await fetch(`${sb.url}/metrics`)).text();
    expect(text).toMatch(/^sandbox_http_requests_total\{route="\/predict",method="POST",code="500"\} 2$/m);
    expect(text).toMatch(/^sandbox_http_requests_total\{route="\/predict",method="POST",code="200"\} 2$/m);
    expect(text).toMatch(/^sandbox_http_request_duration_seconds_count\{route="\/predict",method="POST"\} 4$/m);
    expect(text).toMatch(/^sandbox_fault_error_rate 0\.5$/m);
    expect(text).toMatch(/^sandbox_fault_crashed 0$/m);
  });

  it('forwards alerts posted to its Alertmanager stand-in to its one webhook receiver, and refuses bad alerts', async () => {
    const got: string[] = [];
    const receiver = await tinyServer((req, res) => {
      req.on('data', (c: Buffer) => got.push(c.toString()));
      req.on('end', () => res.end());
    });
    const wired = await sandbox({ port: 0, monitoring: { alertWebhookUrl: `${receiver.url}/hook` } });
    try {
      const res = await post(`${wired.url}/alertmanager/api/v2/alerts`, [
        { labels: { alertname: 'T', token: 'tok-1' } },
      ]);
      expect(res.status).toBe(200);
      await eventually(async () => (got.join('').includes('tok-1') ? true : undefined), 'the webhook call');
      expect(JSON.parse(got.join(''))).toMatchObject({
        version: '4',
        receiver: 'golive',
        status: 'firing',
        alerts: [{ labels: { alertname: 'T', token: 'tok-1' } }],
      });
      expect((await post(`${wired.url}/alertmanager/api/v2/alerts`, [{ annotations: {} }])).status).toBe(400);
    } finally {
      await wired.close();
      receiver.close();
    }
  });

  it("answers the Prometheus stand-in's query at a time given in seconds or RFC 3339, and names a bad parameter", async () => {
    const query = (params: string) => fetch(`${sb.url}/prometheus/api/v1/query?${params}`);
    const at = async (params: string) =>
      ((await (await query(params)).json()) as { data: { result: [number, string] } }).data.result;
    expect(await at('query=1&time=1700000000.5')).toEqual([1700000000.5, '1']);
    expect(await at(`query=1&time=${encodeURIComponent('2023-11-14T22:13:20Z')}`)).toEqual([1700000000, '1']);
    for (const [params, error] of [
      ['query=1&time=abc', 'time: must be a Unix timestamp in seconds or an RFC 3339 time, not "abc"'],
      ['time=1700000000', 'query: a PromQL expression is required (one)'],
      ['query=1&query=2', 'query: a PromQL expression is required (one)'],
    ]) {
      const res = await query(params!);
      expect([params, res.status]).toEqual([params, 400]);
      expect(await res.json()).toEqual({ status: 'error', errorType: 'bad_data', error });
    }
  });

  it('applies the fault switch: latency, a deterministic error pattern, crash', async () => {
    await post(`${sb.url}/faults`, { errorRate: 0.5 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(`${sb.url}/version`)).status);
    expect(statuses).toEqual([200, 500, 200, 500]);
    await post(`${sb.url}/faults`, { errorRate: 0, latencyMs: 100 });
    const t = performance.now();
    await fetch(`${sb.url}/health`);
    expect(performance.now() - t).toBeGreaterThanOrEqual(95);
    await post(`${sb.url}/faults`, { crash: true });
    expect((await fetch(`${sb.url}/health`)).status).toBe(503);
    expect((await fetch(`${sb.url}/deployments`)).status).toBe(200); // control plane unaffected
    await fetch(`${sb.url}/faults`, { method: 'DELETE' });
    expect((await fetch(`${sb.url}/health`)).status).toBe(200);
    expect((await post(`${sb.url}/faults`, { latencyMs: -1 })).status).toBe(400);
  });

  it('fails over to a secondary with extra latency, or fails without one', async () => {
    await post(`${sb.url}/failover`, { durationMs: 300 });
    const res = await fetch(`${sb.url}/health`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-served-by')).toBe('secondary');
    const lone = await sandbox({ port: 0, secondary: false });
    try {
      await post(`${lone.url}/failover`, { durationMs: 300 });
      expect((await fetch(`${lone.url}/health`)).status).toBe(503);
    } finally {
      await lone.close();
    }
  });
});
