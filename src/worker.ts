import path from 'node:path';
import v8 from 'node:v8';
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
import { goliveDataConverter } from './temporal/largePayloads';

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

/**
 * Modules evaluated once per worker instead of once per cached run (the SDK's reusable V8
 * context keeps a module cache per workflow, and shares, frozen, what is preloaded). golive's
 * workflow code keeps no state in module scope — a run's state lives in the objects goLive()
 * makes — so the whole graph is shared: an open run then costs its own state and little else
 * (README, "Worker tuning"). Prebuilt bundles must name them too (bundleWorkflowCode).
 */
export const WORKFLOW_PRELOAD_MODULES = [WORKFLOWS_PATH];

export function createGoLiveWorker(opts: GoLiveWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities: { ...createActivities(opts.activityDeps), ...createOversightActivities() },
    sinks: sinks(opts.onRefusal ?? logRefusal),
    // Large payloads (a long hypercare's carried record) compressed: src/temporal/largePayloads.ts.
    dataConverter: goliveDataConverter,
    // Request ids from HTTP through the workflow to activity log lines (src/log.ts).
    interceptors: {
      activity: [activityRequestIdInterceptor],
      ...(opts.workflowBundle ? {} : { workflowModules: WORKFLOW_INTERCEPTOR_MODULES }),
    },
    ...(opts.workflowBundle
      ? { workflowBundle: opts.workflowBundle }
      : { workflowsPath: WORKFLOWS_PATH, bundlerOptions: { preloadModules: WORKFLOW_PRELOAD_MODULES } }),
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
type TuningConfig = Pick<
  Config,
  | 'GOLIVE_WORKER_MAX_CONCURRENT_ACTIVITIES'
  | 'GOLIVE_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS'
  | 'GOLIVE_WORKER_MAX_CACHED_WORKFLOWS'
  | 'GOLIVE_WORKER_MEMORY_MB'
  | 'GOLIVE_SHUTDOWN_GRACE_SECONDS'
>;

export function workerTuning(
  config: TuningConfig,
  heapLimitMb = v8.getHeapStatistics().heap_size_limit / 2 ** 20,
): Partial<WorkerOptions> {
  return {
    ...(config.GOLIVE_WORKER_MAX_CONCURRENT_ACTIVITIES !== undefined
      ? { maxConcurrentActivityTaskExecutions: config.GOLIVE_WORKER_MAX_CONCURRENT_ACTIVITIES }
      : {}),
    ...(config.GOLIVE_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS !== undefined
      ? { maxConcurrentWorkflowTaskExecutions: config.GOLIVE_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS }
      : {}),
    maxCachedWorkflows:
      config.GOLIVE_WORKER_MAX_CACHED_WORKFLOWS ?? stickyCacheSize(config.GOLIVE_WORKER_MEMORY_MB ?? heapLimitMb),
    // On SIGTERM running actions get this long to finish before they are cancelled (and retried
    // by another worker: every action is idempotent or compensable).
    shutdownGraceTime: `${config.GOLIVE_SHUTDOWN_GRACE_SECONDS}s`,
  };
}

/**
 * The sticky cache (open runs kept in memory) sized from the memory the worker has. Measured
 * (README, Worker tuning): a golive worker holds ≈320 MB before any run, and an open run waiting
 * at an approval ≈0.5 MB; a run's state grows with its records (reports, escalations), so each
 * is budgeted at twice that. The SDK's own default assumes 1.7 MB per run of the V8 heap limit,
 * and takes no account of what golive's process holds besides.
 */
export const WORKER_BASE_MB = 320;
export const OPEN_RUN_BUDGET_MB = 1;

export function stickyCacheSize(memoryMb: number): number {
  return Math.min(100_000, Math.max(10, Math.floor((memoryMb - WORKER_BASE_MB) / OPEN_RUN_BUDGET_MB)));
}
