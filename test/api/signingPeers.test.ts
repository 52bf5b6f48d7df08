import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunStateView } from '../../src/contract/definitions';
import { Keyring } from '../../src/signing/keyring';
import { apiAs, eventually, SMALL_RUNBOOK, startTestApp, type TestApp } from '../support/app';
import { runningWorker, testClient } from '../support/temporal';

/**
 * A web server that did not start a run learns the keys the run pinned from the run's start
 * event, not from a query: no worker is needed to sign the first message, and the whole state
 * is not fetched for it (issue 16).
 */

let client: Client;
let worker: { taskQueue: string; stop(): Promise<void> } | undefined;
const apps: TestApp[] = [];
let keysDir: string;

beforeAll(async () => {
  client = await testClient();
  worker = await runningWorker();
  keysDir = fs.mkdtempSync(path.join(os.tmpdir(), 'golive-peer-keys-'));
});

afterAll(async () => {
  for (const app of apps) await app.close();
  await worker?.stop();
  await client.connection.close();
  fs.rmSync(keysDir, { recursive: true, force: true });
});

async function app(keyring?: Keyring): Promise<TestApp> {
  const started = await startTestApp({ client, taskQueue: worker!.taskQueue, ...(keyring ? { keyring } : {}) });
  apps.push(started);
  return started;
}

describe('messages through a web server that did not start the run', () => {
  it('signs with the pinned key read from the start event, and names the setting when it lacks that key, even with no worker up', async () => {
    const starter = await app(Keyring.loadOrCreate(keysDir));
    const peer = await app(Keyring.loadOrCreate(keysDir));
    const stranger = await app();

    const started = await apiAs(starter, 'rm')<{ runId: string }>('POST', '/api/runs', {
      runbook: SMALL_RUNBOOK,
      system: 'peer-signing',
      collaborationMode: 2,
    });
    expect(started.status).toBe(201);
    const { runId } = started.body;
    await eventually(async () => {
      const res = await apiAs(starter, 'rm')<RunStateView>('GET', `/api/runs/${runId}`);
      return res.body.steps?.find((s) => s.id === 'validation-report')?.status === 'waiting' ? true : undefined;
    }, 'the evidence step to wait');

    // The peer shares the keys: its first message to the run is signed with the pinned one.
    const evidence = await apiAs(peer, 'ie')('POST', `/api/runs/${runId}/steps/validation-report/evidence`, {
      itemId: 'accuracy',
      value: 99,
    });
    expect(evidence.status, JSON.stringify(evidence.body)).toBe(200);

    // With no worker at all, a server without the run's key still says which setting is missing.
    await worker!.stop();
    worker = undefined;
    const refused = await apiAs(stranger, 'guardian')('POST', `/api/runs/${runId}/steps/guardian-sign-off/decisions`, {
      decision: 'approve',
    });
    expect(refused.status).toBe(503);
    expect(JSON.stringify(refused.body)).toContain('GOLIVE_SIGNING_KEYS_DIR');
  });
});
