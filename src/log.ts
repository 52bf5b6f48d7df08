/**
 * A small structured logger for the golive processes: one line per event, JSON when not on a
 * terminal (so log shippers can parse it), readable when a person watches.
 */
import { redactText } from '../activities/redaction';

type Level = 'debug' | 'info' | 'warn' | 'error';

/** Secret values no log line may carry (set once at start from the configuration). */
let secrets: readonly string[] = [];
export function redactLogsOf(values: readonly string[]): void {
  secrets = [...values];
}
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const threshold = order[(process.env.GOLIVE_LOG_LEVEL as Level) ?? 'info'] ?? order.info;

export interface Logger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

export function createLogger(component: string): Logger {
  const write = (level: Level, message: string, meta?: Record<string, unknown>): void => {
    if (order[level] < threshold) return;
    const stream = level === 'error' || level === 'warn' ? process.stderr : process.stdout;
    if (stream.isTTY) {
      const extra = meta && Object.keys(meta).length ? ` ${JSON.stringify(meta)}` : '';
      stream.write(redactText(`${level === 'info' ? '' : `${level.toUpperCase()} `}[${component}] ${message}${extra}`, secrets) + '\n');
    } else {
      stream.write(redactText(JSON.stringify({ time: new Date().toISOString(), level, component, message, ...meta }), secrets) + '\n');
    }
  };
  return {
    debug: (m, meta) => write('debug', m, meta),
    info: (m, meta) => write('info', m, meta),
    warn: (m, meta) => write('warn', m, meta),
    error: (m, meta) => write('error', m, meta),
  };
}
