import path from 'node:path';
import { type InjectedSinks, type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createOversightActivities } from '../activities/oversightSchedules';
import type { ActivityDeps } from '../activities/deps';
import type { GoLiveSinks, RefusalNotice } from '../workflows/sinks';
import { createLogger } from './log';
import { workflowRefusals } from './server/metrics';
import type { Config } from './config';
import { activityRequestIdInterceptor } from './temporal/activityRequestId';
import { workerPlugins } from './telemetry/temporal';

/**
 * The golive worker: the go-live interpreter workflow plus the action catalog's activities.
 * Tests pass a prebuilt `workflowBundle` (bundling once per suite); `npm start` bundles at start.
 */
export interface GoLiveWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activityDeps: ActivityDeps;
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Extra options for tests (e.g. a shorter shutdown grace time). */
  overrides?: Partial<WorkerOptions>;
  /** Told of every message a run's validator refused (default: logged and counted). */
  onRefusal?: (notice: RefusalNotice) => void;
}

const log = createLogger('worker');

/** Refused messages leave no history: operators see them in the log and in /metrics. */
export function logRefusal(notice: RefusalNotice): void {
  workflowRefusals.inc({ message: notice.messageName, type: notice.type, signed: String(notice.signed) });
  log.warn(notice.signed ? 'a run refused a signed message' : 'a run refused an unsigned message', { ...notice });
}

function sinks(onRefusal: (n: RefusalNotice) => void): InjectedSinks<GoLiveSinks> {
  return { refusals: { refused: { fn: (_info, notice) => onRefusal(notice), callDuringReplay: false } } };
}

/** The bundle's entry point (a .ts file: the SDK's bundler compiles it). */
export const WORKFLOWS_PATH = path.resolve(__dirname, '../workflows/index.ts');
/** Bundled beside the workflows (prebuilt bundles must name them too: bundleWorkflowCode). */
export const WORKFLOW_INTERCEPTOR_MODULES = [path.resolve(__dirname, '../workflows/interceptors.ts')];

export function createGoLiveWorker(opts: GoLiveWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities: { ...createActivities(opts.activityDeps), ...createOversightActivities() },
    sinks: sinks(opts.onRefusal ?? logRefusal),
    // Request ids from HTTP through the workflow to activity log lines (src/log.ts).
    interceptors: { activity: [activityRequestIdInterceptor], ...(opts.workflowBundle ? {} : { workflowModules: WORKFLOW_INTERCEPTOR_MODULES }) },
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    plugins: workerPlugins(),
    ...opts.overrides,
  });
}

/**
 * Worker tuning from the settings; what is unset keeps the SDK's default. The trade-offs are in
 * the README ("Worker tuning"): more concurrent activities run more load tests at once on this
 * host; more workflow task slots answer Updates and queries of many runs at once for CPU; a
 * larger sticky cache keeps more open runs in memory (no replay when they wake) for memory.
 */
export function workerTuning(config: Pick<Config, 'GOLIVE_WORKER_MAX_CONCURRENT_ACTIVITIES' | 'GOLIVE_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS' | 'GOLIVE_WORKER_MAX_CACHED_WORKFLOWS' | 'GOLIVE_SHUTDOWN_GRACE_SECONDS'>): Partial<WorkerOptions> {
  return {
    ...(config.GOLIVE_WORKER_MAX_CONCURRENT_ACTIVITIES !== undefined ? { maxConcurrentActivityTaskExecutions: config.GOLIVE_WORKER_MAX_CONCURRENT_ACTIVITIES } : {}),
    ...(config.GOLIVE_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS !== undefined ? { maxConcurrentWorkflowTaskExecutions: config.GOLIVE_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS } : {}),
    ...(config.GOLIVE_WORKER_MAX_CACHED_WORKFLOWS !== undefined ? { maxCachedWorkflows: config.GOLIVE_WORKER_MAX_CACHED_WORKFLOWS } : {}),
    // On SIGTERM running actions get this long to finish before they are cancelled (and retried
    // by another worker: every action is idempotent or compensable).
    shutdownGraceTime: `${config.GOLIVE_SHUTDOWN_GRACE_SECONDS}s`,
  };
}
