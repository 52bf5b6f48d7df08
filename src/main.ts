// First: tracing (when OTEL_* asks for it) must patch http and express before they load.
import './telemetry/register';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { ConfigError, parseConfig, prometheusRulesDir, type Config } from './config';
import { activityDepsFromConfig } from './activityDeps';
import { configureLogging, createLogger } from './log';
import { installRuntime } from './telemetry/runtime';
import { stopTracing, tracing } from './telemetry/tracing';
import { startSandbox } from './sandbox/server';
import { resolveTemporalCli, TemporalCliUnavailable } from './temporal/cliBinary';
import { connectClient, connectWorkerConnection, devServerTarget, targetFromEnvironment, type TemporalTarget } from './temporal/connection';
import { startDevServer, type DevServer } from './temporal/devServer';
import { PortInUse } from './temporal/portCheck';
import { ensureSearchAttributes } from './temporal/searchAttributeRegistration';
import { startGoLiveWeb } from './server/goLiveWeb';
import { createGoLiveWorker } from './worker';

/**
 * `npm start`: the whole product on one machine. Without TEMPORAL_ADDRESS it starts the
 * embedded Temporal dev server (SQLite file under the data folder, so runs survive restarts),
 * then the worker, the sandbox production system and the web UI. Ctrl-C stops them all.
 */

const log = createLogger('golive');

interface Running {
  devServer?: DevServer;
  client?: Client;
  workerConnection?: NativeConnection;
  worker?: Worker;
  workerDone?: Promise<void>;
  closers: (() => Promise<void>)[];
}

async function temporalTarget(config: Config, running: Running): Promise<{ target: TemporalTarget; uiUrl?: string }> {
  if (config.TEMPORAL_ADDRESS) {
    const target = targetFromEnvironment(config.TEMPORAL_NAMESPACE);
    log.info(`connecting to Temporal at ${target.address} (namespace ${target.namespace})`);
    return { target, ...(config.GOLIVE_TEMPORAL_UI_URL ? { uiUrl: config.GOLIVE_TEMPORAL_UI_URL } : {}) };
  }
  const cliPath = await resolveTemporalCli({
    explicitPath: config.TEMPORAL_CLI_PATH,
    cacheDir: config.GOLIVE_CACHE_DIR,
    onProgress: (line) => log.info(line),
  });
  log.info('starting the embedded Temporal dev server…');
  running.devServer = await startDevServer({
    cliPath,
    port: config.GOLIVE_TEMPORAL_PORT,
    uiPort: config.GOLIVE_TEMPORAL_UI_PORT,
    namespace: config.TEMPORAL_NAMESPACE,
    dbFile: path.join(config.GOLIVE_DATA_DIR, 'temporal.sqlite'),
    logFile: path.join(config.GOLIVE_DATA_DIR, 'temporal-server.log'),
  });
  return {
    target: devServerTarget(running.devServer.address, config.TEMPORAL_NAMESPACE),
    ...(running.devServer.uiUrl ? { uiUrl: running.devServer.uiUrl } : {}),
  };
}

async function start(config: Config, running: Running): Promise<void> {
  configureLogging({ level: config.GOLIVE_LOG_LEVEL, format: config.GOLIVE_LOG_FORMAT });
  // The SDK's own INFO lines (bundler output, worker state) drown what people need to read.
  await installRuntime(config);
  const { target, uiUrl } = await temporalTarget(config, running);
  running.client = await connectClient(target);
  if (config.TEMPORAL_ADDRESS) {
    const warning = await ensureSearchAttributes(running.client, target.namespace);
    if (warning) log.warn(warning);
  }

  running.workerConnection = await connectWorkerConnection(target);
  log.info('bundling workflows and starting the worker…');
  running.worker = await createGoLiveWorker({
    connection: running.workerConnection,
    namespace: target.namespace,
    taskQueue: config.GOLIVE_TASK_QUEUE,
    activityDeps: activityDepsFromConfig(config, createLogger('activity')),
  });
  running.workerDone = running.worker.run();

  let sandboxUrl: string | undefined;
  if (config.GOLIVE_SANDBOX) {
    const sandbox = await startSandbox({
      port: config.GOLIVE_SANDBOX_PORT,
      host: config.GOLIVE_HOST,
      monitoring: { rulesDir: prometheusRulesDir(config), alertWebhookUrl: config.GOLIVE_SANDBOX_ALERT_WEBHOOK },
    });
    running.closers.push(() => sandbox.close());
    sandboxUrl = sandbox.url;
  }

  const web = await startGoLiveWeb({
    config,
    client: running.client,
    namespace: target.namespace,
    ...(uiUrl ? { temporalUiUrl: uiUrl } : {}),
    log: createLogger('web'),
  });
  running.closers.push(() => web.close());

  const lines = [
    '',
    'golive is running',
    `  web UI          ${web.url}`,
    `  Temporal UI     ${uiUrl ?? '(set GOLIVE_TEMPORAL_UI_URL to link it)'}`,
    `  Temporal        ${target.address} (namespace ${target.namespace}${config.TEMPORAL_ADDRESS ? '' : ', embedded dev server'})`,
    ...(sandboxUrl
      ? [
          `  sandbox system  ${sandboxUrl} (the default runbook goes live against it)`,
          `  monitoring      ${sandboxUrl}/prometheus, ${sandboxUrl}/alertmanager (the sandbox's stand-in; see README "Operations")`,
        ]
      : []),
    `  metrics         ${web.url}/metrics (golive), ${config.GOLIVE_WORKER_METRICS_ADDRESS === 'off' ? 'worker metrics off' : `http://${config.GOLIVE_WORKER_METRICS_ADDRESS}/metrics (Temporal worker)`}`,
    `  tracing         ${tracing() ? 'OpenTelemetry on (OTEL_* settings)' : 'off (set OTEL_EXPORTER_OTLP_ENDPOINT to export traces)'}`,
    `  data            ${config.GOLIVE_DATA_DIR}`,
    ...web.banner,
    '',
    'Press Ctrl-C to stop.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

async function stop(running: Running): Promise<void> {
  for (const close of running.closers.reverse()) await close().catch((e: Error) => log.warn(`close: ${e.message}`));
  if (running.worker && running.worker.getState() === 'RUNNING') running.worker.shutdown();
  await running.workerDone?.catch((e: Error) => log.warn(`worker: ${e.message}`));
  await running.workerConnection?.close().catch(() => undefined);
  await running.client?.connection.close().catch(() => undefined);
  await running.devServer?.stop();
  await stopTracing().catch(() => undefined);
}

async function main(): Promise<void> {
  const running: Running = { closers: [] };
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping…`);
    stop(running).then(
      () => {
        log.info('stopped: web server, worker and Temporal dev server are down');
        process.exit(0);
      },
      (err: Error) => {
        log.error(err.message);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  try {
    const config = parseConfig();
    await start(config, running);
    running.workerDone?.catch((err: Error) => {
      log.error(`the worker stopped: ${err.message}`);
      shutdown('worker failure');
    });
  } catch (err) {
    await stop(running).catch(() => undefined);
    // Expected problems get one clear line; anything else keeps its stack for a bug report.
    const known = err instanceof ConfigError || err instanceof PortInUse || err instanceof TemporalCliUnavailable;
    process.stderr.write(`golive: ${known ? (err as Error).message : ((err as Error).stack ?? String(err))}\n`);
    process.exit(1);
  }
}

void main();
