import { CancelledFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpCheck } from '../../activities/httpCheck';
import { tcpCheck } from '../../activities/tcpCheck';
import type { RunningSandbox } from '../../src/sandbox/server';
import { activityEnv, closedPort, exec, expectFailure, makeDeps, sandbox, tinyServer } from './harness';

let sb: RunningSandbox;
let slow: Awaited<ReturnType<typeof tinyServer>>;
const seenAuth: string[] = [];
beforeAll(async () => {
  sb = await sandbox();
  // Never answers /hang; echoes nothing secret; records the Authorization it was sent.
  slow = await tinyServer((req, res) => {
    seenAuth.push(req.headers.authorization ?? '');
    if (req.url !== '/hang') res.end('pong');
  });
});
afterAll(async () => {
  slow.close();
  await sb.close();
});

const run = (params: unknown, deps = makeDeps()) => exec(httpCheck(deps), params);

describe('http-check', () => {
  it('passes with status, body match and latency per endpoint', async () => {
    const result = await run({
      endpoints: [
        { name: 'health', url: `${sb.url}/health`, bodyContains: '"ok"' },
        { url: `${sb.url}/version`, expectStatus: 200 },
      ],
    });
    expect(result.endpoints.map((e) => [e.name, e.ok, e.status])).toEqual([
      ['health', true, 200],
      ['endpoint 2', true, 200],
    ]);
    expect(result.endpoints[0]?.latencyMs).toBeGreaterThan(0);
  });

  it('fails for good on a wrong status', async () => {
    const f = await expectFailure(run({ endpoints: [{ url: `${sb.url}/nope` }] }), 'UnexpectedStatus', true);
    expect(f.message).toContain('status 404');
  });

  it('fails for good when the body does not match', async () => {
    await expectFailure(
      run({ endpoints: [{ url: `${sb.url}/health`, bodyContains: 'degraded' }] }),
      'UnexpectedStatus',
      true,
    );
  });

  it('retries on connection refused and on timeout', async () => {
    const port = await closedPort();
    const refused = await expectFailure(
      run({ endpoints: [{ url: `http://127.0.0.1:${port}/health` }] }),
      'Unreachable',
      false,
    );
    expect(refused.message).toContain('ECONNREFUSED');
    const t = performance.now();
    const timeout = await expectFailure(
      run({ endpoints: [{ url: `${slow.url}/hang`, timeoutMs: 200 }] }),
      'Unreachable',
      false,
    );
    expect(timeout.message).toContain('timed out after 200 ms');
    expect(performance.now() - t).toBeLessThan(2_000);
  });

  it('stops promptly when cancelled mid-request', async () => {
    const env = activityEnv();
    const p = env.run(httpCheck(makeDeps()), { endpoints: [{ url: `${slow.url}/hang`, timeoutMs: 30_000 }] });
    setTimeout(() => env.cancel(), 100);
    const t = performance.now();
    await expect(p).rejects.toBeInstanceOf(CancelledFailure);
    expect(performance.now() - t).toBeLessThan(2_000);
  });

  it('rejects bad params without retrying, naming the field', async () => {
    const f = await expectFailure(run({ endpoints: [{ url: 'ftp://x' }] }), 'InvalidParams', true);
    expect(f.message).toContain('endpoints.0.url');
  });

  it('resolves secret placeholders at call time and keeps them out of the result', async () => {
    const result = await run(
      { endpoints: [{ url: `${slow.url}/ping`, headers: { authorization: 'Bearer ${secrets.API_TOKEN}' } }] },
      makeDeps({}, { API_TOKEN: 's3cr3t' }),
    );
    expect(seenAuth).toContain('Bearer s3cr3t');
    expect(JSON.stringify(result)).not.toContain('s3cr3t');
    await expectFailure(
      run({ endpoints: [{ url: `${slow.url}/ping`, headers: { authorization: '${secrets.NOPE}' } }] }),
      'MissingSecret',
      true,
    );
  });
});

describe('tcp-check', () => {
  it('reports a listening port with latency and retries a closed one', async () => {
    const { port } = new URL(sb.url);
    const ok = await exec(tcpCheck(makeDeps()), { targets: [{ host: '127.0.0.1', port: Number(port) }] });
    expect(ok.targets[0]).toMatchObject({ ok: true, port: Number(port) });
    const closed = await closedPort();
    const f = await expectFailure(
      activityEnv().run(tcpCheck(makeDeps()), { targets: [{ host: '127.0.0.1', port: closed }] }),
      'Unreachable',
      false,
    );
    expect(f.message).toContain('ECONNREFUSED');
  });
});
