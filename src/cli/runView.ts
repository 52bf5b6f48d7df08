import { type RunStateView, type StepStatus, type StepView } from '../contract/definitions';
import {
  ENDED_IN_TEMPORAL_NOTE,
  endedInTemporalWords,
  FINAL_STATUSES,
  isUnsuccessfulStatus,
} from '../contract/runStatus';
import { allowedActions, type Person } from '../contract/policy';
import { factsFromView } from '../contract/runFacts';
import { activityErrorWords, failureWords, undeliveredWords } from '../contract/failureWords';
import { fields, table, type Colour, type LiveItem, type Paint } from './output';

/**
 * A run's state worded for people: the header, the steps table, the live step list of
 * `--follow`, and what to type next when the run waits for someone. Pure: callers print.
 */

const STEP_MARKS: Record<StepStatus, [string, Colour | undefined]> = {
  pending: ['·', 'dim'],
  running: ['▶', 'cyan'],
  waiting: ['⏸', 'yellow'],
  completed: ['✓', 'green'],
  failed: ['✗', 'red'],
  rejected: ['✗', 'red'],
  cancelled: ['–', 'dim'],
  compensating: ['↺', 'yellow'],
  compensated: ['↺', undefined],
  'compensation-failed': ['!', 'red'],
};

/** The run has ended, or cannot go on without people (or hypercare's clock): stop following. */
export function isSettled(state: RunStateView): boolean {
  return FINAL_STATUSES.includes(state.status) || state.waitingRoles.length > 0 || state.status === 'hypercare';
}

/** Ended without going live: `--follow` exits 1 so a pipeline notices. */
export function hasFailed(state: RunStateView): boolean {
  return isUnsuccessfulStatus(state.status);
}

/** A step an ended run never reached says so (as the run page does), not "pending": it will not run. */
function paintStatus(paint: Paint, status: StepStatus, run: RunStateView): string {
  const [mark, colour] = STEP_MARKS[status];
  const text =
    status === 'pending' && FINAL_STATUSES.includes(run.status) ? `${mark} not reached` : `${mark} ${status}`;
  return colour ? paint(colour, text) : text;
}

/** What a step waits for or what happened to it, in one cell. */
export function stepDetail(step: StepView): string {
  if (step.undelivered)
    return `NOT DELIVERED (the run went on): ${undeliveredWords(step.warning ?? '')}; golive resend RUN ${step.id}`;
  if (step.error) return activityErrorWords(step.error);
  const parts: string[] = [];
  for (const a of step.approvals ?? [])
    parts.push(
      `${a.role} ${a.approvedBy.length}/${a.quorum}${a.approvedBy.length ? ` (${a.approvedBy.join(', ')})` : ''}`,
    );
  if (step.status === 'waiting') {
    for (const m of step.mayDecide ?? [])
      parts.push(`waits for ${m.role}: ${m.people.join(', ') || 'nobody assigned'}`);
    if (step.deadlineAt) parts.push(`due ${step.deadlineAt}`);
  }
  if (step.escalationLevel) parts.push(`escalated ×${step.escalationLevel}`);
  return parts.join('; ');
}

/** Who the run waits for, or how it ended when Temporal ended it before golive did. */
function statusNote(state: RunStateView): string {
  const how = endedInTemporalWords(state.status);
  if (how) return ` — ${how}: ${ENDED_IN_TEMPORAL_NOTE}`;
  return state.waitingRoles.length ? ` — waiting for ${state.waitingRoles.join(', ')}` : '';
}

/** A run's header: runbook, system, status (who it waits for, or how it ended) and why it failed. */
export function runHeader(runId: string, state: RunStateView, link: string, paint: Paint): string {
  const status = isUnsuccessfulStatus(state.status)
    ? paint('red', state.status)
    : state.status === 'live'
      ? paint('green', state.status)
      : state.status;
  return fields([
    ['Run', runId],
    [
      'Runbook',
      `${state.runbook.title} (${state.runbook.id} ${state.runbook.version}, sha256 ${state.runbook.sha256.slice(0, 12)}…)`,
    ],
    ['System', `${state.system} (collaboration mode ${state.collaborationMode})`],
    ['Status', `${status}${statusNote(state)}`],
    ['Failure', state.failure ? failureWords({ ...state.failure, by: state.failure.by?.id }) : undefined],
    ['Initiator', state.initiator.id],
    ['Started', state.startedAt],
    ['Ended', state.endedAt],
    ['Web', link],
  ]);
}

