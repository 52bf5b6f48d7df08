import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { ensureDemoUsers, type DemoCredential } from '../../src/auth/demoUsers';
import { startTestSandbox, type TestSandbox } from '../support/sandbox';
import { resolveTemporalCli } from '../../src/temporal/cliBinary';
import { startDevServer, type DevServer } from '../../src/temporal/devServer';
import { freePort } from '../../src/temporal/portCheck';
import { parseConfig } from '../../src/config';
import type { RunStateView } from '../../src/contract/definitions';
import { FINAL_APPROVAL_RUNBOOK, finalApprovalRunbook } from '../support/app';
import { eventually } from '../support/eventually';
import { startTestPostgres, type TestPostgres } from '../support/postgres';
import { Driver, type Web } from './driver';
import { spawnGolive, waitReady, type GoliveProcess } from './support';
import { SPEED_FREE_PARAMS } from '../support/defaultRunbook';

/**
 * golive beyond one process, on the real stack: one Temporal dev server, a real PostgreSQL, two
 * web and two worker processes (the one entry point with GOLIVE_ROLES). Default-runbook runs are
 * driven through both web servers in turn while a worker is SIGKILLed during an action and a web
 * server while decisions are sent; sessions and throttling span the servers and survive their
 * restart; Temporal stopped and started again is answered honestly and quickly.
 */

const ROOT = fs.mkdtempSync(path.join(os.tmpdir(), 'golive-multi-'));
/** The workers write the runs' alert rules here; the sandboxes' monitoring stand-in reads them. */
const RULES_DIR = path.join(ROOT, 'prometheus-rules');
fs.mkdirSync(RULES_DIR);
const TASK_QUEUE = `multi-${process.pid}`;

let pg: TestPostgres;
let databaseUrl: string;
let temporal: DevServer;
let temporalPort: number;
let cliPath: string;
let usersFile: string;
let runbooksDir: string;
let credentials: Record<string, DemoCredential>;
let client: Client;
const webs: (Web & { process: GoliveProcess; port: number })[] = [];
const workers: { process: GoliveProcess; port: number }[] = [];
const sandboxes: TestSandbox[] = [];

async function startTemporal(): Promise<DevServer> {
  return startDevServer({
    cliPath,
    port: temporalPort,
    uiPort: 0,
    headless: true,
    namespace: 'default',
    dbFile: path.join(ROOT, 'temporal.sqlite'),
    logFile: path.join(ROOT, 'temporal.log'),
  });
}

function commonEnv(name: string): Record<string, string> {
  const dataDir = path.join(ROOT, name);
  return {
    GOLIVE_DATA_DIR: dataDir,
    // Every web server signs for every run: they share the signing keys, as in production.
    GOLIVE_SIGNING_KEYS_DIR: path.join(ROOT, 'signing-keys'),
    // Several workers on one machine: no fixed port for the SDK's metrics.
    GOLIVE_WORKER_METRICS_ADDRESS: 'off',
    // The sandbox runs on a free port on loopback: the runs may reach it.
    GOLIVE_OUTBOUND_ALLOW: '127.0.0.1',
    GOLIVE_PROMETHEUS_RULES_DIR: RULES_DIR,
    TEMPORAL_ADDRESS: temporal.address,
    GOLIVE_TASK_QUEUE: TASK_QUEUE,
    GOLIVE_SHUTDOWN_GRACE_SECONDS: '2',
    GOLIVE_CACHE_DIR: parseConfig().GOLIVE_CACHE_DIR,
  };
}

async function startWeb(name: string, port: number): Promise<(typeof webs)[number]> {
  const p = spawnGolive(name, {
    ...commonEnv(name),
    GOLIVE_ROLES: 'web',
    GOLIVE_PORT: String(port),
    GOLIVE_DATABASE_URL: databaseUrl,
    GOLIVE_USERS_FILE: usersFile,
    GOLIVE_RUNBOOKS_DIR: runbooksDir,
  });
  await waitReady(p, `http://127.0.0.1:${port}/readyz`);
  return { name, url: `http://127.0.0.1:${port}`, alive: true, process: p, port };
}

async function startWorker(name: string): Promise<(typeof workers)[number]> {
  const port = await freePort();
  const p = spawnGolive(name, {
    ...commonEnv(name),
    GOLIVE_ROLES: 'worker',
    GOLIVE_PORT: String(port),
    GOLIVE_SANDBOX: 'false',
  });
  await waitReady(p, `http://127.0.0.1:${port}/readyz`, 180_000);
  return { process: p, port };
}

