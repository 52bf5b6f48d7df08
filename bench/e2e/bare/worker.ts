import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { bareActivities } from './activities';

/**
 * The bare side's worker process: the bare workflow and its one activity, SDK defaults except
 * the sticky cache size the benchmark gives both sides. Started by the benchmark as a child with
 * BENCH_TEMPORAL_ADDRESS, BENCH_TASK_QUEUE and BENCH_MAX_CACHED_WORKFLOWS; says `ready` on IPC.
 */
async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const quiet = () => undefined;
  const { code } = await bundleWorkflowCode({
    workflowsPath: path.resolve(__dirname, 'workflow.ts'),
    logger: { trace: quiet, debug: quiet, info: quiet, warn: quiet, error: console.error, log: quiet },
  });
  const connection = await NativeConnection.connect({ address: process.env.BENCH_TEMPORAL_ADDRESS! });
  const worker = await Worker.create({
    connection,
    namespace: 'default',
    taskQueue: process.env.BENCH_TASK_QUEUE!,
    workflowBundle: { code },
    activities: bareActivities,
    maxCachedWorkflows: Number(process.env.BENCH_MAX_CACHED_WORKFLOWS ?? 2000),
  });
  const stop = () => worker.shutdown();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const running = worker.run();
  process.send?.({ ready: true });
  await running;
  await connection.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