export function stepsTable(state: RunStateView, paint: Paint): string {
  return table(
    ['STEP', 'KIND', 'STATUS', 'DETAIL'],
    state.steps.map((s) => [s.id, s.kind, paintStatus(paint, s.status, state), stepDetail(s)]),
  );
}

export function reportsTable(state: RunStateView): string {
  const rows = table(
    ['REPORT', 'SEVERITY', 'STATUS', 'REPORTER', 'DUE', 'DESCRIPTION'],
    state.reports.map((r) => [
      r.id,
      r.severity,
      r.status,
      r.reporter,
      r.responseDueAt,
      r.description.split('\n')[0] ?? '',
    ]),
  );
  const left = state.omitted?.reports ?? 0;
  return left > 0
    ? `${rows}\n${left} older reports not shown (${state.omitted?.openReports ?? 0} open): golive history lists every one`
    : rows;
}

/** The live list `--follow` redraws: one item per step, spinners on running ones. */
export function liveSteps(state: RunStateView, paint: Paint): LiveItem[] {
  const width = Math.max(...state.steps.map((s) => s.id.length));
  return state.steps.map((s) => ({
    key: s.id,
    text: `${s.id.padEnd(width)}  ${paintStatus(paint, s.status, state)}${stepDetail(s) ? `  ${stepDetail(s)}` : ''}`,
    busy: s.status === 'running' || s.status === 'compensating',
  }));
}

/**
 * A rollback's steps in the order the run undid them: first what it cancelled, then each undone
 * step by its first compensation record, then a step whose undo is under way and not yet
 * recorded. The run undoes a few steps in well under a poll of `--follow`, so listing one poll's
 * changes in runbook order would show a reverse-order rollback as a forward one.
 */
export function inUndoOrder(items: readonly LiveItem[], state: RunStateView): LiveItem[] {
  const undone = new Map<string, number>();
  state.compensations.forEach((c, i) => {
    if (!undone.has(c.stepId)) undone.set(c.stepId, i);
  });
  const status = new Map(state.steps.map((s) => [s.id, s.status]));
  const rank = (key: string) =>
    undone.get(key) ?? (status.get(key) === 'compensating' ? state.compensations.length : -1);
  // Array.prototype.sort is stable: steps of equal rank (the cancelled ones) keep runbook order.
  return [...items].sort((a, b) => rank(a.key) - rank(b.key));
}

/** What to type next for each step that waits for people. */
export function nextCommands(runId: string, state: RunStateView): string[] {
  return state.steps
    .filter((s) => s.status === 'waiting')
    .map((s) =>
      s.kind === 'approval'
        ? `${s.id} waits for approval: golive approve ${runId} ${s.id} --comment "…" (or reject)`
        : `${s.id} waits for evidence: golive evidence ${runId} ${s.id} --item ITEM --value V`,
    );
}

/** What the person may do in the run now, as the policy answers it (the same module the run obeys). */
export function mayDoLine(state: RunStateView, me: Person): string {
  const acts = allowedActions(factsFromView(state), me).filter((a) => a.kind !== 'read');
  if (acts.length === 0) return 'You may: read this run (nothing waits for you).';
  const words = acts.map((a) => {
    switch (a.kind) {
      case 'decide':
        return `${a.decision} ${a.stepId}`;
      case 'submit':
        return `submit ${a.stepId}/${a.itemId}`;
      case 'resolve':
        return `resolve ${a.reportId}`;
      case 'resend':
        return `resend ${a.stepId}`;
      case 'report':
        return 'report an AI error';
      case 'stop':
        return 'stop the line';
      default:
        return 'ask for a rollback';
    }
  });
  return `You may: ${words.join(', ')}.`;
}
