import { temporal } from '@temporalio/proto';
import type { GoLiveInput, RunStateView } from '../contract/definitions';
import { startPayload } from '../contract/signedMessages';
import { type Activity, activityEndEntry, activityRole, placed, type StepLookup } from './activityEntries';
import { type Attrs, type Draft, failureText, firstOf, str } from './entryModel';
import type { DecodedEvent } from './history';
import { type Matcher, messageEntry, type MessageOutcome } from './messageEntries';

/**
 * History events → audit entries: one handler per event type, looked up by the type. Events
 * that end something (an activity, an Update) find what they end in the open maps. Pure.
 */

interface OpenUpdate {
  accepted: DecodedEvent;
  key: number;
  name: string;
  input: Attrs;
}

/** What the handlers share while reading one chain. */
export interface Reading {
  push(d: Omit<Draft, 'rank'>): void;
  match: Matcher;
  steps: StepLookup;
  /** Activities scheduled and not yet ended, by run and scheduling event id. */
  activities: Map<string, Activity>;
  /** Updates accepted and not yet completed, by run and update id. */
  updates: Map<string, OpenUpdate>;
}

type Handler = (e: DecodedEvent, key: number, r: Reading) => void;

const runStarted: Handler = (e, key, r) => {
  const a = e.attributes;
  if (a.continuedExecutionRunId) return; // told by the previous run's continued-as-new entry
  const input = firstOf(a.input) as GoLiveInput | undefined;
  if (!input) return;
  r.push({
    ...placed(e, key),
    kind: 'run-started',
    actor: input.initiator.id,
    summary: `${input.initiator.id} started go-live of ${input.system} with runbook ${input.runbookRef.id}@${input.runbookRef.version} (sha256 ${input.runbookRef.sha256.slice(0, 12)}…), Collaboration Mode ${input.collaborationMode}`,
    details: {
      system: input.system,
      runbook: { ...input.runbookRef, title: input.runbook.title },
      collaborationMode: input.collaborationMode,
      assignments: input.assignments,
      ...(input.delegations?.length ? { delegations: input.delegations } : {}),
      ...(input.directory ? { directory: input.directory } : {}),
      params: input.params,
      firstRunId: e.runId,
      // The whole input as started (the runbook as it ran included), so the start
      // signature can be checked offline against the keys it pins.
      ...(input.signing ? { signing: input.signing, input: startPayload(input) } : {}),
    },
  });
};

const activityScheduled: Handler = (e, key, r) => {
  const a = e.attributes;
  const act: Activity = {
    scheduled: e,
    role: activityRole(e),
    type: (a.activityType as { name?: string } | undefined)?.name ?? 'unknown',
    params: firstOf(a.input),
    attempt: 1,
    key,
  };
  r.activities.set(`${e.runId}/${e.eventId}`, act);
  if (act.role.as !== 'step') return;
  const stepId = act.role.stepId;
  r.push({
    ...placed(e, key),
    kind: 'step-started',
    ...(stepId ? { stepId } : {}),
    summary: `step "${stepId ?? e.summary ?? act.type}" started: ${act.type}`,
    details: { action: act.type, params: act.params },
  });
};

const activityStarted: Handler = (e, _key, r) => {
  const a = e.attributes;
  const act = r.activities.get(`${e.runId}/${String(a.scheduledEventId)}`);
  if (!act) return;
  act.attempt = typeof a.attempt === 'number' ? a.attempt : act.attempt;
  act.startedId = e.eventId;
};

const activityEnded: Handler = (e, key, r) => {
  const id = `${e.runId}/${String(e.attributes.scheduledEventId)}`;
  const act = r.activities.get(id);
  if (!act) return;
  r.activities.delete(id);
  const outcome =
    e.type === 'ActivityTaskCompleted' ? 'completed' : e.type === 'ActivityTaskCanceled' ? 'cancelled' : 'failed';
  r.push(activityEndEntry(act, e, key, outcome, r.steps));
};

const updateAccepted: Handler = (e, key, r) => {
  const a = e.attributes;
  const req = a.acceptedRequest as
    { meta?: { updateId?: string }; input?: { name?: string; args?: unknown[] } } | undefined;
  const id = `${e.runId}/${req?.meta?.updateId ?? String(a.protocolInstanceId)}`;
  r.updates.set(id, {
    accepted: e,
    key,
    name: req?.input?.name ?? 'unknown',
    input: (req?.input?.args?.[0] ?? {}) as Attrs,
  });
};

