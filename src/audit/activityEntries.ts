import { summarizeResult } from './evidenceSummary';
import { type Draft, failureText, firstOf } from './entryModel';
import type { DecodedEvent } from './history';
import { activityRoleOf, type ActivityRole } from '../contract/activitySummary';

/**
 * Activities in history → step, compensation and notification entries. Which of the three an
 * activity is comes from the summary the workflow set on it. Pure.
 */

export function activityRole(e: DecodedEvent): ActivityRole {
  return activityRoleOf(e.summary, (e.attributes.activityType as { name?: string } | undefined)?.name);
}

export interface Activity {
  scheduled: DecodedEvent;
  role: ActivityRole;
  type: string;
  params: unknown;
  attempt: number;
  startedId?: number;
  key: number;
}

export type ActivityOutcome = 'completed' | 'failed' | 'cancelled';

/** Where an entry stands (its event, ids and sort key) and that history told it. */
export function placed(e: DecodedEvent, key: number, ids: number[] = [e.eventId]) {
  return { at: e.at, runId: e.runId, eventIds: ids, key, source: 'history' as const };
}

/** What the run's state tells about steps that history alone cannot. */
export interface StepLookup {
  title(stepId: string): string | undefined;
  /** A step whose action failed for good and yet completed: the runbook let it fail (a notification). */
  wentOn(stepId: string): boolean;
}

/** An activity that ended (completed, failed for good, or cancelled) → its entry. */
export function activityEndEntry(
  act: Activity,
  end: DecodedEvent,
  key: number,
  outcome: ActivityOutcome,
  steps: StepLookup,
): Omit<Draft, 'rank'> {
  const ids = [act.scheduled.eventId, ...(act.startedId !== undefined ? [act.startedId] : []), end.eventId];
  const result = outcome === 'completed' ? firstOf(end.attributes.result) : undefined;
  const error =
    outcome === 'failed' ? failureText(end.attributes.failure) : outcome === 'cancelled' ? 'cancelled' : undefined;
  const evidence = result !== undefined ? summarizeResult(act.type, result) : '';
  const ended: Ended = {
    act,
    ids,
    outcome,
    error,
    evidence,
    common: {
      action: act.type,
      attempts: act.attempt,
      ...(result !== undefined ? { result } : {}),
      ...(error ? { error } : {}),
      ...(evidence ? { evidence } : {}),
    },
  };
  if (act.role.as === 'notification') return notificationEntry(ended);
  if (act.role.as === 'compensation') return { ...placed(end, key, ids), ...compensationEntry(ended, act.role.stepId) };
  return { ...placed(end, key, ids), ...stepEndEntry(ended, act.role.stepId, steps) };
}

interface Ended {
  act: Activity;
  ids: number[];
  outcome: ActivityOutcome;
  error: string | undefined;
  evidence: string;
  common: Record<string, unknown>;
}

/** A notification is told where it was sent (its scheduling), with whether it arrived. */
function notificationEntry({ act, ids, error, evidence, common }: Ended): Omit<Draft, 'rank'> {
  const p = act.params as { to?: string[]; subject?: string; severity?: string } | undefined;
  return {
    ...placed(act.scheduled, act.key, ids),
    kind: 'notification',
    summary: `notified ${p?.to?.join(', ') ?? '?'}: ${p?.subject ?? ''}${error ? ` — NOT DELIVERED (${error})` : evidence ? ` — ${evidence}` : ''}`,
    details: { to: p?.to ?? [], subject: p?.subject, severity: p?.severity, ...common },
  };
}

function compensationEntry({ act, outcome, error, evidence, common }: Ended, stepId: string | undefined) {
  return {
    kind: 'compensation' as const,
    ...(stepId ? { stepId } : {}),
    summary: `compensation of "${stepId}" (${act.type}) ${outcome === 'completed' ? 'completed' : `FAILED: ${error}`}${evidence ? ` — ${evidence}` : ''}`,
    details: { status: outcome === 'completed' ? 'completed' : 'failed', params: act.params, ...common },
  };
}

const STEP_END_KIND = { completed: 'step-completed', failed: 'step-failed', cancelled: 'step-cancelled' } as const;

function stepEndEntry({ act, outcome, error, evidence, common }: Ended, stepId: string | undefined, steps: StepLookup) {
  const title = stepId ? steps.title(stepId) : undefined;
  // A notification the runbook lets fail is told as what it was: not delivered, the run went on.
  const wentOn = outcome === 'failed' && stepId !== undefined && steps.wentOn(stepId);
  const how =
    outcome === 'completed'
      ? 'completed'
      : outcome === 'failed'
        ? `FAILED after ${act.attempt} attempt(s): ${error}`
        : 'was cancelled';
  return {
    kind: STEP_END_KIND[outcome],
    ...(stepId ? { stepId } : {}),
    summary: `step "${stepId ?? act.scheduled.summary ?? act.type}"${title ? ` (${title})` : ''} ${how}${wentOn ? ' — NOT DELIVERED; the runbook lets this step fail: the run went on' : ''}${evidence ? ` — ${evidence}` : ''}`,
    details: { ...common, ...(wentOn ? { notDelivered: true } : {}) },
  };
}

/** An activity still in flight when the history ends (an open run): what has started. */
export function inFlightEntry(act: Activity): Omit<Draft, 'rank'> | undefined {
  if (act.role.as === 'step') return undefined;
  const stepId = act.role.as === 'compensation' ? act.role.stepId : undefined;
  return {
    ...placed(act.scheduled, act.key),
    kind: act.role.as === 'compensation' ? 'compensation' : 'notification',
    ...(stepId ? { stepId } : {}),
    summary: `${act.role.as === 'compensation' ? `compensation of "${stepId}"` : 'notification'} in progress (${act.type})`,
    details: { status: 'running', action: act.type, params: act.params },
  };
}
