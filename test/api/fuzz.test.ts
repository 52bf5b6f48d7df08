import fs from 'node:fs';
import fc from 'fast-check';
import { Agent, request } from 'undici';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboundPolicy } from '../../src/outbound/allowlist';
import { RunbookRegistry } from '../../src/runbook/registry';
import { apiAs, eventually, startTestApp, type TestApp } from '../support/app';
import { FUZZ_STATES, fuzzRunbooksDir, runsInEachState, type FuzzState } from '../support/fuzzRuns';
import { requestArbitrary, type FuzzContext, type FuzzRequest, type OpenApiDocument } from '../support/fuzzRequests';
import { runningWorker, testClient } from '../support/temporal';
import { allowedMethods } from '../../src/server/methodNotAllowed';

/**
 * Property-based fuzzing of the whole HTTP surface (issue 11): at least GOLIVE_FUZZ_REQUESTS
 * (default 10,000) requests generated from the OpenAPI document's schemas with a fixed seed
 * (GOLIVE_FUZZ_SEED), in batches, against the real app and runs waiting at entry criteria, at
 * an approval, in hypercare and ended. Properties, per batch: no answer is a 5xx, every answer
 * of an API operation has a status its OpenAPI entry lists, and a run whose requests were all
 * refused has exactly the history it had before. The count per status is printed at the end.
 */

const EventType = temporal.api.enums.v1.EventType;
const COUNT = Number(process.env.GOLIVE_FUZZ_REQUESTS ?? 10_000);
const SEED = Number(process.env.GOLIVE_FUZZ_SEED ?? 20_261_111);
const BATCH = 100;
const CONCURRENCY = 8;

let client: Client;
let app: TestApp;
let stopWorker: () => Promise<void>;
let runbooksDir: string;
let runs: Record<FuzzState, string>;
let ctx: FuzzContext;
let doc: OpenApiDocument;
const agent = new Agent({ connections: CONCURRENCY, keepAliveTimeout: 1_000 });

beforeAll(async () => {
  client = await testClient();
  const worker = await runningWorker();
  stopWorker = () => worker.stop();
  runbooksDir = fuzzRunbooksDir();
  // Nothing the fuzz could start may reach out: the one allowed destination is a closed port.
  app = await startTestApp({
    client,
    taskQueue: worker.taskQueue,
    runbooks: new RunbookRegistry(runbooksDir),
    outbound: OutboundPolicy.parse('127.0.0.1:1'),
  });
  runs = await runsInEachState(client, worker.taskQueue, runbooksDir);
  doc = (await apiAs(app)<OpenApiDocument>('GET', '/api/openapi.json')).body;
  const login = await apiAs(app)('POST', '/api/session', { username: 'rm', password: app.credentials.rm!.password });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  const me = await apiAs(app)('GET', '/api/me', undefined, { cookie });
  ctx = {
    runs,
    stepIds: ['entry-criteria', 'validation-report', 'guardian-sign-off', 'hypercare'],
    tokens: Object.fromEntries(Object.entries(app.credentials).map(([id, c]) => [id, c.token])),
    session: { cookie, csrf: me.body.csrfToken as string },
  };
}, 180_000);

afterAll(async () => {
  await agent.close();
  await app?.close();
  await stopWorker?.();
  await client?.connection.close();
  if (runbooksDir) fs.rmSync(runbooksDir, { recursive: true, force: true });
});

interface Sent {
  req: FuzzRequest;
  status: number;
  text?: string;
}

const NO_ANSWER_MS = 60_000;

/** An API operation's answer whose status its OpenAPI entry does not list (pages have none). */
function undocumented(r: Sent): string | undefined {
  const [method, template] = r.req.op.split(' ') as [string, string];
  if (r.req.op.endsWith('(page)')) return undefined;
  // A `..` path value is resolved by the client to another path, which may not take this method:
  // a 405 the document's description gives for any path (with the methods that path takes).
  const reached = new URL(app.url + r.req.path).pathname;
  if (r.status === 405 && reached !== r.req.path.split('?')[0]) {
    const allow = allowedMethods(reached);
    if (allow.length > 0 && !allow.includes(r.req.method)) return undefined;
  }
  const listed = doc.paths[template]?.[method.toLowerCase()]?.responses ?? {};
  return String(r.status) in listed ? undefined : `${r.req.op} answered ${r.status} (${r.req.method} ${r.req.path})`;
}

/** Sends one request; a socket closed under a reused connection is tried once more. */
async function send(req: FuzzRequest, retry = true): Promise<Sent | undefined> {
  try {
    const res = await request(app.url + req.path, {
      method: req.method as 'GET',
      headers: req.headers,
      body: req.body,
      dispatcher: agent,
      // A request the server never answers is a failure that names itself, not a hung suite.
      signal: AbortSignal.timeout(NO_ANSWER_MS),
    });
    const text = res.statusCode >= 500 ? await res.body.text() : (await res.body.dump(), undefined);
    return { req, status: res.statusCode, ...(text !== undefined ? { text } : {}) };
  } catch (err) {
    if ((err as Error).name === 'TimeoutError')
      return { req, status: 599, text: `no answer in ${NO_ANSWER_MS / 1000} s` };
    const code = (err as { code?: string }).code ?? '';
    if (retry && /ECONNRESET|UND_ERR_SOCKET|EPIPE/.test(code)) return send(req, false);
    // undici refuses some generated paths before sending (they never reach the server).
    if (code === 'UND_ERR_INVALID_ARG') return undefined;
    throw err;
  }
}