/** An Update is told where it was accepted, with how it completed. */
const updateCompleted: Handler = (e, _key, r) => {
  const a = e.attributes;
  const id = `${e.runId}/${(a.meta as { updateId?: string } | undefined)?.updateId ?? ''}`;
  const u = r.updates.get(id);
  if (!u) return;
  r.updates.delete(id);
  const out = a.outcome as { success?: unknown; failure?: unknown } | undefined;
  const outcome: MessageOutcome = out?.failure
    ? { failure: failureText(out.failure), via: 'update' }
    : { success: out?.success, via: 'update' };
  r.push({
    ...placed(u.accepted, u.key, [u.accepted.eventId, e.eventId]),
    ...messageEntry(u.name, u.input, outcome, r.match),
  });
};

const signaled: Handler = (e, key, r) => {
  const a = e.attributes;
  const name = str(a.signalName)?.replace(/Signal$/, '') ?? 'unknown';
  r.push({ ...placed(e, key), ...messageEntry(name, (firstOf(a.input) ?? {}) as Attrs, { via: 'signal' }, r.match) });
};

const continuedAsNew: Handler = (e, key, r) => {
  const next = str(e.attributes.newExecutionRunId);
  r.push({
    ...placed(e, key),
    kind: 'continued-as-new',
    summary: `run continued as new (history kept short during a long watch); next run ${next}`,
    details: { newRunId: next },
  });
};

const runCompleted: Handler = (e, key, r) => {
  const view = firstOf(e.attributes.result) as RunStateView | undefined;
  const failure = view?.failure;
  r.push({
    ...placed(e, key),
    kind: 'run-ended',
    summary: `run ended: ${view?.status ?? 'completed'}${failure ? ` (${failure.kind}${failure.stepId ? ` at "${failure.stepId}"` : ''}${failure.by ? ` by ${failure.by.id}` : ''}: ${failure.reason})` : ''}`,
    details: {
      status: view?.status,
      ...(failure ? { failure } : {}),
      endedAt: view?.endedAt,
      chainLength: view?.chainLength,
    },
  });
};

/** Failed, terminated, cancelled or timed out in Temporal: the run did not end on its own terms. */
const runClosedByTemporal: Handler = (e, key, r) => {
  const a = e.attributes;
  const how = e.type.replace('WorkflowExecution', '').toLowerCase();
  const reason = str(a.reason) ?? (a.failure ? failureText(a.failure) : undefined);
  r.push({
    ...placed(e, key),
    kind: 'run-ended',
    ...(str(a.identity) ? { actor: str(a.identity)! } : {}),
    summary: `run ${how} in Temporal${reason ? `: ${reason}` : ''}`,
    details: { temporalStatus: how, ...(reason ? { reason } : {}) },
  });
};

const RESET_CAUSE = temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW;

/**
 * Someone reset the run in Temporal (`temporal workflow reset`): this run goes on from an earlier
 * point of the run it was reset from, whose history up to here it copied; what that run recorded
 * later is not in this run's history (Temporal keeps it under the base run's id). A reset is
 * never silent in the trail: who, why, from which run and from which event.
 */
const workflowTaskFailed: Handler = (e, key, r) => {
  const a = e.attributes;
  if (a.cause !== RESET_CAUSE) return;
  const reason = a.failure ? failureText(a.failure) : undefined;
  const baseRunId = str(a.baseRunId);
  r.push({
    ...placed(e, key),
    kind: 'run-reset',
    summary: `run reset in Temporal at event ${e.eventId}${baseRunId ? ` of run ${baseRunId}: what that run recorded from that event on is not part of this run` : ''}${reason ? ` (${reason})` : ''}`,
    details: {
      ...(baseRunId ? { baseRunId } : {}),
      ...(str(a.newRunId) ? { newRunId: str(a.newRunId) } : {}),
      resetEventId: e.eventId,
      ...(reason ? { reason } : {}),
    },
  });
};

/** The handler of each history event type the trail tells; other events tell nothing by themselves. */
export const HISTORY_HANDLERS: Readonly<Record<string, Handler>> = {
  WorkflowExecutionStarted: runStarted,
  ActivityTaskScheduled: activityScheduled,
  ActivityTaskStarted: activityStarted,
  ActivityTaskCompleted: activityEnded,
  ActivityTaskFailed: activityEnded,
  ActivityTaskTimedOut: activityEnded,
  ActivityTaskCanceled: activityEnded,
  WorkflowExecutionUpdateAccepted: updateAccepted,
  WorkflowExecutionUpdateCompleted: updateCompleted,
  WorkflowExecutionSignaled: signaled,
  WorkflowExecutionContinuedAsNew: continuedAsNew,
  WorkflowTaskFailed: workflowTaskFailed,
  WorkflowExecutionCompleted: runCompleted,
  WorkflowExecutionFailed: runClosedByTemporal,
  WorkflowExecutionTerminated: runClosedByTemporal,
  WorkflowExecutionCanceled: runClosedByTemporal,
  WorkflowExecutionTimedOut: runClosedByTemporal,
};
