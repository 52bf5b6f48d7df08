import { NativeConnection, type Worker } from '@temporalio/worker';
import { knownSecrets } from '../../activities/redaction';
import { activityDepsFromConfig } from '../activityDeps';
import type { Config } from '../config';
import { createLogger, redactLogsOf, type Logger } from '../log';
import { connectClient, type TemporalTarget } from '../temporal/connection';
import { ensureSearchAttributes } from '../temporal/searchAttributeRegistration';
import {
  createGoLiveWorker,
  WORKFLOW_INTERCEPTOR_MODULES,
  WORKFLOW_PRELOAD_MODULES,
  WORKFLOWS_PATH,
  workerTuning,
} from '../worker';
import { bundleInThread } from './bundleInThread';
import { tracingWorkflowModules } from '../telemetry/temporal';

/**
 * The worker role: waits for Temporal, bundles the workflows, polls the task queue. On stop it
 * drains: no new tasks, running actions get GOLIVE_SHUTDOWN_GRACE_SECONDS to finish, then they
 * are cancelled (another worker retries them; actions are idempotent or compensable).
 */
export interface WorkerRole {
  worker: Worker;
  /** Settles when the worker stops (rejects if it failed). */
  done: Promise<void>;
  stop(): Promise<void>;
}

const CONNECT_RETRY_MS = 1000;

async function connectWhenReachable(
  target: TemporalTarget,
  log: Logger,
  stopped: () => boolean,
): Promise<NativeConnection> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await NativeConnection.connect({ ...target.connectOptions, address: target.address });
    } catch (err) {
      if (stopped()) throw err;
      if (attempt === 1)
        log.info(`waiting for Temporal at ${target.address} (${(err as Error).message.split('\n')[0]})…`);
      await new Promise((r) => setTimeout(r, CONNECT_RETRY_MS));
    }
  }
}

export async function startWorkerRole(
  config: Config,
  target: TemporalTarget,
  log: Logger,
  stopped: () => boolean = () => false,
): Promise<WorkerRole> {
  const connection = await connectWhenReachable(target, log, stopped);
  if (config.TEMPORAL_ADDRESS) {
    const client = await connectClient(target);
    const warning = await ensureSearchAttributes(client, target.namespace);
    if (warning) log.warn(warning);
    await client.connection.close().catch(() => undefined);
  }
  log.info('bundling workflows and starting the worker…');
  const code = await bundleInThread(
    WORKFLOWS_PATH,
    [...WORKFLOW_INTERCEPTOR_MODULES, ...tracingWorkflowModules()],
    WORKFLOW_PRELOAD_MODULES,
  ).catch(async (err: unknown) => {
    await connection.close().catch(() => undefined);
    throw err;
  });
  const activityDeps = activityDepsFromConfig(config, createLogger('activity'));
  // No log line of this process may carry a configured secret.
  redactLogsOf(knownSecrets(activityDeps));
  const tuning = workerTuning(config);
  log.info(
    `keeping up to ${tuning.maxCachedWorkflows} open runs in memory (GOLIVE_WORKER_MAX_CACHED_WORKFLOWS, or sized from GOLIVE_WORKER_MEMORY_MB)`,
  );
  const worker = await createGoLiveWorker({
    workflowBundle: { code },
    connection,
    namespace: target.namespace,
    taskQueue: config.GOLIVE_TASK_QUEUE,
    activityDeps,
    overrides: tuning,
  }).catch(async (err: unknown) => {
    await connection.close().catch(() => undefined);
    throw err;
  });
  const done = worker.run();
  return {
    worker,
    done,
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done.catch((e: Error) => log.warn(`worker: ${e.message}`));
      await connection.close().catch(() => undefined);
    },
  };
}
