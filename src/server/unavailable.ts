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

/**
 * Temporal refused the connection itself, or golive's probe said it is away (its fail-fast
 * answers UNAVAILABLE): not a slow answer.
 */
export function isTemporalUnreachable(err: unknown): boolean {
  return causes(err).some((e) => (e as { code?: unknown }).code === status.UNAVAILABLE);
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

/** For API clients, which send their own Idempotency-Key; pages leave it out (the web UI resends with its key itself). */
export const AGAIN =
  'A decision sent with an Idempotency-Key may be sent again with the same key: it is applied at most once.';

const OUTAGES = {
  temporal: {
    code: 'temporal_unavailable',
    message: `Temporal is unreachable, so golive cannot read or change runs right now; try again in a moment. ${AGAIN}`,
  },
  // Temporal answers golive's probe, but this call timed out: a busy server or busy workers.
  temporalBusy: {
    code: 'temporal_busy',
    message: `Temporal did not answer in time (it or golive's workers are busy); try again in a moment. ${AGAIN}`,
  },
  database: {
    code: 'database_unavailable',
    message: "golive's database is unreachable right now; try again in a moment.",
  },
} as const;

function unavailable(what: keyof typeof OUTAGES): HttpError {
  return new HttpError(503, OUTAGES[what].message, {
    code: OUTAGES[what].code,
    headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
  });
}

/** What golive's availability probe last found (src/temporal/availability.ts); absent: unknown. */
export interface TemporalVerdict {
  state: 'unknown' | 'up' | 'down';
}

/**
 * The 503 for an outage error, or undefined for any other error. A call that timed out or was
 * cancelled while the probe finds Temporal up is a busy Temporal, not an unreachable one.
 */
export function outageError(err: unknown, temporal?: TemporalVerdict): HttpError | undefined {
  if (err instanceof HttpError) return undefined;
  if (isTemporalOutage(err))
    return unavailable(temporal?.state === 'up' && !isTemporalUnreachable(err) ? 'temporalBusy' : 'temporal');
  if (isDatabaseOutage(err)) return unavailable('database');
  return undefined;
}

/** Express error middleware: put before the app's error handler. */
export function translateOutages(temporal?: TemporalVerdict): ErrorRequestHandler {
  return (err, _req, _res, next) => {
    next(outageError(err, temporal) ?? err);
  };
}
