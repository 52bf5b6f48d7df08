import type { SearchAttributePair } from '@temporalio/common';
import { patched, upsertMemo, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { EscalationLevel, HypercareStep } from '../src/contract/schemas/runbook';
import { notify } from './actions';
import { nowIso } from './clock';
import type { GoLiveInput, RunFailure } from '../src/contract/definitions';
import type { RunState } from './runState';
import {
  FAILURE_MEMO_KEY,
  FAILURE_MEMO_REASON_MAX,
  runStateKey,
  waitingRolesKey,
  type FailureMemo,
} from '../src/contract/searchAttributes';
import { SearchAttributeBatch } from './searchAttributeBatch';
import { DeadlineAlarm } from './deadlineAlarm';

/**
 * Fewer history events (issue 16): search attributes upserted only when a value changed, one
 * upsert per workflow task; notifications the run was started knowing no channel would deliver
 * recorded in state instead of a `notify` activity. Runs recorded before keep their commands.
 */
export const FEWER_EVENTS_PATCH = 'golive-fewer-events';

/**
 * Steps wait for their deadlines and escalations on one run-wide timer (deadlineAlarm.ts): a
 * decision that settles one approval and starts the next writes no timer events. Runs recorded
 * before keep a timer per wait. The newest patch: new runs record it alone (fewerEvents).
 */
export const DEADLINE_ALARM_PATCH = 'golive-deadline-alarm';

/**
 * Whether the run has fewer events. Every patch is a marker and, from the SDK's core, an upsert
 * of TemporalChangeVersion: two events. A run that has the newest patch has every older one, so
 * it records only that one (asked first); runs recorded before it still ask for the older.
 */
function fewerEvents(): boolean {
  return patched(DEADLINE_ALARM_PATCH) || patched(FEWER_EVENTS_PATCH);
}

/** Whether an older patch applies: always in a run that has the newest (see fewerEvents). */
export function patchedSince(older: string): boolean {
  return fewerEvents() || patched(older);
}

/**
 * Why the run failed, in its memo as the rollback starts: `golive list` and `GET /api/runs` say
 * why a run ended (stopped, rejected, failed…) from visibility, without a query per run. One
 * more command (and the patch's two events) in runs that fail only; runs recorded before, none.
 */
export const FAILURE_MEMO_PATCH = 'golive-failure-memo';

export function showFailure(failure: RunFailure): void {
  if (!patched(FAILURE_MEMO_PATCH)) return;
  const cut = failure.reason.length > FAILURE_MEMO_REASON_MAX;
  const memo: FailureMemo = {
    kind: failure.kind,
    ...(failure.stepId ? { stepId: failure.stepId } : {}),
    ...(failure.by ? { by: failure.by.id } : {}),
    reason: cut ? `${failure.reason.slice(0, FAILURE_MEMO_REASON_MAX - 1)}…` : failure.reason,
  };
  upsertMemo({ [FAILURE_MEMO_KEY]: memo });
}

/**
 * Whether a notification to `people` is recorded instead of sent: the run (or review) was started
 * knowing no channel is configured (`notifyChannels: []`), so the activity would only log it.
 */
export function recordsInsteadOfSending(people: readonly string[], channels: readonly string[] | undefined): boolean {
  return people.length > 0 && channels?.length === 0 && fewerEvents();
}

/**
 * What every part of a running go-live shares: its state, how to end the plan (abort), how to
 * tell people, and how to keep the run findable. Built once per workflow execution.
 */

/** Thrown inside the plan to end it; the reason is already recorded in state.failure. */
export class RunAborted extends Error {}

/** Returned by the plan when hypercare reaches a checkpoint: continue as new with the state. */
export const CHECKPOINT: unique symbol = Symbol('checkpoint');
export type Outcome = typeof CHECKPOINT | void;

export type Severity = 'info' | 'warning' | 'critical';

export class RunContext {
  /** The hypercare step while it runs: Red Button reports are accepted only then. */
  hypercare: HypercareStep | undefined;
  private lastAttributes = '';
  private batch: SearchAttributeBatch | undefined;
  private alarm: DeadlineAlarm | undefined;

  constructor(
    readonly input: GoLiveInput,
    readonly state: RunState,
    private readonly onAbort: () => void,
  ) {}

  /** The run's one timer for step deadlines and escalations; undefined in runs recorded before it (patched). */
  deadlineAlarm(): DeadlineAlarm | undefined {
    if (!patched(DEADLINE_ALARM_PATCH)) return undefined;
    return (this.alarm ??= new DeadlineAlarm());
  }

  /** Ends the plan and rolls back; the first failure wins. */
  abort(failure: RunFailure): void {
    if (this.state.fail(failure)) this.onAbort();
  }

  /** Upserts the run's state and waiting roles when they changed (each upsert is a history event). */
  syncSearchAttributes(): void {
    const waiting = this.state.waitingRoles();
    this.showAttributes([
      { key: runStateKey, value: this.state.data.status },
      { key: waitingRolesKey, value: waiting },
    ]);
  }

  /**
   * Sets search attributes. Patched: only those whose value differs from what the run shows,
   * batched into one upsert per workflow task (searchAttributeBatch.ts); before, the state and
   * waiting roles were upserted together whenever either changed, other attributes always.
   */
  showAttributes(pairs: SearchAttributePair[]): void {
    if (fewerEvents()) {
      this.batch ??= new SearchAttributeBatch(workflowInfo().typedSearchAttributes);
      this.batch.set(pairs);
      return;
    }
    const status = pairs.find((p) => p.key.name === runStateKey.name);
    if (!status) return upsertSearchAttributes(pairs);
    const waiting = pairs.find((p) => p.key.name === waitingRolesKey.name)?.value as string[];
    const key = `${String(status.value)}|${waiting.join(',')}`;
    if (key === this.lastAttributes) return;
    this.lastAttributes = key;
    upsertSearchAttributes(pairs);
  }

  /** Upserts what is still pending now: before the run returns or continues as new. */
  flushSearchAttributes(): void {
    this.batch?.flush();
  }

  /** Notifies the people holding `roles` in this run; never fails the run. */
  tell(roles: string[], subject: string, text: string, severity: Severity): Promise<boolean> {
    const people = [...new Set(roles.flatMap((r) => this.input.assignments[r] ?? []))];
    return this.send(people, `[golive ${this.input.system}] ${subject}`, text, severity);
  }

  /**
   * Sends to people through the notify activity; never fails the run. A run started knowing no
   * channel is configured (`notifyChannels: []`) records the notification in its state instead:
   * the activity would only have logged it (patched).
   */
  send(people: string[], subject: string, text: string, severity: Severity): Promise<boolean> {
    if (recordsInsteadOfSending(people, this.input.notifyChannels)) {
      this.state.recordNotification({ at: nowIso(), to: people, subject, severity });
      return Promise.resolve(true);
    }
    return notify(people, subject, text, severity);
  }

  /** Records an escalation level (a step's or a report's) and notifies its roles. */
  async escalate(subject: string, level: number, e: EscalationLevel, why: string): Promise<void> {
    const roles = [...new Set(e.delegateTo ? [...e.notify, e.delegateTo] : e.notify)];
    this.state.recordEscalation({
      subject,
      level,
      at: nowIso(),
      notified: roles,
      ...(e.delegateTo ? { delegatedTo: e.delegateTo } : {}),
    });
    await this.tell(roles, `escalation level ${level}: ${subject}`, why, 'warning');
  }
}

export function failureMessage(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message}: ${cause.message}` : err.message;
  }
  return String(err);
}
