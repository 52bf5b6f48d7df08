// First: tracing (when OTEL_* asks for it) must patch http and express before they load.
import './telemetry/register';
import { ConfigError, hasRole, parseConfig, prometheusRulesDir, sandboxAlertWebhook, type Config } from './config';
import { configureLogging, createLogger } from './log';
import { installRuntime } from './telemetry/runtime';
import { stopTracing, tracing } from './telemetry/tracing';
import { DataFolderInUse, lockDataFolder, type DataLock } from './process/dataLock';
import { startEmbeddedTemporal } from './process/embeddedTemporal';
import { watchParent } from './process/parentWatch';
import { startWebRole, type WebRole } from './process/webRole';
import { startWorkerHealth, type WorkerHealth } from './process/workerHealth';
import { startWorkerRole, type WorkerRole } from './process/workerRole';
import { DatabaseUnavailable } from './db/database';
import { sandboxAddress } from './sandbox/address';
import { startSandbox, type RunningSandbox } from './sandbox/server';
import { TemporalCliUnavailable } from './temporal/cliBinary';
import { devServerTarget, targetFromEnvironment, type TemporalTarget } from './temporal/connection';
import type { DevServer } from './temporal/devServer';
import { PortInUse } from './temporal/portCheck';
import { UsersFileError } from './auth/users';

/**
 * The one entry point. GOLIVE_ROLES picks what this process runs: `web` (UI + API), `worker`
 * (workflows + actions), or both — the default, which with no TEMPORAL_ADDRESS is the whole
 * product on one machine (`npm start`): the embedded Temporal dev server, the worker, the
 * sandbox production system and the web UI. The web server answers first (503 for what needs
 * Temporal) while the dev server starts and the worker bundles. SIGTERM, SIGINT, SIGHUP or the
 * death of the parent process stop everything cleanly; a second golive on the same data folder
 * is refused.
 */

const log = createLogger('golive');

interface Running {
  lock?: DataLock;
  devServer?: DevServer;
  web?: WebRole;
  worker?: WorkerRole;
  workerHealth?: WorkerHealth;
  sandbox?: { url: string; close(): Promise<void> };
  stopping: boolean;
  onDevServerExit?: (why: string) => void;
}

function temporalTargetOf(config: Config): TemporalTarget {
  if (config.TEMPORAL_ADDRESS) return targetFromEnvironment(config.TEMPORAL_NAMESPACE);
  return devServerTarget(`127.0.0.1:${config.GOLIVE_TEMPORAL_PORT}`, config.TEMPORAL_NAMESPACE);
}

async function start(config: Config, running: Running): Promise<void> {
  configureLogging({ level: config.GOLIVE_LOG_LEVEL, format: config.GOLIVE_LOG_FORMAT });
  running.lock = await lockDataFolder(config.GOLIVE_DATA_DIR, config.GOLIVE_ROLES, (line) => log.info(line));
  // After the lock: a second golive on this folder hears that, not that a port is taken.
  // The SDK's own logs at WARN (INFO drowns what people need to read), its metrics exported.
  await installRuntime(config, { workerMetrics: hasRole(config, 'worker') });
  const target = temporalTargetOf(config);
  const embedded = config.TEMPORAL_ADDRESS ? undefined : startEmbeddedTemporal(config, log);
  // Keep the dev server's failure for the await below (and stop it if it comes up after all).
  embedded?.then((s) => (running.devServer = s)).catch(() => undefined);
  const uiUrl = config.TEMPORAL_ADDRESS
    ? config.GOLIVE_TEMPORAL_UI_URL
    : `http://127.0.0.1:${config.GOLIVE_TEMPORAL_UI_PORT}`;
  log.info(`Temporal at ${target.address} (namespace ${target.namespace}${embedded ? ', embedded dev server' : ''})`);

  if (hasRole(config, 'web')) {
    running.web = await startWebRole(config, target, uiUrl, createLogger('web'));
    log.info(`web UI answering at ${running.web.url} (database: ${running.web.databaseWhere})`);
  } else {
    running.workerHealth = await startWorkerHealth({ host: config.GOLIVE_HOST, port: config.GOLIVE_PORT });
  }
  if (embedded) {
    const server = await embedded;
    // Without its Temporal the product cannot work: say so and stop, rather than retry forever.
    server.child.once('exit', (code, signal) =>
      running.onDevServerExit?.(`the embedded Temporal dev server exited (${signal ?? `code ${code}`})`),
    );
  }
  if (hasRole(config, 'worker')) {
    if (config.GOLIVE_SANDBOX) {
      running.sandbox = await startSandboxRole(config);
    }
    running.worker = await startWorkerRole(config, target, createLogger('worker'), () => running.stopping);
    running.workerHealth?.setWorker(running.worker.worker);
  }
  printBanner(config, running, target, uiUrl);
}

