import type {
  DecisionRecord,
  EvidenceRecord,
  GoLiveInput,
  ReportView,
  RunStateView,
  StepView,
} from '../../workflows/definitions';
import { startPayload } from '../../workflows/signedMessages';
import { acknowledgementEntry } from './acknowledgementEntry';
import { summarizeResult } from './evidenceSummary';
import type { DecodedEvent, RunHistory } from './history';

/**
 * History events → one human-readable entry per fact, in the order the facts happened. Pure.
 *
 * History is the primary source (it is what Temporal guarantees); the run's own state
 * (`RunStateView`, the workflow's record) fills in what history cannot show — when an approval
 * or evidence step started waiting and ended, escalations, the role a decision counted for and
 * the evidence hash it covered. Each entry says which source it came from.
 */

/** Every kind of entry, as data: the API and the UI filter by these. */
export const AUDIT_KINDS = [
  'run-started',
  'step-started',
  'step-completed',
  'step-failed',
  'step-rejected',
  'step-cancelled',
  'decision',
  'evidence-submitted',
  'escalation',
  'notification',
  'report',
  'report-resolved',
  'report-acknowledged',
  'oversight-review',
  'stop',
  'rollback-requested',
  'notification-resent',
  'message-refused',
  'run-aborted',
  'compensation',
  'continued-as-new',
  'run-ended',
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

export interface AuditEntry {
  seq: number;
  at: string;
  kind: AuditKind;
  /** The person who did it (a user id), "anonymous", or absent for the system. */
  actor?: string;
  role?: string;
  stepId?: string;
  summary: string;
  details: Record<string, unknown>;
  /** history: Temporal events; state: the workflow's own record. */
  source: 'history' | 'state';
  /** The run of the continue-as-new chain, and its event ids, this entry was read from. */
  runId: string;
  eventIds: number[];
}

/**
 * Who a fact without a person is shown as: the engine itself. Entries keep `actor` absent for
 * those (the record says no person acted; filters by person never match it); views — CLI table,
 * web page, dossier — print this one name instead of a blank.
 */
export const SYSTEM_ACTOR = 'golive';

export function actorLabel(actor: string | undefined): string {
  return actor || SYSTEM_ACTOR;
}

export interface TrailFilter {
  kind?: AuditKind | AuditKind[];
  /** Matches the actor, and people a notification went to. */
  person?: string;
  stepId?: string;
}

export function filterEntries<E extends AuditEntry>(entries: readonly E[], f: TrailFilter): E[] {
  const kinds = f.kind === undefined ? undefined : Array.isArray(f.kind) ? f.kind : [f.kind];
  return entries.filter(
    (e) =>
      (!kinds || kinds.includes(e.kind)) &&
      (f.stepId === undefined || e.stepId === f.stepId) &&
      (f.person === undefined ||
        e.actor === f.person ||
        (Array.isArray(e.details.to) && e.details.to.includes(f.person))),
  );
}

/** The go-live input the chain's first run was started with. */
export function startInput(chain: readonly RunHistory[]): GoLiveInput | undefined {
  const first = chain[0]?.events[0];
  return first?.type === 'WorkflowExecutionStarted'
    ? (firstOf(first.attributes.input) as GoLiveInput | undefined)
    : undefined;
}

/** The final state, when the last run of the chain completed. */
export function finalState(chain: readonly RunHistory[]): RunStateView | undefined {
  const last = chain.at(-1)?.events.at(-1);
  return last?.type === 'WorkflowExecutionCompleted'
    ? (firstOf(last.attributes.result) as RunStateView | undefined)
    : undefined;
}

type Draft = Omit<AuditEntry, 'seq'> & { key: number; rank: number };
type Attrs = Record<string, unknown>;

const firstOf = (v: unknown): unknown => (Array.isArray(v) ? v[0] : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const quoteIf = (text: string | undefined) => (text ? `: "${text}"` : '');

/** Activity summaries the workflow sets (workflows/actions.ts `runAction(call, summary)`). */
const STEP_SUMMARY = /^([a-z0-9][a-z0-9-]*): /;
const UNDO_SUMMARY = /^undo ([a-z0-9][a-z0-9-]*): /;
const NOTIFY_SUMMARY = 'notify';

type ActivityRole = { as: 'step' | 'compensation'; stepId?: string } | { as: 'notification' };

function activityRole(e: DecodedEvent): ActivityRole {
  const summary = e.summary ?? '';
  const type = (e.attributes.activityType as { name?: string } | undefined)?.name;
  const undo = UNDO_SUMMARY.exec(summary);
  if (undo) return { as: 'compensation', stepId: undo[1]! };
  if (summary === NOTIFY_SUMMARY || (summary === '' && type === 'notify')) return { as: 'notification' };
  const step = STEP_SUMMARY.exec(summary);
  return step ? { as: 'step', stepId: step[1]! } : { as: 'step' };
}

interface Activity {
  scheduled: DecodedEvent;
  role: ActivityRole;
  type: string;
  params: unknown;
  attempt: number;
  startedId?: number;
  key: number;
}

interface Matcher {
  decision(stepId: string, decision: 'approve' | 'reject', actorId: string): DecisionRecord | undefined;
  evidence(stepId: string, itemId: string, actorId: string): EvidenceRecord | undefined;
  /** The next Signal's outcome as the run recorded it: refused (with why) or accepted. */
  signal(name: string, actorId: string | undefined): { refused?: string } | undefined;
}

/** Pairs history messages with the workflow's records, each record used once, in order. */
function matcher(state: RunStateView | undefined): Matcher {
  const used = new Set<object>();
  const take = <T extends object>(list: readonly T[] | undefined, ok: (r: T) => boolean): T | undefined => {
    const found = list?.find((r) => !used.has(r) && ok(r));
    if (found) used.add(found);
    return found;
  };
  let signalIndex = 0;
  return {
    decision: (stepId, decision, actorId) =>
      take(state?.decisions, (d) => d.stepId === stepId && d.decision === decision && d.actor.id === actorId),
    evidence: (stepId, itemId, actorId) =>
      take(state?.evidence, (e) => e.stepId === stepId && e.itemId === itemId && e.submittedBy.id === actorId),
    signal: (name, actorId) => {
      // Runs keep every Signal's outcome in arrival order: the n-th Signal event is the n-th record.
      const record = state?.signals?.[signalIndex++];
      const refusal = (why?: boolean) =>
        take(state?.refusedSignals, (r) => r.signal === name && (why || r.actorId === actorId));
      if (record) return record.outcome === 'refused' ? { refused: refusal(true)?.reason ?? 'refused by the run' } : {};
      // Runs recorded before that log: a refusal the run kept for this Signal and this person.
      const refused = state ? refusal() : undefined;
      return refused ? { refused: refused.reason } : state ? {} : undefined;
    },
  };
}

interface MessageOutcome {
  /** The Update's result, or undefined for a Signal / an Update still running. */
  success?: unknown;
  failure?: string;
  via: 'update' | 'signal';
}

/** Signals the run has handlers for (and so records): others are buffered by Temporal unread. */
const SIGNAL_MESSAGES = [
  'approveStep',
  'rejectStep',
  'submitEvidence',
  'reportError',
  'resolveReport',
  'acknowledgeReport',
  'stopLine',
  'requestRollback',
];

/**
 * The signed message as sent (payload without its signature, and the signature), so an auditor
 * can check it offline against the key the run pinned: `golive verify` does.
 */
export function signedPart(name: string, input: Attrs): Record<string, unknown> {
  const { signature, ...payload } = input;
  return signature ? { signed: { message: name, payload, signature } } : {};
}

/** One human message (Update or Signal) → its entry, cross-checked with the workflow's record. */
function messageEntry(
  name: string,
  input: Attrs,
  outcome: MessageOutcome,
  match: Matcher,
): Pick<Draft, 'kind' | 'actor' | 'role' | 'stepId' | 'summary' | 'details'> {
  const actor = str((input.actor as { id?: unknown } | undefined)?.id);
  const stepId = str(input.stepId);
  const refused = (what: string, reason = outcome.failure) => ({
    kind: 'message-refused' as const,
    ...(actor ? { actor } : {}),
    ...(stepId ? { stepId } : {}),
    summary: `${actor ?? 'someone'}'s ${what} was refused by the workflow${reason ? `: ${reason}` : ' (not recorded by the run)'}`,
    details: { message: name, input, via: outcome.via, ...(reason ? { reason } : {}), ...signedPart(name, input) },
  });
  // A Signal cannot answer: what became of it is in the run's own record.
  const signal = outcome.via === 'signal' && SIGNAL_MESSAGES.includes(name) ? match.signal(name, actor) : undefined;
  if (signal?.refused !== undefined) return refused(`${name} signal`, signal.refused);
  if (outcome.failure) return refused(name);
  switch (name) {
    case 'approveStep':
    case 'rejectStep': {
      const decision = name === 'approveStep' ? 'approve' : 'reject';
      const record = match.decision(stepId ?? '', decision, actor ?? '');
      if (!record && outcome.via === 'signal') return refused(`${decision} signal`);
      const comment = record?.comment ?? str(input.comment);
      const role = record?.role ?? str(input.role);
      return {
        kind: 'decision',
        ...(actor ? { actor } : {}),
        ...(role ? { role } : {}),
        ...(stepId ? { stepId } : {}),
        summary: `${actor} ${role ? `(${role}${roleSourceText(record)}${record?.onBehalfOf ? ` for ${record.onBehalfOf}` : ''}) ` : ''}${decision === 'approve' ? 'approved' : 'REJECTED'} "${stepId}"${record?.passkey ? ' with their passkey' : ''}${quoteIf(comment)}`,
        details: {
          decision,
          ...(comment ? { comment } : {}),
          ...(record
            ? {
                decisionSeq: record.seq,
                decidedAt: record.at,
                evidenceHash: record.evidenceHash,
                ...(record.onBehalfOf ? { onBehalfOf: record.onBehalfOf } : {}),
              }
            : {}),
          ...(stepOutcome(outcome.success) ? { stepStatusAfter: stepOutcome(outcome.success) } : {}),
          ...(record?.roleSource ? { roleSource: record.roleSource } : {}),
          ...(record?.delegationReason ? { delegationReason: record.delegationReason } : {}),
          ...(record?.passkey ? { passkeyCredential: record.passkey.credentialId } : {}),
          via: outcome.via,
          ...signedPart(name, input),
        },
      };
    }
    case 'submitEvidence': {
      const itemId = str(input.itemId) ?? '';
      const record = match.evidence(stepId ?? '', itemId, actor ?? '');
      if (!record && outcome.via === 'signal') return refused('evidence signal');
      // A document is named by its own SHA-256 (the file's, as the run page and the dossier show
      // it); the record's hash, which decisions cover, is kept apart as recordSha256.
      const document = documentOf(input.value);
      return {
        kind: 'evidence-submitted',
        ...(actor ? { actor } : {}),
        ...(record ? { role: record.role } : {}),
        ...(stepId ? { stepId } : {}),
        summary: `${actor} submitted evidence "${itemId}" for "${stepId}"${document ? `: ${document.name} (sha256 ${document.sha256})` : ''}`,
        details: {
          itemId,
          value: input.value,
          ...(input.note ? { note: input.note } : {}),
          ...(document ? { document: document.name, sha256: document.sha256 } : {}),
          ...(record ? { recordSha256: record.sha256, evidenceSeq: record.seq } : {}),
          via: outcome.via,
          ...signedPart(name, input),
        },
      };
    }
    case 'reportError': {
      const report = firstOf(outcome.success) as ReportView | undefined;
      const who = input.anonymous || !actor ? 'anonymous' : actor;
      return {
        kind: 'report',
        actor: who,
        summary: `Red Button report${report ? ` ${report.id}` : ''} (${String(input.severity)}) by ${who}: ${String(input.description)}`,
        details: {
          severity: input.severity,
          description: input.description,
          ...(report ? { reportId: report.id, responseDueAt: report.responseDueAt } : {}),
          via: outcome.via,
          ...signedPart(name, input),
        },
      };
    }
    case 'resolveReport': {
      const thanks = (firstOf(outcome.success) as ReportView | undefined)?.thanks; // recognition.ts
      return {
        kind: 'report-resolved',
        ...(actor ? { actor } : {}),
        summary: `${actor} resolved report ${String(input.reportId)}: ${String(input.resolution)}${thanks ? ' (the reporter thanked)' : ''}`,
        details: {
          reportId: input.reportId,
          resolution: input.resolution,
          ...(thanks ? { thanks: { at: thanks.at, text: thanks.text } } : {}),
          via: outcome.via,
          ...signedPart(name, input),
        },
      };
    }
    case 'acknowledgeReport':
      return acknowledgementEntry(input, outcome.via, signedPart(name, input));
    case 'resendNotification': {
      const after = firstOf(outcome.success) as Partial<StepView> | undefined;
      const result =
        after === undefined
          ? 'in progress'
          : after.undelivered
            ? `NOT DELIVERED again: ${after.warning ?? ''}`
            : 'delivered';
      return {
        kind: 'notification-resent',
        ...(actor ? { actor } : {}),
        ...(stepId ? { stepId } : {}),
        summary: `${actor} resent "${stepId}": ${result}`,
        details: { delivered: after !== undefined && !after.undelivered, via: outcome.via, ...signedPart(name, input) },
      };
    }
    case 'stopLine':
    case 'requestRollback':
      return {
        kind: name === 'stopLine' ? 'stop' : 'rollback-requested',
        ...(actor ? { actor } : {}),
        summary: `${actor} ${name === 'stopLine' ? 'STOPPED THE LINE' : 'requested a rollback'}: ${String(input.reason)}`,
        details: { reason: input.reason, via: outcome.via, ...signedPart(name, input) },
      };
    default:
      return {
        kind: 'message-refused',
        ...(actor ? { actor } : {}),
        summary: `unknown message "${name}"`,
        details: { message: name, input, via: outcome.via },
      };
  }
}

/** How the person came to hold the role they decided in, as the run recorded it. */
function roleSourceText(record: DecisionRecord | undefined): string {
  if (record?.roleSource === 'directory') return ', per directory';
  if (record?.roleSource === 'delegation')
    return `, DELEGATED substitute: ${record.delegationReason ?? 'no reason given'}`;
  return '';
}

function stepOutcome(success: unknown): string | undefined {
  const view = firstOf(success) as Partial<StepView> | undefined;
  return typeof view?.status === 'string' ? view.status : undefined;
}

function failureText(failure: unknown): string {
  const f = failure as { message?: string; cause?: unknown } | undefined;
  if (!f) return 'unknown failure';
  const cause = (f.cause as { message?: string } | undefined)?.message;
  return cause && cause !== f.message ? `${f.message}: ${cause}` : (f.message ?? 'unknown failure');
}

/**
 * Where a fact from the workflow's state goes among history events: right after the messages
 * of the workflow task it happened in (workflow time is that task's start time), so "step
 * completed" follows the decision that completed it and precedes the next step's start.
 */
function anchor(events: readonly { e: DecodedEvent; i: number }[], at: string): number {
  let started = -1;
  for (const { e, i } of events) if (e.type === 'WorkflowTaskStarted' && e.at === at) started = i;
  if (started < 0) {
    const after = events.find(({ e }) => e.at > at);
    return (after?.i ?? events.length) - 0.5;
  }
  let key = started;
  for (const { e, i } of events.slice(started + 1)) {
    if (e.type === 'WorkflowTaskScheduled' || e.type === 'WorkflowTaskFailed' || e.type === 'WorkflowTaskTimedOut')
      break;
    if (e.type === 'WorkflowTaskCompleted' || e.type === 'WorkflowExecutionUpdateAccepted') key = i;
  }
  return key + 0.5;
}

export function auditEntries(
  chain: readonly RunHistory[],
  state: RunStateView | undefined = finalState(chain),
): AuditEntry[] {
  const drafts: Draft[] = [];
  const flat = chain.flatMap((r) => r.events).map((e, i) => ({ e, i }));
  const match = matcher(state);
  const activities = new Map<string, Activity>();
  const updates = new Map<string, { accepted: DecodedEvent; key: number; name: string; input: Attrs }>();
  const stepTitles = new Map((state?.steps ?? []).map((s) => [s.id, s.title]));
  // A step whose action failed for good and yet completed: the runbook let it fail (a notification).
  const stepWentOn = (id: string) => state?.steps.some((s) => s.id === id && s.status === 'completed') ?? false;
  const push = (d: Omit<Draft, 'rank'> & { rank?: number }) => drafts.push({ rank: 0, ...d });
  const base = (e: DecodedEvent, key: number, ids: number[] = [e.eventId]) => ({
    at: e.at,
    runId: e.runId,
    eventIds: ids,
    key,
    source: 'history' as const,
  });

  const activityEnd = (
    act: Activity,
    end: DecodedEvent,
    key: number,
    outcome: 'completed' | 'failed' | 'cancelled',
  ) => {
    const ids = [act.scheduled.eventId, ...(act.startedId !== undefined ? [act.startedId] : []), end.eventId];
    const result = outcome === 'completed' ? firstOf(end.attributes.result) : undefined;
    const error =
      outcome === 'failed' ? failureText(end.attributes.failure) : outcome === 'cancelled' ? 'cancelled' : undefined;
    const evidence = result !== undefined ? summarizeResult(act.type, result) : '';
    const common = {
      action: act.type,
      attempts: act.attempt,
      ...(result !== undefined ? { result } : {}),
      ...(error ? { error } : {}),
      ...(evidence ? { evidence } : {}),
    };
    const stepId = act.role.as !== 'notification' ? act.role.stepId : undefined;
    if (act.role.as === 'notification') {
      const p = act.params as { to?: string[]; subject?: string; severity?: string } | undefined;
      push({
        ...base(act.scheduled, act.key, ids),
        kind: 'notification',
        summary: `notified ${p?.to?.join(', ') ?? '?'}: ${p?.subject ?? ''}${error ? ` — NOT DELIVERED (${error})` : evidence ? ` — ${evidence}` : ''}`,
        details: { to: p?.to ?? [], subject: p?.subject, severity: p?.severity, ...common },
      });
    } else if (act.role.as === 'compensation') {
      push({
        ...base(end, key, ids),
        kind: 'compensation',
        ...(stepId ? { stepId } : {}),
        summary: `compensation of "${stepId}" (${act.type}) ${outcome === 'completed' ? 'completed' : `FAILED: ${error}`}${evidence ? ` — ${evidence}` : ''}`,
        details: { status: outcome === 'completed' ? 'completed' : 'failed', params: act.params, ...common },
      });
    } else {
      const title = stepId ? stepTitles.get(stepId) : undefined;
      // A notification the runbook lets fail is told as what it was: not delivered, the run went on.
      const wentOn = outcome === 'failed' && stepId !== undefined && stepWentOn(stepId);
      push({
        ...base(end, key, ids),
        kind: outcome === 'completed' ? 'step-completed' : outcome === 'failed' ? 'step-failed' : 'step-cancelled',
        ...(stepId ? { stepId } : {}),
        summary: `step "${stepId ?? act.scheduled.summary ?? act.type}"${title ? ` (${title})` : ''} ${outcome === 'completed' ? 'completed' : outcome === 'failed' ? `FAILED after ${act.attempt} attempt(s): ${error}` : 'was cancelled'}${wentOn ? ' — NOT DELIVERED; the runbook lets this step fail: the run went on' : ''}${evidence ? ` — ${evidence}` : ''}`,
        details: { ...common, ...(wentOn ? { notDelivered: true } : {}) },
      });
    }
  };

  for (const { e, i } of flat) {
    const a = e.attributes;
    switch (e.type) {
      case 'WorkflowExecutionStarted': {
        if (a.continuedExecutionRunId) break; // told by the previous run's continued-as-new entry
        const input = firstOf(a.input) as GoLiveInput | undefined;
        if (!input) break;
        push({
          ...base(e, i),
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
        break;
      }
      case 'ActivityTaskScheduled': {
        const act: Activity = {
          scheduled: e,
          role: activityRole(e),
          type: (a.activityType as { name?: string } | undefined)?.name ?? 'unknown',
          params: firstOf(a.input),
          attempt: 1,
          key: i,
        };
        activities.set(`${e.runId}/${e.eventId}`, act);
        if (act.role.as === 'step') {
          const stepId = act.role.stepId;
          push({
            ...base(e, i),
            kind: 'step-started',
            ...(stepId ? { stepId } : {}),
            summary: `step "${stepId ?? e.summary ?? act.type}" started: ${act.type}`,
            details: { action: act.type, params: act.params },
          });
        }
        break;
      }
      case 'ActivityTaskStarted': {
        const act = activities.get(`${e.runId}/${String(a.scheduledEventId)}`);
        if (act) {
          act.attempt = typeof a.attempt === 'number' ? a.attempt : act.attempt;
          act.startedId = e.eventId;
        }
        break;
      }
      case 'ActivityTaskCompleted':
      case 'ActivityTaskFailed':
      case 'ActivityTaskTimedOut':
      case 'ActivityTaskCanceled': {
        const act = activities.get(`${e.runId}/${String(a.scheduledEventId)}`);
        if (!act) break;
        activities.delete(`${e.runId}/${String(a.scheduledEventId)}`);
        activityEnd(
          act,
          e,
          i,
          e.type === 'ActivityTaskCompleted' ? 'completed' : e.type === 'ActivityTaskCanceled' ? 'cancelled' : 'failed',
        );
        break;
      }
      case 'WorkflowExecutionUpdateAccepted': {
        const req = a.acceptedRequest as
          { meta?: { updateId?: string }; input?: { name?: string; args?: unknown[] } } | undefined;
        const id = `${e.runId}/${req?.meta?.updateId ?? String(a.protocolInstanceId)}`;
        updates.set(id, {
          accepted: e,
          key: i,
          name: req?.input?.name ?? 'unknown',
          input: (req?.input?.args?.[0] ?? {}) as Attrs,
        });
        break;
      }
      case 'WorkflowExecutionUpdateCompleted': {
        const id = `${e.runId}/${(a.meta as { updateId?: string } | undefined)?.updateId ?? ''}`;
        const u = updates.get(id);
        if (!u) break;
        updates.delete(id);
        const out = a.outcome as { success?: unknown; failure?: unknown } | undefined;
        const outcome: MessageOutcome = out?.failure
          ? { failure: failureText(out.failure), via: 'update' }
          : { success: out?.success, via: 'update' };
        push({
          ...base(u.accepted, u.key, [u.accepted.eventId, e.eventId]),
          ...messageEntry(u.name, u.input, outcome, match),
        });
        break;
      }
      case 'WorkflowExecutionSignaled': {
        const name = str(a.signalName)?.replace(/Signal$/, '') ?? 'unknown';
        push({ ...base(e, i), ...messageEntry(name, (firstOf(a.input) ?? {}) as Attrs, { via: 'signal' }, match) });
        break;
      }
      case 'WorkflowExecutionContinuedAsNew': {
        const next = str(a.newExecutionRunId);
        push({
          ...base(e, i),
          kind: 'continued-as-new',
          summary: `run continued as new (history kept short during a long watch); next run ${next}`,
          details: { newRunId: next },
        });
        break;
      }
      case 'WorkflowExecutionCompleted': {
        const view = firstOf(a.result) as RunStateView | undefined;
        const failure = view?.failure;
        push({
          ...base(e, i),
          kind: 'run-ended',
          summary: `run ended: ${view?.status ?? 'completed'}${failure ? ` (${failure.kind}${failure.stepId ? ` at "${failure.stepId}"` : ''}${failure.by ? ` by ${failure.by.id}` : ''}: ${failure.reason})` : ''}`,
          details: {
            status: view?.status,
            ...(failure ? { failure } : {}),
            endedAt: view?.endedAt,
            chainLength: view?.chainLength,
          },
        });
        break;
      }
      case 'WorkflowExecutionFailed':
      case 'WorkflowExecutionTerminated':
      case 'WorkflowExecutionCanceled':
      case 'WorkflowExecutionTimedOut': {
        const how = e.type.replace('WorkflowExecution', '').toLowerCase();
        const reason = str(a.reason) ?? (a.failure ? failureText(a.failure) : undefined);
        push({
          ...base(e, i),
          kind: 'run-ended',
          ...(str(a.identity) ? { actor: str(a.identity)! } : {}),
          summary: `run ${how} in Temporal${reason ? `: ${reason}` : ''}`,
          details: { temporalStatus: how, ...(reason ? { reason } : {}) },
        });
        break;
      }
    }
  }

  // Still in flight (an open run): show what has started.
  for (const act of activities.values()) {
    if (act.role.as === 'step') continue;
    const stepId = act.role.as === 'compensation' ? act.role.stepId : undefined;
    push({
      ...base(act.scheduled, act.key),
      kind: act.role.as === 'compensation' ? 'compensation' : 'notification',
      ...(stepId ? { stepId } : {}),
      summary: `${act.role.as === 'compensation' ? `compensation of "${stepId}"` : 'notification'} in progress (${act.type})`,
      details: { status: 'running', action: act.type, params: act.params },
    });
  }
  for (const u of updates.values())
    push({ ...base(u.accepted, u.key), ...messageEntry(u.name, u.input, { via: 'update' }, match) });

  if (state) drafts.push(...stateFacts(state, flat));

  drafts.sort((x, y) => x.key - y.key || x.rank - y.rank);
  return drafts.map(({ key: _k, rank: _r, ...d }, i) => ({ seq: i + 1, ...d }));
}

/** Facts only the workflow's state knows: waiting steps' lifecycles, escalations, deadline aborts. */
function stateFacts(state: RunStateView, flat: readonly { e: DecodedEvent; i: number }[]): Draft[] {
  const out: Draft[] = [];
  const runOf = (at: string) => flat.filter(({ e }) => e.at <= at).at(-1)?.e.runId ?? flat[0]?.e.runId ?? '';
  const fact = (
    at: string,
    rank: number,
    d: Pick<Draft, 'kind' | 'summary' | 'details'> & Partial<Pick<Draft, 'stepId' | 'actor' | 'role'>>,
  ) => out.push({ at, key: anchor(flat, at), rank, source: 'state', runId: runOf(at), eventIds: [], ...d });
  for (const s of state.steps) {
    if (s.kind === 'action') continue; // history tells action steps (activities)
    if (s.startedAt) {
      const waitsFor =
        s.kind === 'hypercare' ? 'watch started' : `waiting for ${s.kind === 'approval' ? 'a decision' : 'evidence'}`;
      fact(s.startedAt, 3, {
        kind: 'step-started',
        stepId: s.id,
        summary: `step "${s.id}" (${s.title}): ${waitsFor}`,
        details: { stepKind: s.kind, ...(s.deadlineAt ? { deadlineAt: s.deadlineAt } : {}) },
      });
    }
    const end =
      s.status === 'completed'
        ? 'step-completed'
        : s.status === 'rejected'
          ? 'step-rejected'
          : s.status === 'cancelled'
            ? 'step-cancelled'
            : undefined;
    if (s.endedAt && end) {
      fact(s.endedAt, 0, {
        kind: end,
        stepId: s.id,
        summary: `step "${s.id}" (${s.title}) ${s.status}`,
        details: { stepKind: s.kind, status: s.status, ...(s.approvals ? { approvals: s.approvals } : {}) },
      });
    }
  }
  for (const x of state.escalations) {
    fact(x.at, 2, {
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
  const f = state.failure;
  if (f && (f.kind === 'deadline' || f.kind === 'cancelled')) {
    fact(f.at, 1, {
      kind: 'run-aborted',
      ...(f.stepId ? { stepId: f.stepId } : {}),
      summary: `run aborted (${f.kind}): ${f.reason}; rolling back`,
      details: { failure: f },
    });
  }
  return out;
}

/** A document evidence value's name and SHA-256 (the file's own), if the value is one. */
export function documentOf(value: unknown): { name: string; sha256: string; url?: string } | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const d = value as Record<string, unknown>;
  if (typeof d.name !== 'string' || typeof d.sha256 !== 'string') return undefined;
  return { name: d.name, sha256: d.sha256, ...(typeof d.url === 'string' ? { url: d.url } : {}) };
}
