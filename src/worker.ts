import path from 'node:path';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { ActivityDeps } from '../activities/deps';
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
    activities: createActivities(opts.activityDeps),
    // Request ids from HTTP through the workflow to activity log lines (src/log.ts).
    interceptors: { activity: [activityRequestIdInterceptor], ...(opts.workflowBundle ? {} : { workflowModules: WORKFLOW_INTERCEPTOR_MODULES }) },
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    plugins: workerPlugins(),
    ...opts.overrides,
  });
}
