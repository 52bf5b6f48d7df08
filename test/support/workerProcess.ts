import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createGoLiveWorker } from '../../src/worker';
import { OutboundPolicy } from '../../src/outbound/allowlist';

/**
 * A golive worker in its own process, so a test can kill it with SIGKILL mid-run, as a crash
 * or a lost machine would. Usage: tsx workerProcess.ts ADDRESS TASK_QUEUE BUNDLE_PATH
 */
async function main(): Promise<void> {
  const [address, taskQueue, codePath] = process.argv.slice(2);
  if (!address || !taskQueue || !codePath) throw new Error('usage: workerProcess ADDRESS TASK_QUEUE BUNDLE_PATH');
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect({ address });
  const worker = await createGoLiveWorker({
    connection,
    namespace: 'default',
    taskQueue,
    activityDeps: {
      allowCommands: false,
      outbound: OutboundPolicy.parse('127.0.0.1, [::1], localhost'),
      secrets: () => undefined,
      notifyConfig: {},
    },
    workflowBundle: { codePath },
  });
  process.stdout.write('worker ready\n');
  await worker.run();
}

main().catch((err: unknown) => {
  process.stderr.write(`${String((err as Error).stack ?? err)}\n`);
  process.exit(1);
});