/**
 * The default runbook as shipped, with a hypercare short enough for a test and without its three
 * passkey marks: this test plays every person through the HTTP API with API tokens, as a CLI
 * does, and is about processes dying; passkey-signed decisions have their own browser and
 * workflow tests (test/browser/passkeys.test.ts, test/workflow/defaultRunbook.test.ts).
 */
function writeRunbooks(): string {
  const dir = path.join(ROOT, 'runbooks');
  fs.mkdirSync(dir);
  const text = fs.readFileSync(path.resolve(__dirname, '../../runbooks/default.yaml'), 'utf8');
  if (!text.includes('duration: 14d') || text.split('    passkey: true\n').length !== 4)
    throw new Error('the default runbook changed: adjust this test');
  const forTest = text.replace('duration: 14d', 'duration: 3s').replaceAll('    passkey: true\n', '');
  fs.writeFileSync(path.join(dir, 'default.yaml'), forTest);
  fs.copyFileSync(path.resolve(__dirname, '../fixtures/web-runbooks/web-small.yaml'), path.join(dir, 'web-small.yaml'));
  fs.writeFileSync(path.join(dir, `${FINAL_APPROVAL_RUNBOOK}.yaml`), finalApprovalRunbook());
  return dir;
}

beforeAll(async () => {
  const config = parseConfig();
  cliPath = await resolveTemporalCli({
    explicitPath: config.TEMPORAL_CLI_PATH,
    cacheDir: config.GOLIVE_CACHE_DIR,
    onProgress: () => undefined,
  });
  pg = await startTestPostgres();
  databaseUrl = await pg.createDatabase('golive');
  temporalPort = await freePort();
  temporal = await startTemporal();
  client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
  usersFile = path.join(ROOT, 'shared', 'users.json');
  const demo = await ensureDemoUsers(path.dirname(usersFile), usersFile);
  credentials = Object.fromEntries(demo.created!.map((c) => [c.id, c]));
  runbooksDir = writeRunbooks();
  const [webA, webB, w1, w2] = await Promise.all([
    freePort().then((p) => startWeb('web-a', p)),
    freePort().then((p) => startWeb('web-b', p)),
    startWorker('worker-1'),
    startWorker('worker-2'),
  ]);
  webs.push(webA, webB);
  workers.push(w1, w2);
}, 240_000);

afterAll(async () => {
  await Promise.all([...webs, ...workers].map((p) => p.process.kill('SIGTERM')));
  await client?.connection.close();
  await temporal?.stop();
  await Promise.all(sandboxes.map((s) => s.close()));
  pg?.destroy();
  fs.rmSync(ROOT, { recursive: true, force: true });
}, 60_000);

const tokens = () => Object.fromEntries(Object.values(credentials).map((c) => [c.id, c.token]));

