import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrustedProxy } from '../../src/auth/proxy';
import { operations, type Operation } from '../../src/server/api';
import { IDEMPOTENT_OPERATIONS } from '../../src/server/idempotency';
import { Keyring, SIGNING_KEYS_DIR } from '../../src/signing/keyring';
import type { RunStateView } from '../../src/contract/definitions';
import {
  apiAs,
  eventually,
  FINAL_APPROVAL_RUNBOOK,
  finalApprovalRunbook,
  SMALL_RUNBOOK,
  startTestApp,
  useExtraRunbooks,
  useTestApp,
  type TestApp,
} from '../support/app';
import { testClient } from '../support/temporal';

/**
 * Honest answers when many requests meet: parallel password guesses are throttled before any is
 * judged, retried decisions keep their first outcome, and a crowd deciding the step that ends a
 * run gets no 5xx. Real app, real workflows on the suite's dev server.
 */

const extra = useExtraRunbooks({ beforeAll, afterAll }, { [`${FINAL_APPROVAL_RUNBOOK}.yaml`]: finalApprovalRunbook() });
const app = useTestApp({ beforeAll, afterAll }, extra);
const as = (id: string) => apiAs(app(), id);

function login(target: TestApp, username: string, password: string, headers: Record<string, string> = {}) {
  return apiAs(target)('POST', '/api/session', { username, password }, headers);
}

async function runWaitingForGuardian(system: string, runbook = SMALL_RUNBOOK): Promise<string> {
  const start = await as('rm')('POST', '/api/runs', { runbook, system, collaborationMode: 2 });
  expect(start.status, JSON.stringify(start.body)).toBe(201);
  const runId = (start.body as { runId: string }).runId;
  const step = (id: string) =>
    eventually(
      async () =>
        (await as('rm')<RunStateView>('GET', `/api/runs/${runId}`)).body.steps?.find((s) => s.id === id)?.status ===
        'waiting'
          ? true
          : undefined,
      `${id} waiting`,
    );
  await step('validation-report');
  expect(
    (await as('ie')('POST', `/api/runs/${runId}/steps/validation-report/evidence`, { itemId: 'accuracy', value: 97 }))
      .status,
  ).toBe(200);
  await step('guardian-sign-off');
  return runId;
}

describe('login throttling under concurrency', () => {
  it('answers 40 parallel wrong passwords with 5 × 401 and then 429, and a right one is throttled too', async () => {
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => login(app(), 'sponsor', `wrong-${i}`)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(35);
    expect(results.find((r) => r.status === 429)?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await login(app(), 'sponsor', app().credentials.sponsor!.password)).status).toBe(429);
  });

  it('behind the trusted proxy, counts each client of X-Forwarded-For apart (not the proxy once for all)', async () => {
    const client = await testClient();
    const proxied = await startTestApp({
      client,
      taskQueue: 'unused',
      trustedProxy: createTrustedProxy('X-Forwarded-User', ['127.0.0.1/32']),
    });
    try {
      const from = (address: string) => ({ 'x-forwarded-for': `198.51.100.99, ${address}` });
      for (let i = 0; i < 5; i++) expect((await login(proxied, 'ops', 'wrong', from('203.0.113.1'))).status).toBe(401);
      expect((await login(proxied, 'ops', 'wrong', from('203.0.113.1'))).status).toBe(429);
      // The same person from another client behind the same proxy still gets in.
      expect((await login(proxied, 'ops', proxied.credentials.ops!.password, from('203.0.113.2'))).status).toBe(200);
      // The left-most entry is whatever the client wrote: forging it does not get a fresh count.
      expect((await login(proxied, 'ops', 'wrong', { 'x-forwarded-for': '10.9.9.9, 203.0.113.1' })).status).toBe(429);
    } finally {
      await proxied.close();
      await client.connection.close();
    }
  });
});

