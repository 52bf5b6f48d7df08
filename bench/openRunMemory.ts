/**
 * Memory per open run in a worker's sticky cache (README, "Worker tuning"): a dev server in memory,
 * one worker, N open default-runbook runs (N from the environment, default 60) after a warm-up
 * run; RSS and heap before and after, with GC forced. Run with
 * `node --expose-gc --import tsx bench/openRunMemory.ts`.
 */
import path from 'node:path';
import { OutboundPolicy } from '../src/outbound/allowlist';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { resolveTemporalCli } from '../src/temporal/cliBinary';
import { startDevServer } from '../src/temporal/devServer';
import { freePort } from '../src/temporal/portCheck';
import { parseConfig } from '../src/config';
import { createGoLiveWorker, WORKFLOWS_PATH } from '../src/worker';
import { loadRunbookFile } from '../src/runbook/load';
import { prepareRun } from '../src/runbook/prepare';
import { GO_LIVE_WORKFLOW, getRunStateQuery } from '../src/contract/definitions';

const gc = () => (globalThis as { gc?: () => void }).gc?.();
const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
void (async () => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const cfg = parseConfig();
  const cliPath = await resolveTemporalCli({
    explicitPath: cfg.TEMPORAL_CLI_PATH,
    cacheDir: cfg.GOLIVE_CACHE_DIR,
    onProgress: () => undefined,
  });
  const server = await startDevServer({
    cliPath,
    port: await freePort(),
    uiPort: 0,
    headless: true,
    namespace: 'default',
  });
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } as never,
  });
  const connection = await NativeConnection.connect({ address: server.address });
  const worker = await createGoLiveWorker({
    connection,
    namespace: 'default',
    taskQueue: 'mem',
    activityDeps: {
      allowCommands: false,
      outbound: OutboundPolicy.parse('none', 'the benchmark: no action connects'),
      secrets: () => undefined,
      notifyConfig: {},
    },
    workflowBundle: { code },
    overrides: { maxCachedWorkflows: 1000 },
  });
  const done = worker.run();
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  const loaded = await loadRunbookFile(path.resolve(__dirname, '../runbooks/default.yaml'));
  const input = (i: number) =>
    prepareRun({
      loaded,
      system: `mem-${i}`,
      collaborationMode: 3,
      initiator: { id: 'rm' },
      assignments: {
        'ai-product-manager': ['rm'],
        'implementation-engineer': ['ie'],
        guardian: ['g'],
        'business-sponsor': ['s'],
        operations: ['o'],
        'end-user': ['u'],
      },
      params: {},
    });
  // one warm-up run so the first workflow's module evaluation is not counted
  const first = await client.workflow.start(GO_LIVE_WORKFLOW, {
    workflowId: 'mem-warm',
    taskQueue: 'mem',
    args: [await input(0)],
  });
  await first.query(getRunStateQuery);
  gc();
  await new Promise((r) => setTimeout(r, 500));
  gc();
  const before = process.memoryUsage();
  const N = Number(process.env.N ?? 60);
  for (let i = 1; i <= N; i++) {
    const h = await client.workflow.start(GO_LIVE_WORKFLOW, {
      workflowId: `mem-${i}`,
      taskQueue: 'mem',
      args: [await input(i)],
    });
    await h.query(getRunStateQuery);
  }
  gc();
  await new Promise((r) => setTimeout(r, 1000));
  gc();
  const after = process.memoryUsage();
  console.log(`open runs ${N} (+1 warm-up), cached: ${worker.getStatus().numCachedWorkflows}`);
  console.log(
    `rss ${mb(before.rss)} → ${mb(after.rss)} MB: ${((after.rss - before.rss) / N / 1024 / 1024).toFixed(2)} MB per open run`,
  );
  console.log(
    `heap ${mb(before.heapUsed)} → ${mb(after.heapUsed)} MB: ${((after.heapUsed - before.heapUsed) / N / 1024 / 1024).toFixed(2)} MB per open run`,
  );
  worker.shutdown();
  await done;
  await client.connection.close();
  await connection.close();
  await server.stop();
})();
