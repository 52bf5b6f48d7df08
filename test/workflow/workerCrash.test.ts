import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Client } from '@temporalio/client';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server';
import { approveStepUpdate, getRunStateQuery } from '../../src/contract/definitions';
import { startRecorder, type Recorder } from '../support/recorder';
import { actor, inputFor, people, startRun, stepStatus, waitForState } from '../support/runs';
import { testClient, uniqueId } from '../support/temporal';
import { sendStepMessage } from '../../src/temporal/runUpdates';

/**
 * Durability: a worker killed (SIGKILL) in the middle of a run — once while a deploy is in
 * flight, once while the run waits for people — and started again finishes the run, and no
 * step that completed runs again; the interrupted deploy is retried with the same idempotency
 * key, so the target deploys once.
 */

function startWorkerProcess(taskQueue: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      '--require',
      require.resolve('tsx/cjs'),
      path.join(__dirname, '../support/workerProcess.ts'),
      inject('temporalAddress'),
      taskQueue,
      inject('workflowBundlePath'),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('worker ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker process exited early (${code})`)));
  });
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

describe('worker crash', () => {
  let client: Client;
  let recorder: Recorder;
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    client = await testClient();
    recorder = await startRecorder();
    sandbox = await startSandbox({ port: 0 });
  });
  afterAll(async () => {
    await sandbox.close();
    await recorder.close();
    await client.connection.close();
  });

  it(
    'finishes the run after SIGKILLs with no completed step executed twice and one deploy',
    { timeout: 90_000 },
    async () => {
      const taskQueue = uniqueId('crash');
      // A slow rollout keeps the deploy activity polling (and heartbeating) long enough to kill it.
      await fetch(`${sandbox.url}/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ rolloutMs: 3000 }),
      });
      let worker = await startWorkerProcess(taskQueue);
      const handle = await startRun(
        client,
        taskQueue,
        inputFor({
          steps: [
            {
              id: 'prepare',
              kind: 'action',
              title: 'Prepare',
              action: 'webhook',
              params: { url: `${recorder.url}/do/prepare` },
            },
            {
              id: 'deploy',
              kind: 'action',
              title: 'Deploy release candidate',
              action: 'deploy',
              params: {
                url: `${sandbox.url}/deploy`,
                version: '2.0.0',
                poll: {
                  url: `${sandbox.url}/version`,
                  until: { version: '2.0.0' },
                  intervalMs: 200,
                  timeoutSeconds: 30,
                },
              },
              timeout: '60s',
              heartbeatTimeout: '2s',
              retry: { maximumAttempts: 5, initialInterval: '200ms' },
            },
            {
              id: 'gate',
              kind: 'approval',
              title: 'Go / no-go',
              approvers: [{ role: 'business-sponsor' }],
              deadline: '1h',
            },
            {
              id: 'finish',
              kind: 'action',
              title: 'Finish',
              action: 'webhook',
              params: { url: `${recorder.url}/do/finish` },
            },
          ],
        }),
      );
      // Kill once the sandbox has taken the deploy call and the activity is polling the rollout.
      for (let seen = false; !seen; await new Promise((r) => setTimeout(r, 100))) {
        seen = ((await (await fetch(`${sandbox.url}/deployments`)).json()) as { keys: unknown[] }).keys.length > 0;
      }
      expect(stepStatus(await handle.query(getRunStateQuery), 'deploy')).toBe('running');
      await kill(worker);

      worker = await startWorkerProcess(taskQueue);
      await waitForState(handle, (s) => stepStatus(s, 'gate') === 'waiting', 40_000);
      await kill(worker); // crash again while waiting for people

      worker = await startWorkerProcess(taskQueue);
      // Sent at once to a cold worker: it may need the catch-up that sendStepMessage does.
      const gate = await sendStepMessage(handle, approveStepUpdate, { actor: actor(people.sponsor), stepId: 'gate' });
      expect(gate.status).toBe('completed');
      const result = await handle.result();
      await kill(worker);

      expect(result.status).toBe('live');
      expect(recorder.paths().filter((p) => p === '/do/prepare')).toHaveLength(1);
      expect(recorder.paths().filter((p) => p === '/do/finish')).toHaveLength(1);
      const deployments = (await (await fetch(`${sandbox.url}/deployments`)).json()) as {
        version: string;
        history: { kind: string; to: string }[];
        keys: { key: string; kind: string; calls: number }[];
      };
      expect(deployments.version).toBe('2.0.0');
      expect(deployments.history.filter((h) => h.kind === 'deploy' && h.to === '2.0.0')).toHaveLength(1);
      const deployKeys = deployments.keys.filter((k) => k.kind === 'deploy');
      expect(deployKeys).toHaveLength(1);
      expect(deployKeys[0]!.calls).toBeGreaterThanOrEqual(2); // retried after the crash, same key
    },
  );
});
