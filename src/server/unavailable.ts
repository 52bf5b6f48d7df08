import { status } from '@grpc/grpc-js';
import { WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import type { ErrorRequestHandler } from 'express';
import { DatabaseUnavailable, POOL_TIMEOUT_MESSAGE } from '../db/database';
import { HttpError } from './errors';

/**
 * Honest answers while a dependency is away: Temporal or golive's database unreachable becomes
 * 503 with Retry-After (and words a person can act on), never a 500 after a long wait. The
 * availability probe (src/temporal/availability.ts) makes Temporal's calls fail within a second.
 */

export const RETRY_AFTER_SECONDS = 2;

const TEMPORAL_CODES = new Set<number>([status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.CANCELLED]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  '57P01',
  '57P03',
  '08006',
  '08001',
]);

function causes(err: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) out.push(e);
  return out;
}

function isTemporalOutage(err: unknown): boolean {
  return causes(err).some(
    (e) =>
      e instanceof WorkflowUpdateRPCTimeoutOrCancelledError ||
      (typeof (e as { code?: unknown }).code === 'number' &&
        typeof (e as { details?: unknown }).details === 'string' &&
        TEMPORAL_CODES.has((e as { code: number }).code)),
  );
}

function isDatabaseOutage(err: unknown): boolean {
  return causes(err).some((e) => {
    const message = String((e as Error)?.message);
    // A pool with no free connection in time is as unavailable to this request as a server that is down.
    return (
      e instanceof DatabaseUnavailable ||
      NETWORK_CODES.has(String((e as { code?: unknown }).code)) ||
      /Connection terminated/.test(message) ||
      message.includes(POOL_TIMEOUT_MESSAGE)
    );
  });
}

function unavailable(what: 'temporal' | 'database'): HttpError {
  const message =
    what === 'temporal'
      ? 'Temporal is unreachable, so golive cannot read or change runs right now; try again in a moment. A decision sent with an Idempotency-Key may be sent again with the same key: it is applied at most once.'
      : "golive's database is unreachable right now; try again in a moment.";
  return new HttpError(503, message, {
    code: what === 'temporal' ? 'temporal_unavailable' : 'database_unavailable',
    headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
  });
}

/** The 503 for an outage error, or undefined for any other error. */
export function outageError(err: unknown): HttpError | undefined {
  if (err instanceof HttpError) return undefined;
  if (isTemporalOutage(err)) return unavailable('temporal');
  if (isDatabaseOutage(err)) return unavailable('database');
  return undefined;
}

/** Express error middleware: put before the app's error handler. */
export const translateOutages: ErrorRequestHandler = (err, _req, _res, next) => {
  next(outageError(err) ?? err);
};
