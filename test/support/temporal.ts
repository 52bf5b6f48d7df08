import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import type { ActivityDeps } from '../../activities/deps';
import { clientInterceptors } from '../../src/telemetry/temporal';
import { createGoLiveWorker, logRefusal } from '../../src/worker';
import type { RefusalNotice } from '../../workflows/sinks';
import { OutboundPolicy } from '../../src/outbound/allowlist';
import { goliveDataConverter, LARGE_MESSAGE_CHANNEL_ARGS } from '../../src/temporal/largePayloads';

/** Helpers for tests that run real workflows on the suite's dev server (see globalSetup.ts). */

export const NAMESPACE = 'default';

let runtimeInstalled = false;
/** Worker lifecycle lines at INFO drown test output; keep warnings and errors. */
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Already installed in this process (another helper got there first): keep it.
  }
}

export function uniqueId(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export async function testClient(): Promise<Client> {
  const connection = await Connection.connect({
    address: inject('temporalAddress'),
    channelArgs: LARGE_MESSAGE_CHANNEL_ARGS,
  });
  // The same interceptors as golive's own client: request ids reach workflows and activities.
  return new Client({
    connection,
    namespace: NAMESPACE,
    interceptors: { workflow: clientInterceptors() },
    dataConverter: goliveDataConverter,
  });
}

/** Test targets are loopback servers on random ports: loopback is what tests may reach. */
export const TEST_OUTBOUND = OutboundPolicy.parse('127.0.0.1, [::1], localhost', 'the test policy (loopback)');

export const testActivityDeps = (): ActivityDeps => ({
  allowCommands: false,
  outbound: TEST_OUTBOUND,
  secrets: () => undefined,
  notifyConfig: {},
  monitoring: { rulesDir: inject('rulesDir'), runbooksDir: path.resolve(__dirname, '../../runbooks') },
});

export interface TestWorker {
  worker: Worker;
  taskQueue: string;
  /** Runs the worker until `fn` settles, then shuts it down. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  connection: NativeConnection;
  /** What the worker told operators of messages the run's validators refused (what it would log). */
  refusals: RefusalNotice[];
}

export async function testWorker(
  /** `countRefusals`: also hand each refusal to what a production worker does with it (log, count). */
  opts: { taskQueue?: string; activityDeps?: Partial<ActivityDeps>; countRefusals?: boolean } = {},
): Promise<TestWorker> {
  quietRuntime();
  const taskQueue = opts.taskQueue ?? uniqueId('tq');
  const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  const refusals: RefusalNotice[] = [];
  const worker = await createGoLiveWorker({
    connection,
    namespace: NAMESPACE,
    taskQueue,
    activityDeps: { ...testActivityDeps(), ...opts.activityDeps },
    workflowBundle: { codePath: inject('workflowBundlePath') },
    overrides: { shutdownGraceTime: '1s' },
    onRefusal: (notice) => {
      refusals.push(notice);
      if (opts.countRefusals) logRefusal(notice);
    },
  });
  return {
    refusals,
    worker,
    taskQueue,
    connection,
    run: (fn) => worker.runUntil(fn),
  };
}

/** A worker running on its own task queue until `stop()`. */
export async function runningWorker(): Promise<{ taskQueue: string; stop(): Promise<void> }> {
  const worker = await testWorker();
  const done = worker.worker.run();
  return {
    taskQueue: worker.taskQueue,
    stop: async () => {
      worker.worker.shutdown();
      await done;
    },
  };
}

/** A client on the suite's dev server for one test file, closed after it; read it with `client()`. */
export function useTestClient(hooks: {
  beforeAll: (fn: () => Promise<void>) => void;
  afterAll: (fn: () => Promise<void>) => void;
}): () => Client {
  let client: Client | undefined;
  hooks.beforeAll(async () => {
    client = await testClient();
  });
  hooks.afterAll(async () => {
    await client?.connection.close();
  });
  return () => {
    if (!client) throw new Error('the test client is used before beforeAll ran');
    return client;
  };
}
