import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Config } from '../config';
import { createLogger } from '../log';

/**
 * The Temporal SDK runtime of the worker process: its log lines go through golive's logger
 * (WARN and up, everything at GOLIVE_LOG_LEVEL=debug), and its own metrics (task latencies,
 * slots, polls, activity failures) are served for Prometheus at GOLIVE_WORKER_METRICS_ADDRESS.
 */
const sdkLog = createLogger('temporal-sdk');

export function installRuntime(config: Config): void {
  const level: LogLevel = config.GOLIVE_LOG_LEVEL === 'debug' ? 'INFO' : 'WARN';
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => {
      const meta = { ...(entry.meta ?? {}), sdkLevel: entry.level };
      if (entry.level === 'ERROR') sdkLog.error(entry.message, meta);
      else if (entry.level === 'WARN') sdkLog.warn(entry.message, meta);
      else sdkLog.debug(entry.message, meta);
    }),
    ...(config.GOLIVE_WORKER_METRICS_ADDRESS === 'off'
      ? {}
      : { telemetryOptions: { metrics: { prometheus: { bindAddress: config.GOLIVE_WORKER_METRICS_ADDRESS, countersTotalSuffix: true, useSecondsForDurations: true } } } }),
  });
}
