import type { RunStateView } from '../contract/definitions';
import type { Draft } from './entryModel';
import type { DecodedEvent } from './history';

/**
 * Facts only the workflow's state knows — waiting steps' lifecycles, escalations, deadline
 * aborts — placed among the history events they happened between. Pure.
 */

type Indexed = readonly { e: DecodedEvent; i: number }[];

/**
 * Several facts can land on the same place among history events (one workflow task can end a
 * step, abort the run, escalate and start the next step's wait). They are told in this order,
 * which is the order they follow from each other. (History entries sit at whole keys, these
 * facts half a step after one, so the rank only ever orders facts from the state.)
 */
const SAME_TASK_ORDER = {
  /** A step's end comes first: it is what the task's message did. */
  stepEnded: 0,
  /** Then an abort (deadline or cancel) the end or the clock led to. */
  runAborted: 1,
  /** Then escalations the task sent. */
  escalation: 2,
  /** Then the wait the next step started. */
  stepStarted: 3,
  /** Last, those told of it (a waiting step asks its people once it waits). */
  notification: 4,
} as const;

/**
 * Where facts from the workflow's state go among history events, looked up by time. A long run
 * has thousands of such facts (a notification per report) among thousands of events: each is
 * placed by a map and a binary search, not by walking every event again (when the events' times
 * are in order, as Temporal writes them; else by the walk, which gives the same answers).
 */
interface Places {
  /** The sort key of a fact that happened at `at` (anchor below). */
  key(at: string): number;
  /** The run the fact happened in: that of the last event at or before it. */
  runOf(at: string): string;
}

function places(events: Indexed): Places {
  const taskStarted = new Map<string, number>();
  let ordered = true;
  events.forEach(({ e }, p) => {
    if (e.type === 'WorkflowTaskStarted') taskStarted.set(e.at, p);
    if (p > 0 && events[p - 1]!.e.at > e.at) ordered = false;
  });
  /** The position of the first event after `at` (events.length if none). */
  const firstAfter = ordered
    ? (at: string) => {
        let lo = 0;
        let hi = events.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (events[mid]!.e.at > at) hi = mid;
          else lo = mid + 1;
        }
        return lo;
      }
    : undefined;
  return {
    key: (at) => anchor(events, at, taskStarted.get(at) ?? -1, firstAfter),
    runOf: (at) => {
      const last = firstAfter ? events[firstAfter(at) - 1] : events.filter(({ e }) => e.at <= at).at(-1);
      return last?.e.runId ?? events[0]?.e.runId ?? '';
    },
  };
}

/**
 * Where a fact from the workflow's state goes among history events: right after the messages
 * of the workflow task it happened in (workflow time is that task's start time), so "step
 * completed" follows the decision that completed it and precedes the next step's start.
 * `started` is the position of the last WorkflowTaskStarted event at `at` (-1: none).
 */
function anchor(events: Indexed, at: string, started: number, firstAfter?: (at: string) => number): number {
  if (started < 0) {
    const after = firstAfter ? events[firstAfter(at)] : events.find(({ e }) => e.at > at);
    return (after?.i ?? events.length) - 0.5;
  }
  let key = events[started]!.i;
  for (let p = started + 1; p < events.length; p++) {
    const { e, i } = events[p]!;
    if (e.type === 'WorkflowTaskScheduled' || e.type === 'WorkflowTaskFailed' || e.type === 'WorkflowTaskTimedOut')
      break;
    if (e.type === 'WorkflowTaskCompleted' || e.type === 'WorkflowExecutionUpdateAccepted') key = i;
  }
  return key + 0.5;
}

type Fact = Pick<Draft, 'kind' | 'summary' | 'details'> & Partial<Pick<Draft, 'stepId' | 'actor' | 'role'>>;
type Place = (at: string, rank: number, fact: Fact) => void;

/** Facts only the workflow's state knows: waiting steps' lifecycles, escalations, deadline aborts. */
export function stateFacts(state: RunStateView, flat: Indexed): Draft[] {
  const out: Draft[] = [];
  const where = places(flat);
  const place: Place = (at, rank, d) =>
    out.push({ at, key: where.key(at), rank, source: 'state', runId: where.runOf(at), eventIds: [], ...d });
  for (const s of state.steps) waitingStepFacts(s, place);
  for (const x of state.escalations) escalationFact(state, x, place);
  for (const n of state.notifications ?? []) notificationFact(n, place);
  const f = state.failure;
  if (f && (f.kind === 'deadline' || f.kind === 'cancelled')) {
    place(f.at, SAME_TASK_ORDER.runAborted, {
      kind: 'run-aborted',
      ...(f.stepId ? { stepId: f.stepId } : {}),
      summary: `run aborted (${f.kind}): ${f.reason}; rolling back`,
      details: { failure: f },
    });
  }
  return out;
}

const STEP_END_KINDS = {
  completed: 'step-completed',
  rejected: 'step-rejected',
  cancelled: 'step-cancelled',
} as const satisfies Partial<Record<RunStateView['steps'][number]['status'], Draft['kind']>>;

/** An approval, evidence or hypercare step: when it started waiting and how it ended. */
function waitingStepFacts(s: RunStateView['steps'][number], place: Place): void {
  if (s.kind === 'action') return; // history tells action steps (activities)
  if (s.startedAt) {
    const waitsFor =
      s.kind === 'hypercare' ? 'watch started' : `waiting for ${s.kind === 'approval' ? 'a decision' : 'evidence'}`;
    place(s.startedAt, SAME_TASK_ORDER.stepStarted, {
      kind: 'step-started',
      stepId: s.id,
      summary: `step "${s.id}" (${s.title}): ${waitsFor}`,
      details: { stepKind: s.kind, ...(s.deadlineAt ? { deadlineAt: s.deadlineAt } : {}) },
    });
  }
  const end = Object.hasOwn(STEP_END_KINDS, s.status)
    ? STEP_END_KINDS[s.status as keyof typeof STEP_END_KINDS]
    : undefined;
  if (s.endedAt && end) {
    place(s.endedAt, SAME_TASK_ORDER.stepEnded, {
      kind: end,
      stepId: s.id,
      summary: `step "${s.id}" (${s.title}) ${s.status}`,
      details: { stepKind: s.kind, status: s.status, ...(s.approvals ? { approvals: s.approvals } : {}) },
    });
  }
}

function escalationFact(state: RunStateView, x: RunStateView['escalations'][number], place: Place): void {
  place(x.at, SAME_TASK_ORDER.escalation, {
    kind: 'escalation',
    ...(state.steps.some((s) => s.id === x.subject) ? { stepId: x.subject } : {}),
    summary: `escalation level ${x.level} on ${x.subject}: notified ${x.notified.join(', ')}${x.delegatedTo ? `; ${x.delegatedTo} may now decide` : ''}`,
    details: {
      subject: x.subject,
      level: x.level,
      notifiedRoles: x.notified,
      ...(x.delegatedTo ? { delegatedTo: x.delegatedTo } : {}),
    },
  });
}

/** A notification the run recorded instead of sending: no channel was configured (the activity would only have logged it). */
function notificationFact(n: NonNullable<RunStateView['notifications']>[number], place: Place): void {
  place(n.at, SAME_TASK_ORDER.notification, {
    kind: 'notification',
    summary: `notified ${n.to.join(', ')}: ${n.subject} — recorded only (no notification channel configured)`,
    details: { to: n.to, subject: n.subject, severity: n.severity, recordedOnly: true },
  });
}
