import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';

/**
 * Failure types are part of the contract with the workflow (retry policy and saga decisions
 * key on them), so they are listed here, not spelled ad hoc in each action.
 */
export type PermanentType =
  | 'InvalidParams'
  | 'MissingSecret'
  | 'ThresholdMissed'
  | 'UnexpectedStatus'
  | 'BodyMismatch'
  | 'AccessMismatch'
  | 'CommandsDisabled'
  | 'CommandFailed'
  | 'RollbackWindowMissed'
  | 'PollTimedOut'
  | 'AlertNotDelivered'
  | 'MonitoringNotConfigured'
  | 'MonitoringConflict'
  | 'MonitoringNotReady'
  | 'DestinationRefused';
export type TransientType = 'ConnectionFailed' | 'Timeout' | 'Unreachable' | 'CommandTimedOut' | 'ServerError';

/** Retrying cannot help: the params, the target's answer or a measured threshold are wrong. */
export function permanent(type: PermanentType, message: string, details?: unknown): never {
  throw ApplicationFailure.nonRetryable(message, type, ...(details === undefined ? [] : [details]));
}

/** The target may recover (refused connection, timeout): let the activity retry policy decide. */
export function transient(type: TransientType, message: string, details?: unknown): never {
  throw ApplicationFailure.retryable(message, type, ...(details === undefined ? [] : [details]));
}

/** Every activity's first line: the input must match its schema, else fail without retrying. */
export function parseParams<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({
    path: i.path.map(String).join('.') || '(root)',
    message: i.message,
  }));
  return permanent('InvalidParams', `invalid params: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, {
    issues,
  });
}

/**
 * A failure a retry may cure (refused, timed out). Callers that fold such failures into
 * evidence use this, so cancellation and permanent failures still propagate.
 */
export function isTransient(error: unknown): error is ApplicationFailure {
  return error instanceof ApplicationFailure && !error.nonRetryable;
}
