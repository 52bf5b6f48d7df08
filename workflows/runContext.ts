import { upsertSearchAttributes } from '@temporalio/workflow';
import type { EscalationLevel, HypercareStep } from '../src/contract/schemas/runbook';
import { notify } from './actions';
import { nowIso } from './clock';
import type { GoLiveInput, RunFailure } from '../src/contract/definitions';
import type { RunState } from './runState';
import { runStateKey, waitingRolesKey } from '../src/contract/searchAttributes';

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

  constructor(
    readonly input: GoLiveInput,
    readonly state: RunState,
    private readonly onAbort: () => void,
  ) {}

  /** Ends the plan and rolls back; the first failure wins. */
  abort(failure: RunFailure): void {
    if (this.state.fail(failure)) this.onAbort();
  }

  /** Upserts the run's state and waiting roles when they changed (each upsert is a history event). */
  syncSearchAttributes(): void {
    const waiting = this.state.waitingRoles();
    const key = `${this.state.data.status}|${waiting.join(',')}`;
    if (key === this.lastAttributes) return;
    this.lastAttributes = key;
    upsertSearchAttributes([
      { key: runStateKey, value: this.state.data.status },
      { key: waitingRolesKey, value: waiting },
    ]);
  }

  /** Notifies the people holding `roles` in this run; never fails the run. */
  tell(roles: string[], subject: string, text: string, severity: Severity): Promise<boolean> {
    const people = [...new Set(roles.flatMap((r) => this.input.assignments[r] ?? []))];
    return notify(people, `[golive ${this.input.system}] ${subject}`, text, severity);
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
