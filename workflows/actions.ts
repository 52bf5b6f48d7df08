import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { ActionCall } from '../src/contract/schemas/runbook';
import { actionIndex, isActionName } from '../src/contract/actionIndex';
import type { CatalogActivities } from '../src/contract/schemas/catalog';
import { NOTIFY_SUMMARY } from '../src/contract/activitySummary';
import { NOTIFY_SUBJECT_MAX } from '../src/contract/notifyLimits';

/**
 * Calling catalog actions from the workflow. Each call gets the step's own timeout and retry
 * policy (activities mark failures that retrying cannot fix as non-retryable themselves, so
 * the policy here only bounds attempts); action names were checked against the catalog when the runbook was loaded, and are
 * checked again here so a bad name fails the step instead of the workflow task.
 */

type AnyActivity = (params: unknown) => Promise<unknown>;

function optionsFor(call: ActionCall, long: boolean): ActivityOptions {
  return {
    startToCloseTimeout: call.timeout,
    // Long actions heartbeat; without a heartbeat timeout a dead worker is noticed only at the end.
    ...(call.heartbeatTimeout !== undefined
      ? { heartbeatTimeout: call.heartbeatTimeout }
      : long
        ? { heartbeatTimeout: '30s' }
        : {}),
    retry: {
      maximumAttempts: call.retry.maximumAttempts,
      initialInterval: call.retry.initialInterval,
      backoffCoefficient: call.retry.backoffCoefficient,
      ...(call.retry.maximumInterval !== undefined ? { maximumInterval: call.retry.maximumInterval } : {}),
    },
  };
}

class UnknownActionError extends Error {}

export async function runAction(call: ActionCall, summary: string): Promise<unknown> {
  if (!isActionName(call.action)) throw new UnknownActionError(`unknown action "${call.action}"`);
  const spec = actionIndex[call.action];
  const acts = proxyActivities<CatalogActivities>({
    ...optionsFor(call, 'long' in spec && spec.long === true),
    summary,
  });
  const fn = acts[spec.activity] as AnyActivity;
  return fn(call.params);
}

/** Notifications must never fail a run: short timeout, a few retries, errors swallowed by the caller. */
const notifier = proxyActivities<CatalogActivities>({
  startToCloseTimeout: '30s',
  retry: { maximumAttempts: 3, initialInterval: '1s' },
  summary: NOTIFY_SUMMARY,
});

export async function notify(
  to: string[],
  subject: string,
  text: string,
  severity: 'info' | 'warning' | 'critical',
): Promise<boolean> {
  if (to.length === 0) return false;
  // A subject over the action's limit would be refused as invalid and the notification lost (a
  // rollback's long reason did that); the text still carries everything. Activity input only:
  // replay compares an activity's type and id, not its input.
  const fitted = subject.length > NOTIFY_SUBJECT_MAX ? `${subject.slice(0, NOTIFY_SUBJECT_MAX - 1)}…` : subject;
  try {
    await notifier.notify({ to, subject: fitted, text, severity });
    return true;
  } catch {
    return false;
  }
}
