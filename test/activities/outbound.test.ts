import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpCheck } from '../../activities/httpCheck';
import { loadTest } from '../../activities/loadTest';
import { tcpCheck } from '../../activities/tcpCheck';
import { webhook } from '../../activities/webhook';
import { OutboundConfigError, OutboundPolicy } from '../../src/outbound/allowlist';
import { outboundPolicyFromConfig } from '../../src/outbound/fromConfig';
import { parseConfig } from '../../src/config';
import { exec, expectFailure, makeDeps, tinyServer } from './harness';

/** The outbound policy for actions (issue 11): the allowlist, and its enforcement where connections are made. */

describe('the allowlist', () => {
  it('matches names, wildcards, addresses, ranges and ports', () => {
    const p = OutboundPolicy.parse(
      'api.example.com, *.corp.example:443, 10.0.0.0/8:8000-8999, [fd00::]/8, 203.0.113.7:80',
    );
    expect(p.refusal('api.example.com', 1234)).toBeUndefined();
    expect(p.refusal('API.Example.com.', 80)).toBeUndefined();
    expect(p.refusal('a.b.corp.example', 443)).toBeUndefined();
    expect(p.refusal('corp.example', 443)).toMatch(
      /^corp\.example:443 is not an allowed destination; GOLIVE_OUTBOUND_ALLOW allows api\.example\.com, /,
    );
    expect(p.refusal('x.corp.example', 80)).toBeDefined();
    expect(p.refusal('10.1.2.3', 8080)).toBeUndefined();
    expect(p.refusal('10.1.2.3', 9000)).toBeDefined();
    expect(p.refusal('[fd00::1]', 5)).toBeUndefined();
    expect(p.refusal('203.0.113.7', 80)).toBeUndefined();
    expect(p.refusal('203.0.113.8', 80)).toBeDefined();
    expect(p.refusal('evil.example', 80)).toBeDefined();
  });

  it('opens loopback, link-local and the metadata address only through an IP entry inside them, never through a wide range, a name or *', () => {
    const wide = OutboundPolicy.parse('0.0.0.0/0, ::/0, *');
    for (const [host, port] of [
      ['127.0.0.1', 8233],
      ['169.254.169.254', 80],
      ['[::1]', 8410],
      ['0.0.0.0', 80],
      ['[::ffff:127.0.0.1]', 80],
      ['[fd00:ec2::254]', 80],
    ] as const) {
      expect(wide.refusal(host, port), host).toBeDefined();
    }
    expect(wide.refusal('8.8.8.8', 53)).toBeUndefined();
    expect(wide.refusal('anything.example', 443)).toBeUndefined();
    // A name may be allowed, but its DNS answer may not lead into loopback.
    expect(wide.allowsAddress('127.0.0.1', 80, true)).toBe(false);
    const explicit = OutboundPolicy.parse('127.0.0.1:8410');
    expect(explicit.refusal('127.0.0.1', 8410)).toBeUndefined();
    expect(explicit.refusal('[::ffff:127.0.0.1]', 8410)).toBeUndefined();
    expect(explicit.refusal('127.0.0.1', 8233)).toBeDefined();
    expect(explicit.refusal('127.0.0.2', 8410)).toBeDefined();
  });

  it('names the bad entry of a bad list, and the config refuses it at start', () => {
    expect(() => OutboundPolicy.parse('ok.example, bad_host!')).toThrow(OutboundConfigError);
    expect(() => OutboundPolicy.parse('10.0.0.0/33')).toThrow(/"10\.0\.0\.0\/33"/);
    expect(() => OutboundPolicy.parse('a.example:70000')).toThrow(/port/);
    expect(() => parseConfig({ GOLIVE_OUTBOUND_ALLOW: 'x.example:0' })).toThrow(
      /GOLIVE_OUTBOUND_ALLOW: "x\.example:0"/,
    );
  });

  it('defaults to the sandbox only; a set list is exactly what the operator wrote', () => {
    const base = parseConfig({});
    const embedded = outboundPolicyFromConfig(base);
    expect(embedded.refusal('127.0.0.1', 8410)).toBeUndefined();
    expect(embedded.refusal('localhost', 8410)).toBeUndefined();
    expect(embedded.refusal('127.0.0.1', 8233)).toMatch(/the embedded default \(the sandbox only/);
    expect(embedded.refusal('example.com', 443)).toBeDefined();
    expect(outboundPolicyFromConfig({ ...base, GOLIVE_SANDBOX: false }).refusal('127.0.0.1', 8410)).toBeDefined();
    const set = outboundPolicyFromConfig({ ...base, GOLIVE_OUTBOUND_ALLOW: 'api.example.com' });
    expect(set.refusal('127.0.0.1', 8410)).toBeDefined();
    expect(set.refusal('api.example.com', 443)).toBeUndefined();
    expect(outboundPolicyFromConfig({ ...base, GOLIVE_OUTBOUND_ALLOW: 'none' }).describe()).toBe(
      'GOLIVE_OUTBOUND_ALLOW allows no destination',
    );
  });
});

describe('enforcement in the activities', () => {
  let allowed: Awaited<ReturnType<typeof tinyServer>>;
  let forbidden: Awaited<ReturnType<typeof tinyServer>>;
  const forbiddenHits: string[] = [];
  let policy: OutboundPolicy;
  beforeAll(async () => {
    forbidden = await tinyServer((req, res) => {
      forbiddenHits.push(req.url ?? '');
      res.end('{"secret":"internal admin data"}');
    });
    allowed = await tinyServer((req, res) => {
      if (req.url === '/redirect') return void res.writeHead(302, { location: `${forbidden.url}/admin` }).end();
      if (req.url === '/broken') return void res.writeHead(500).end('stack trace with db password hunter2');
      res.end('ok');
    });
    policy = OutboundPolicy.parse(`127.0.0.1:${new URL(allowed.url).port}`);
  });
  afterAll(() => {
    allowed.close();
    forbidden.close();
  });
  const deps = () => makeDeps({ outbound: policy });

  it('refuses a destination outside the list for good, naming it, and sends nothing there', async () => {
    const f = await expectFailure(
      exec(httpCheck(deps()), { endpoints: [{ url: `${forbidden.url}/admin` }] }),
      'DestinationRefused',
      true,
    );
    expect(f.message).toContain(
      `GET ${forbidden.url}/admin refused: ${forbidden.url.slice(7)} is not an allowed destination; GOLIVE_OUTBOUND_ALLOW allows 127.0.0.1:`,
    );
    expect(forbiddenHits).toEqual([]);
  });

  it('refuses a redirect into a forbidden destination', async () => {
    await expectFailure(
      exec(webhook(deps()), { url: `${allowed.url}/redirect`, method: 'GET' }),
      'DestinationRefused',
      true,
    );
    expect(forbiddenHits).toEqual([]);
  });

  it('refuses an allowed name whose DNS answer is in a special range (localhost → 127.0.0.1)', async () => {
    const byName = OutboundPolicy.parse(`localhost:${new URL(allowed.url).port}`);
    const f = await expectFailure(
      exec(httpCheck(makeDeps({ outbound: byName })), {
        endpoints: [{ url: `http://localhost:${new URL(allowed.url).port}/` }],
      }),
      'DestinationRefused',
      true,
    );
    expect(f.message).toMatch(/localhost resolves to (127\.0\.0\.1|::1), which is not an allowed destination/);
  });

  it('checks TCP targets and load-test targets the same way', async () => {
    const port = Number(new URL(forbidden.url).port);
    await expectFailure(exec(tcpCheck(deps()), { targets: [{ host: '127.0.0.1', port }] }), 'DestinationRefused', true);
    await expectFailure(
      exec(loadTest(deps()), { target: { url: `${forbidden.url}/predict` }, ratePerSecond: 5, durationSeconds: 1 }),
      'DestinationRefused',
      true,
    );
    expect(forbiddenHits).toEqual([]);
  });

  it('inside the list, a failing check names status and URL, never the body', async () => {
    const f = await expectFailure(
      exec(httpCheck(deps()), { endpoints: [{ url: `${allowed.url}/broken`, expectStatus: 200 }] }),
      'UnexpectedStatus',
      true,
    );
    expect(f.message).toBe(`1 of 1 endpoint(s) failed: endpoint 1 ${allowed.url}/broken (status 500)`);
    expect(JSON.stringify(f.details)).toContain(`${allowed.url}/broken`);
    expect(JSON.stringify([f.message, f.details])).not.toContain('hunter2');
    const hook = await expectFailure(
      exec(webhook(deps()), { url: `${allowed.url}/broken`, method: 'POST' }),
      'ServerError',
      false,
    );
    expect(hook.message).toBe(`POST ${allowed.url}/broken answered 500`);
    expect(JSON.stringify(hook.details)).not.toContain('hunter2');
  });
});