describe('Idempotency-Key on decisions', () => {
  it('applies a decision once and answers its retry with the first outcome', async () => {
    const runId = await runWaitingForGuardian(`idem-${randomUUID().slice(0, 6)}`);
    const key = randomUUID();
    const path = `/api/runs/${runId}/steps/guardian-sign-off/decisions`;
    const first = await as('guardian')(
      'POST',
      path,
      { decision: 'approve', comment: 'fine' },
      { 'idempotency-key': key },
    );
    expect(first.status).toBe(200);
    expect(first.body.step.status).toBe('completed');
    const retry = await as('guardian')(
      'POST',
      path,
      { decision: 'approve', comment: 'fine' },
      { 'idempotency-key': key },
    );
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body).toEqual(first.body);
    // A new key is a new decision, and it is refused: the step has been decided.
    const fresh = await as('guardian')('POST', path, { decision: 'approve' }, { 'idempotency-key': randomUUID() });
    expect(fresh.status).toBe(409);
    // Another person's request under the same key is theirs, not a replay of the Guardian's.
    const other = await as('guardian2')('POST', path, { decision: 'approve' }, { 'idempotency-key': key });
    expect(other.status).toBe(409);
    expect(other.headers.get('idempotent-replayed')).toBeNull();
    const state = (await as('rm')<RunStateView>('GET', `/api/runs/${runId}`)).body;
    expect(state.decisions.filter((d) => d.stepId === 'guardian-sign-off')).toHaveLength(1);
  });

  it('answers a retry through another web server with the first outcome (Temporal keeps the Update id)', async () => {
    const runId = await runWaitingForGuardian(`idem-peer-${randomUUID().slice(0, 6)}`);
    const key = randomUUID();
    const decisions = `/api/runs/${runId}/steps/guardian-sign-off/decisions`;
    const first = await as('guardian')(
      'POST',
      decisions,
      { decision: 'approve', comment: 'fine' },
      { 'idempotency-key': key },
    );
    expect(first.status).toBe(200);
    const client = await testClient();
    // A peer sharing the signing keys, which never saw the first attempt: it sends the Update, and Temporal answers.
    const peer = await startTestApp({
      client,
      taskQueue: 'unused',
      keyring: Keyring.loadOrCreate(path.join(app().dataDir, SIGNING_KEYS_DIR)),
    });
    try {
      const retry = await apiAs(peer, 'guardian')(
        'POST',
        decisions,
        { decision: 'approve', comment: 'fine' },
        { 'idempotency-key': key },
      );
      expect(retry.status, JSON.stringify(retry.body)).toBe(200);
      expect(retry.body).toEqual(first.body);
      const fresh = await apiAs(peer, 'guardian')(
        'POST',
        decisions,
        { decision: 'approve' },
        { 'idempotency-key': randomUUID() },
      );
      expect(fresh.status).toBe(409);
    } finally {
      await peer.close();
      await client.connection.close();
    }
    const state = (await as('rm')<RunStateView>('GET', `/api/runs/${runId}`)).body;
    expect(state.decisions.filter((d) => d.stepId === 'guardian-sign-off')).toHaveLength(1);
  });

  it('one key sent with two kinds of message is two messages: a rollback sent with a decision’s key rolls back', async () => {
    const runId = await runWaitingForGuardian(`idem-kinds-${randomUUID().slice(0, 6)}`);
    const key = randomUUID();
    const decided = await as('guardian')(
      'POST',
      `/api/runs/${runId}/steps/guardian-sign-off/decisions`,
      { decision: 'approve', comment: 'fine' },
      { 'idempotency-key': key },
    );
    expect(decided.status).toBe(200);
    // The Guardian may also roll back (web-small): the same key on another kind of message is
    // that message, not a replay of the decision's step.
    const rollback = await as('guardian')(
      'POST',
      `/api/runs/${runId}/rollback`,
      { reason: 'same key, another message' },
      { 'idempotency-key': key },
    );
    expect(rollback.status, JSON.stringify(rollback.body)).toBe(200);
    expect(rollback.headers.get('idempotent-replayed')).toBeNull();
    expect(rollback.body.failure).toMatchObject({ kind: 'rollback-requested', reason: 'same key, another message' });
    // …and its own retry is a replay of the rollback.
    const retry = await as('guardian')(
      'POST',
      `/api/runs/${runId}/rollback`,
      { reason: 'same key, another message' },
      { 'idempotency-key': key },
    );
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body.failure).toMatchObject({ kind: 'rollback-requested' });
  });

  it('names a bad key as a 400 and documents the header where it is taken', async () => {
    const bad = await as('guardian')(
      'POST',
      '/api/runs/some-run/steps/guardian-sign-off/decisions',
      { decision: 'approve' },
      { 'idempotency-key': 'has spaces' },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues).toEqual([expect.objectContaining({ path: 'header.Idempotency-Key' })]);
    const flagged = (Object.values(operations) as Operation[]).filter((o) => o.idempotent).map((o) => o.path);
    expect(IDEMPOTENT_OPERATIONS.map((i) => i.op.path).sort()).toEqual(flagged.sort());
    const doc = await as('rm')('GET', '/api/openapi.json');
    const params = doc.body.paths['/api/runs/{runId}/steps/{stepId}/decisions'].post.parameters.map(
      (p: { name: string; in: string }) => `${p.in}:${p.name}`,
    );
    expect(params).toContain('header:Idempotency-Key');
  });
});

