import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Config } from '../config';
import { createLogger } from '../log';
import { isPortFree, PortInUse } from '../temporal/portCheck';

/**
 * The Temporal SDK runtime of the worker process: its log lines go through golive's logger
 * (WARN and up, everything at GOLIVE_LOG_LEVEL=debug), and its own metrics (task latencies,
 * slots, polls, activity failures) are served for Prometheus at GOLIVE_WORKER_METRICS_ADDRESS.
 */
const sdkLog = createLogger('temporal-sdk');

export async function installRuntime(
  config: Config,
  opts: { workerMetrics: boolean } = { workerMetrics: true },
): Promise<void> {
  // A web-only process runs no worker: it has no SDK metrics to serve (nor a port to hold).
  const address = opts.workerMetrics ? config.GOLIVE_WORKER_METRICS_ADDRESS : 'off';
  if (address !== 'off') {
    const [host, port] = [
      address.slice(0, address.lastIndexOf(':')),
      Number(address.slice(address.lastIndexOf(':') + 1)),
    ];
    // The SDK would fail with a native error; say which setting moves it instead.
    if (!(await isPortFree(port, host)))
      throw new PortInUse(port, 'Temporal worker metrics', 'GOLIVE_WORKER_METRICS_ADDRESS');
  }
  const level: LogLevel = config.GOLIVE_LOG_LEVEL === 'debug' ? 'INFO' : 'WARN';
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => {
      const meta = { ...(entry.meta ?? {}), sdkLevel: entry.level };
      if (entry.level === 'ERROR') sdkLog.error(entry.message, meta);
      else if (entry.level === 'WARN') sdkLog.warn(entry.message, meta);
      else sdkLog.debug(entry.message, meta);
    }),
    ...(address === 'off'
      ? {}
      : {
          telemetryOptions: {
            metrics: { prometheus: { bindAddress: address, countersTotalSuffix: true, useSecondsForDurations: true } },
          },
        }),
  });
}