/** The sandbox production system; its port taken is said in one line naming GOLIVE_SANDBOX_PORT. */
function startSandboxRole(config: Config): Promise<RunningSandbox> {
  return startSandbox({
    port: config.GOLIVE_SANDBOX_PORT,
    host: config.GOLIVE_HOST,
    monitoring: { rulesDir: prometheusRulesDir(config), alertWebhookUrl: sandboxAlertWebhook(config) },
  }).catch((err: NodeJS.ErrnoException) => {
    throw err.code === 'EADDRINUSE'
      ? new PortInUse(config.GOLIVE_SANDBOX_PORT, 'sandbox production system', 'GOLIVE_SANDBOX_PORT')
      : err;
  });
}

/** Where this process's metrics are: golive's own /metrics (web) and the SDK's exporter (worker). */
function metricsWhere(config: Config, running: Running): string {
  const worker =
    config.GOLIVE_WORKER_METRICS_ADDRESS === 'off'
      ? 'worker metrics off'
      : `http://${config.GOLIVE_WORKER_METRICS_ADDRESS}/metrics (Temporal worker)`;
  const golive = running.web ?? running.workerHealth;
  return [...(golive ? [`${golive.url}/metrics (golive)`] : []), ...(running.worker ? [worker] : [])].join(', ');
}

function printBanner(config: Config, running: Running, target: TemporalTarget, uiUrl: string | undefined): void {
  const lines = [
    '',
    'golive is running',
    `  roles           ${config.GOLIVE_ROLES.join(', ')}`,
    ...(running.web ? [`  web UI          ${running.web.url}`] : []),
    ...(running.workerHealth ? [`  health          ${running.workerHealth.url}/readyz`] : []),
    `  Temporal UI     ${uiUrl ?? '(set GOLIVE_TEMPORAL_UI_URL to link it)'}`,
    `  Temporal        ${target.address} (namespace ${target.namespace}${config.TEMPORAL_ADDRESS ? '' : ', embedded dev server'})`,
    ...(running.sandbox ? sandboxLines(config) : []),
    `  metrics         ${metricsWhere(config, running)}`,
    `  tracing         ${tracing() ? 'OpenTelemetry on (OTEL_* settings)' : 'off (set OTEL_EXPORTER_OTLP_ENDPOINT to export traces)'}`,
    ...(running.web ? [`  database        ${running.web.databaseWhere}`] : []),
    `  data            ${config.GOLIVE_DATA_DIR}`,
    ...(running.web?.banner ?? []),
    '',
    'Press Ctrl-C to stop.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

/** The sandbox's address as the default runbook's parameters and the start form use it. */
function sandboxLines(config: Config): string[] {
  const url = sandboxAddress(config)?.url;
  return [
    `  sandbox system  ${url} (the default runbook goes live against it)`,
    `  monitoring      ${url}/prometheus, ${url}/alertmanager (the sandbox's stand-in; see README "Operations")`,
  ];
}

/** Web first (no new requests; those in flight finish), then the worker drains, then the rest. */
async function stop(running: Running): Promise<void> {
  running.stopping = true;
  running.lock?.stopping();
  await running.web?.stop();
  await running.worker?.stop();
  await running.workerHealth?.close();
  await running.sandbox?.close().catch((e: Error) => log.warn(`sandbox: ${e.message}`));
  await running.devServer?.stop();
  await stopTracing().catch(() => undefined);
  running.lock?.release();
}

const KNOWN_ERRORS = [
  ConfigError,
  PortInUse,
  TemporalCliUnavailable,
  DataFolderInUse,
  DatabaseUnavailable,
  UsersFileError,
];

async function main(): Promise<void> {
  const running: Running = { stopping: false };
  const shutdown = (why: string, code = 0) => {
    if (running.stopping) return;
    log.info(`${why}: stopping…`);
    stop(running).then(
      () => {
        log.info('stopped');
        process.exit(code);
      },
      (err: Error) => {
        log.error(err.message);
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => shutdown(signal));
  running.onDevServerExit = (why) => shutdown(why, 1);
  watchParent(() => shutdown('the process that started golive is gone'));

  try {
    await start(parseConfig(), running);
    running.worker?.done.catch((err: Error) => {
      log.error(`the worker stopped: ${err.message}`);
      shutdown('worker failure', 1);
    });
  } catch (err) {
    if (running.stopping) return;
    await stop(running).catch(() => undefined);
    // Expected problems get one clear line; anything else keeps its stack for a bug report.
    const known = KNOWN_ERRORS.some((k) => err instanceof k);
    process.stderr.write(`golive: ${known ? (err as Error).message : ((err as Error).stack ?? String(err))}\n`);
    process.exit(1);
  }
}

void main();
