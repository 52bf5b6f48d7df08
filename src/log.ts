import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { type DestinationStream } from 'pino';
import pretty from 'pino-pretty';

/**
 * golive's structured logging, through pino: JSON lines by default (for log shippers), readable
 * lines when a person watches a terminal. Every line logged while an HTTP request or an activity
 * it caused is being handled carries that request's `requestId` (see requestContext), so one
 * decision can be followed from the web server into the worker. Secrets are redacted by field
 * name wherever they appear in a line's fields.
 */
import { redactText } from '../activities/redaction';

type Level = 'debug' | 'info' | 'warn' | 'error';
type LogFormat = 'auto' | 'json' | 'pretty';

/** Secret values no log line may carry, wherever they appear (set at start from the configuration). */
let secrets: readonly string[] = [];
export function redactLogsOf(values: readonly string[]): void {
  secrets = [...values];
}
export interface Logger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

/** The request a piece of work belongs to; set by the web server and the worker's interceptors. */
export const requestContext = new AsyncLocalStorage<{ requestId: string }>();

export function currentRequestId(): string | undefined {
  return requestContext.getStore()?.requestId;
}

const REDACT = [
  'password',
  'token',
  'secret',
  'authorization',
  'cookie',
  'apiKey',
  '*.password',
  '*.token',
  '*.secret',
  '*.authorization',
  '*.cookie',
  'headers.*',
];

export interface LogSettings {
  level?: Level;
  format?: LogFormat;
  /** Tests capture lines here; default stdout. */
  destination?: DestinationStream;
}

function build(settings: LogSettings): pino.Logger {
  const level = settings.level ?? envLevel();
  const usePretty =
    settings.destination === undefined &&
    (settings.format === 'pretty' || (settings.format !== 'json' && process.stdout.isTTY));
  const stream =
    settings.destination ??
    (usePretty
      ? pretty({
          colorize: true,
          sync: true,
          ignore: 'pid,hostname,component',
          translateTime: 'HH:MM:ss',
          messageFormat: '[{component}] {msg}',
        })
      : pino.destination({ fd: 1, sync: true }));
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => {
        const requestId = currentRequestId();
        return requestId ? { requestId } : {};
      },
      redact: { paths: REDACT, censor: '[redacted]' },
      // Field names catch most secrets; known secret values are caught wherever they appear.
      hooks: { streamWrite: (line) => (secrets.length ? redactText(line, secrets) : line) },
    },
    stream,
  );
}

function envLevel(): Level {
  const v = process.env.GOLIVE_LOG_LEVEL;
  return v === 'debug' || v === 'warn' || v === 'error' ? v : 'info';
}

let root = build({});

/** Applies the configured level and format (main.ts), or a capture stream (tests). */
export function configureLogging(settings: LogSettings): void {
  root = build(settings);
}

export function createLogger(component: string): Logger {
  // Resolved per call, so loggers made before configureLogging() follow it.
  const write = (level: Level, message: string, meta?: Record<string, unknown>): void => {
    root.child({ component })[level](meta ?? {}, message);
  };
  return {
    debug: (m, meta) => write('debug', m, meta),
    info: (m, meta) => write('info', m, meta),
    warn: (m, meta) => write('warn', m, meta),
    error: (m, meta) => write('error', m, meta),
  };
}