async function startDefaultRun(driver: Driver, system: string, sandbox: TestSandbox): Promise<string> {
  const body = {
    runbook: 'ai-go-live',
    system,
    collaborationMode: 3,
    assignments: {
      'ai-product-manager': ['rm'],
      'implementation-engineer': ['ie'],
      guardian: ['guardian'],
      'business-sponsor': ['sponsor'],
      operations: ['ops'],
      'end-user': ['user'],
    },
    params: { ...sandbox.params, ...SPEED_FREE_PARAMS },
  };
  const res = await driver.call('POST', '/api/runs', 'rm', body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return (res.body as { runId: string }).runId;
}

/** The worker running an activity of this type for the run, by the identity Temporal recorded (pid@host). */
async function workerRunning(runId: string, activityType: string): Promise<(typeof workers)[number]> {
  return eventually(
    async () => {
      const { raw } = await client.workflow.getHandle(runId).describe();
      const pending = raw.pendingActivities?.find((a) => a.activityType?.name === activityType && a.lastWorkerIdentity);
      const pid = Number(pending?.lastWorkerIdentity?.split('@')[0]);
      return workers.find((w) => w.process.pid === pid);
    },
    `a worker to run ${activityType} for ${runId}`,
    120_000,
  );
}

describe('two web servers and two workers on PostgreSQL and one Temporal', () => {
  it(
    'finishes every run with each action once, every answered decision in its run, and retried decisions answered with their first outcome',
    { timeout: 480_000 },
    async () => {
      let killedWeb: string | undefined;
      const driver = new Driver(webs, tokens(), {
        // The first decision sent to web-b after the runs are under way: kill web-b as it arrives.
        sending: (web, sent) => {
          if (killedWeb || web.name !== 'web-b' || !sent.path.endsWith('/decisions')) return;
          killedWeb = web.name;
          web.alive = false;
          setTimeout(() => void webs[1]!.process.kill('SIGKILL'), 15);
        },
      });
      sandboxes.push(...(await Promise.all([1, 2, 3].map(() => startTestSandbox(RULES_DIR)))));
      // A slow rollout keeps the first run's deploy in flight long enough to kill its worker.
      await fetch(`${sandboxes[0]!.url}/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ rolloutMs: 4000 }),
      });
      const runIds: string[] = [];
      for (const [i, sandbox] of sandboxes.entries())
        runIds.push(await startDefaultRun(driver, `multi-${i + 1}-${process.pid}`, sandbox));

      const chaos = (async () => {
        const victim = await workerRunning(runIds[0]!, 'deploy');
        await victim.process.kill('SIGKILL');
      })();
      const finals = await Promise.all(runIds.map((id) => driver.drive(id)));
      await chaos;

      expect(killedWeb).toBe('web-b');
      expect(
        finals.map((s) => s.status),
        JSON.stringify(finals.map((s) => s.failure)),
      ).toEqual(['live', 'live', 'live']);
      for (const sandbox of sandboxes) {
        const deployments = (await (await fetch(`${sandbox.url}/deployments`)).json()) as {
          history: { key: string }[];
          keys: { key: string; calls: number }[];
        };
        const keys = deployments.history.map((h) => h.key);
        expect(new Set(keys).size, `deploys applied at ${sandbox.url}: ${keys.join(', ')}`).toBe(keys.length);
      }

      // Every message that was answered 200 is in its run, once.
      const answered = driver.sent.filter((s) => s.status === 200);
      for (const s of answered) {
        const final = finals[runIds.indexOf(s.runId)]!;
        const stepId = s.path.split('/')[5]!;
        if (s.path.endsWith('/decisions'))
          expect(
            final.decisions.filter((d) => d.stepId === stepId && d.actor.id === s.person),
            `${s.person} on ${stepId}`,
          ).toHaveLength(1);
        else
          expect(
            final.evidence.filter((e) => e.stepId === stepId && e.itemId === s.body.itemId),
            `${String(s.body.itemId)} of ${stepId}`,
          ).toHaveLength(1);
      }
      // The message that met the dying server was answered all the same, by the other one.
      expect(driver.sent.some((s) => s.servers.length > 1 && s.status === 200)).toBe(true);

      // Sent again with its key, every decision gets its first answer back, not "already decided".
      for (const s of answered.filter((x) => x.path.endsWith('/decisions'))) {
        const again = await driver.call('POST', s.path, s.person, s.body, s.key);
        expect(again.status, JSON.stringify(again.body)).toBe(200);
        expect(again.body).toEqual(s.answer);
      }
    },
  );

  it(
    'shares sessions, logouts and login throttling between the web servers, across their restart',
    { timeout: 120_000 },
    async () => {
      // web-b was killed above: start it again on its port.
      webs[1] = await startWeb('web-b', webs[1]!.port);
      const [a, b] = [webs[0]!, webs[1]!];
      const login = (web: Web, password: string) =>
        fetch(`${web.url}/api/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'guardian', password }),
        });
      const res = await login(a, credentials.guardian!.password);
      expect(res.status).toBe(200);
      const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
      const me = await fetch(`${b.url}/api/me`, { headers: { cookie } });
      expect(me.status).toBe(200);
      const { csrfToken } = (await me.json()) as { csrfToken: string };
      // A change on B with the session and token made on A reaches the run lookup (not 401/403).
      const act = await fetch(`${b.url}/api/runs/no-such-run/stop`, {
        method: 'POST',
        headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'test' }),
      });
      expect(act.status).toBe(404);
      expect(
        (await fetch(`${b.url}/api/session`, { method: 'DELETE', headers: { cookie, 'x-csrf-token': csrfToken } }))
          .status,
      ).toBe(204);
      expect((await fetch(`${a.url}/api/me`, { headers: { cookie } })).status).toBe(401);

      // Failed logins count on both servers together: 3 on A and 2 on B use up the 5.
      for (const web of [a, a, a, b, b]) expect((await login(web, 'wrong')).status).toBe(401);
      expect((await login(a, 'wrong')).status).toBe(429);

      for (const [i, web] of webs.entries()) {
        await web.process.kill('SIGTERM');
        webs[i] = await startWeb(web.name, web.port);
      }
      for (const web of webs) expect((await fetch(`${web.url}/api/me`, { headers: { cookie } })).status).toBe(401);
      expect((await login(webs[1]!, 'wrong')).status).toBe(429);
    },
  );

  it(
    'answers 503 with Retry-After while Temporal is stopped, and serves again soon after it is back',
    { timeout: 120_000 },
    async () => {
      const web = webs[0]!;
      const headers = { authorization: `Bearer ${credentials.rm!.token}` };
      expect((await fetch(`${web.url}/api/runs`, { headers })).status).toBe(200);
      await temporal.stop();
      const stoppedAt = Date.now();
      // The probe notices within about a second; a generous bound keeps a busy machine from failing this.
      const down = await eventually(
        async () => {
          const t0 = Date.now();
          const res = await fetch(`${web.url}/api/runs`, { headers, signal: AbortSignal.timeout(15_000) });
          return res.status === 503 ? { res, took: Date.now() - t0 } : undefined;
        },
        'a 503 while Temporal is stopped',
        15_000,
      );
      console.log(
        `[multi] Temporal stopped: first 503 after ${Date.now() - stoppedAt} ms, that request took ${down.took} ms`,
      );
      expect(down.took).toBeLessThan(10_000);
      expect(down.res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(((await down.res.json()) as { error: { code: string } }).error.code).toBe('temporal_unavailable');
      expect((await fetch(`${web.url}/readyz`)).status).toBe(503);
      expect((await fetch(`${web.url}/healthz`)).status).toBe(200);
      const page = await fetch(`${web.url}/runs`, { headers: { cookie: await sessionCookie(web) } });
      expect(page.status).toBe(503);
      expect(await page.text()).toMatch(/class="outage" role="alert">Temporal is unreachable/);

      temporal = await startTemporal();
      const startedAt = Date.now();
      await eventually(
        async () => ((await fetch(`${web.url}/api/runs`, { headers })).status === 200 ? true : undefined),
        'the API to answer again',
        30_000,
      );
      console.log(`[multi] Temporal back: the API answered 200 after ${Date.now() - startedAt} ms`);
      // The workers reconnect too: a new run of the small runbook gets going.
      const driver = new Driver(webs, tokens());
      const res = await driver.call('POST', '/api/runs', 'rm', {
        runbook: 'web-small',
        system: `after-outage-${process.pid}`,
        collaborationMode: 2,
      });
      expect(res.status).toBe(201);
      const runId = (res.body as { runId: string }).runId;
      await eventually(
        async () =>
          (await driver.state(runId)).steps.find((s) => s.id === 'validation-report')?.status === 'waiting'
            ? true
            : undefined,
        'the run to wait for evidence',
        60_000,
      );
    },
  );

  it(
    'answers 100 approvals racing the last approval of a run, through both servers, without a 5xx',
    { timeout: 120_000 },
    async () => {
      const driver = new Driver(webs, tokens());
      const started = await driver.call('POST', '/api/runs', 'rm', {
        runbook: FINAL_APPROVAL_RUNBOOK,
        system: `race-${process.pid}`,
        collaborationMode: 2,
      });
      const runId = (started.body as { runId: string }).runId;
      await eventually(
        async () =>
          (await driver.state(runId)).steps.find((s) => s.id === 'validation-report')?.status === 'waiting'
            ? true
            : undefined,
        'evidence step',
      );
      await driver.send(runId, '/steps/validation-report/evidence', 'ie', { itemId: 'accuracy', value: 95 });
      await eventually(
        async () =>
          (await driver.state(runId)).steps.find((s) => s.id === 'guardian-sign-off')?.status === 'waiting'
            ? true
            : undefined,
        'sign-off step',
      );
      const results = await Promise.all(
        Array.from({ length: 100 }, async (_, i) => {
          const web = webs[i % 2]!;
          const res = await fetch(`${web.url}/api/runs/${runId}/steps/guardian-sign-off/decisions`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${credentials[i % 4 ? 'guardian' : 'guardian2']!.token}`,
              'content-type': 'application/json',
              'idempotency-key': `race-${i}`,
            },
            body: JSON.stringify({ decision: 'approve', comment: `fine (${i})` }),
          });
          return res.status;
        }),
      );
      // A 5xx names its cause in the servers' logs: show their last error lines with the failure.
      const errorLines = () =>
        webs
          .map((w) =>
            w.process
              .output()
              .split('\n')
              .filter((l) => /"level":(50|60)|error/i.test(l))
              .slice(-5)
              .join('\n'),
          )
          .join('\n');
      expect(
        results.filter((s) => s >= 500),
        errorLines(),
      ).toEqual([]);
      expect(results.filter((s) => s === 200)).toHaveLength(1);
      const final: RunStateView = await eventually(async () => {
        const s = await driver.state(runId);
        return s.status === 'live' ? s : undefined;
      }, 'the run to go live');
      expect(final.decisions.filter((d) => d.stepId === 'guardian-sign-off')).toHaveLength(1);
    },
  );
});

async function sessionCookie(web: Web): Promise<string> {
  const res = await fetch(`${web.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'ops', password: credentials.ops!.password }),
  });
  if (res.status !== 200) throw new Error(`login for the page: ${res.status}`);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}