describe('Idempotency-Key on Red Button reports', () => {
  async function runInHypercare(system: string): Promise<string> {
    const runId = await runWaitingForGuardian(system);
    const signOff = `/api/runs/${runId}/steps/guardian-sign-off/decisions`;
    expect((await as('guardian')('POST', signOff, { decision: 'approve' })).status).toBe(200);
    await eventually(
      async () => (await as('rm')<RunStateView>('GET', `/api/runs/${runId}`)).body.status === 'hypercare' || undefined,
      'hypercare',
    );
    return runId;
  }

  it('answers a resent report with the first one, also with another body; an anonymous one with its receipt', async () => {
    const runId = await runInHypercare(`idem-report-${randomUUID().slice(0, 6)}`);
    const reports = `/api/runs/${runId}/reports`;
    const key = randomUUID();
    const body = { severity: 'high', description: 'declined everyone over 70' };
    const first = await as('user')('POST', reports, body, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    const retry = await as('user')('POST', reports, body, { 'idempotency-key': key });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body).toEqual(first.body);
    // The same key with another body is the same message: the first outcome answers it.
    const other = await as('user')(
      'POST',
      reports,
      { severity: 'low', description: 'tone' },
      { 'idempotency-key': key },
    );
    expect(other.status).toBe(201);
    expect(other.body).toEqual(first.body);

    const anonKey = randomUUID();
    const anonymous = { severity: 'medium', description: 'refund denied', anonymous: true };
    const anon = await as('sponsor')('POST', reports, anonymous, { 'idempotency-key': anonKey });
    expect(anon.status).toBe(201);
    expect(anon.body.receipt).toEqual(expect.any(String));
    const anonRetry = await as('sponsor')('POST', reports, anonymous, { 'idempotency-key': anonKey });
    expect(anonRetry.body).toEqual(anon.body);
    // The receipt the retry gave proves the report, as the first one's does.
    const read = await as('sponsor')('POST', `${reports}/${anon.body.report.id}/receipt`, {
      receipt: anonRetry.body.receipt,
    });
    expect(read.status).toBe(200);
    // Another person's report under the same key is their own report.
    const theirs = await as('ops')('POST', reports, body, { 'idempotency-key': key });
    expect(theirs.status).toBe(201);
    expect(theirs.body.report.id).not.toBe(first.body.report.id);

    const state = (await as('rm')<RunStateView>('GET', `/api/runs/${runId}`)).body;
    expect(state.reports.map((r) => [r.reporter, r.severity])).toEqual([
      ['user', 'high'],
      ['anonymous', 'medium'],
      ['ops', 'high'],
    ]);
    // Temporal records the Update ids: a report's names nobody.
    const client = await testClient();
    const history = await client.workflow
      .getHandle(runId)
      .fetchHistory()
      .finally(() => client.connection.close());
    const ids = (history.events ?? [])
      .map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest)
      .filter((r) => r?.input?.name === 'reportError')
      .map((r) => r?.meta?.updateId);
    expect(ids).toHaveLength(3);
    for (const id of ids) expect(id).toMatch(/^report:[A-Za-z0-9_-]{43}$/);
    // Without a key, a report sent again is a second report.
    expect((await as('user')('POST', reports, body)).status).toBe(201);
    expect((await as('user')('POST', reports, body)).status).toBe(201);
    expect((await as('rm')<RunStateView>('GET', `/api/runs/${runId}`)).body.reports).toHaveLength(5);
  });
});

describe('a crowd deciding the step that ends a run', () => {
  it('answers 100 racing approvals of the last approval with exactly one success and no 5xx', async () => {
    const runId = await runWaitingForGuardian(`race-${randomUUID().slice(0, 6)}`, FINAL_APPROVAL_RUNBOOK);
    // The approval ends the run (it goes live): every other approval races a closing run.
    const path = `/api/runs/${runId}/steps/guardian-sign-off/decisions`;
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        as(i % 2 ? 'guardian' : 'guardian2')(
          'POST',
          path,
          { decision: 'approve', comment: `yes (${i})` },
          { 'idempotency-key': randomUUID() },
        ),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(
      statuses.filter((s) => s >= 500),
      JSON.stringify(results.filter((r) => r.status >= 500).map((r) => r.body)),
    ).toEqual([]);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
    const state = await eventually(async () => {
      const s = (await as('rm')<RunStateView>('GET', `/api/runs/${runId}`)).body;
      return s.status === 'live' ? s : undefined;
    }, 'the run to go live');
    expect(state.decisions.filter((d) => d.stepId === 'guardian-sign-off')).toHaveLength(1);
  });
});