async function sendAll(batch: FuzzRequest[]): Promise<Sent[]> {
  const out: Sent[] = [];
  let next = 0;
  const lane = async () => {
    while (next < batch.length) {
      const sent = await send(batch[next++]!);
      if (sent) out.push(sent);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  return out;
}

/**
 * Waits until a run has nothing in flight (no activity, no workflow task): what an accepted
 * request sets off (a report notifies its roles) is written after the request was answered.
 */
const settle = (id: string) =>
  eventually(async () => {
    const { raw } = await client.workflow.getHandle(id).describe();
    return (raw.pendingActivities?.length ?? 0) === 0 && !raw.pendingWorkflowTask ? true : undefined;
  }, `run ${id} to settle`);

/**
 * What a request can write into a run's history: a message (an Update accepted, a Signal, a
 * cancel or terminate request). The run's own clock writes too — a deadline or an escalation
 * fires when the fuzz outlasts it on a busy machine — and that is not the request's doing.
 */
const MESSAGE_EVENTS = new Set<number>(
  [
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ADMITTED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
  ].map(Number),
);

const messageEventCount = async (id: string) =>
  ((await client.workflow.getHandle(id).fetchHistory()).events ?? []).filter((e) =>
    MESSAGE_EVENTS.has(Number(e.eventType ?? 0)),
  ).length;

const historyLengths = async () =>
  Object.fromEntries(
    await Promise.all(Object.values(runs).map(async (id) => [id, await messageEventCount(id)] as const)),
  );

describe('fuzzing every route', () => {
  it(`${COUNT}+ generated requests: never a 5xx, every status listed for its operation, and refused requests leave a run's history as it was`, async () => {
    const { arbitrary, operations } = requestArbitrary(doc, ctx);
    const byStatus = new Map<number, number>();
    const byOp = new Map<string, number>();
    const byRun = new Map<string, number>();
    const serverErrors: Sent[] = [];
    let sent = 0;
    let notSent = 0;
    let batchesWithAcceptedChanges = 0;
    const startLengths = await historyLengths();
    const changedEver = new Set<string>();
    const unsettled = new Set<string>();

    await fc.assert(
      fc.asyncProperty(fc.array(arbitrary, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        await Promise.all([...unsettled].map(settle));
        unsettled.clear();
        const before = await historyLengths();
        const results = await sendAll(batch);
        expect(
          results
            .map(undocumented)
            .filter((u) => u !== undefined)
            .map((u) => u.slice(0, 400)),
        ).toEqual([]);
        const after = await historyLengths();
        notSent += batch.length - results.length;
        sent += results.length;
        for (const r of results) {
          byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
          byOp.set(r.req.op, (byOp.get(r.req.op) ?? 0) + 1);
          if (r.req.run) byRun.set(r.req.run, (byRun.get(r.req.run) ?? 0) + 1);
          if (r.status >= 500) serverErrors.push(r);
        }
        expect(
          serverErrors.map((e) => `${e.req.method} ${e.req.path} → ${e.status} ${e.text ?? ''}`.slice(0, 400)),
        ).toEqual([]);
        for (const id of Object.values(runs)) {
          const accepted = results.some((r) => r.req.run === id && r.req.method !== 'GET' && r.status < 300);
          if (accepted) {
            batchesWithAcceptedChanges += 1;
            changedEver.add(id);
            unsettled.add(id);
          } else {
            expect({ run: id, events: after[id] }).toEqual({ run: id, events: before[id] });
          }
        }
      }),
      { seed: SEED, numRuns: Math.ceil(COUNT / BATCH), endOnFailure: true },
    );

    const endLengths = await historyLengths();
    const table = [...byStatus].sort(([a], [b]) => a - b).map(([status, n]) => `  ${status}: ${n}`);
    console.log(
      [
        `fuzz: ${sent} requests (seed ${SEED}; ${notSent} refused by the client before sending)`,
        'by status:',
        ...table,
        `runs: ${FUZZ_STATES.map((s) => `${s} ${byRun.get(runs[s]) ?? 0}`).join(', ')}; batches with an accepted change to a run: ${batchesWithAcceptedChanges}`,
      ].join('\n'),
    );
    expect(sent).toBeGreaterThanOrEqual(COUNT * 0.99);
    expect([...byStatus.keys()].filter((s) => s >= 500)).toEqual([]);
    // Every operation of the document and every page was exercised, and every run state.
    expect(operations.filter((op) => !byOp.has(op))).toEqual([]);
    for (const s of FUZZ_STATES) expect(byRun.get(runs[s]) ?? 0, s).toBeGreaterThan(COUNT / 100);
    // Runs nothing was accepted for end the fuzz with the history they started it with.
    for (const id of Object.values(runs)) if (!changedEver.has(id)) expect(endLengths[id]).toBe(startLengths[id]);
  }, 900_000);
});
