import type { DecisionRecord, EvidenceRecord, ReportView, RunStateView, StepView } from '../contract/definitions';
import { type Attrs, documentOf, type EntryBody, firstOf, quoteIf, signedPart, str } from './entryModel';

/**
 * One human message (Update or Signal) → its audit entry, cross-checked with the workflow's own
 * record: one builder per message, looked up by the message's name. Pure.
 */

export interface Matcher {
  decision(stepId: string, decision: 'approve' | 'reject', actorId: string): DecisionRecord | undefined;
  evidence(stepId: string, itemId: string, actorId: string): EvidenceRecord | undefined;
  /** The next Signal's outcome as the run recorded it: refused (with why) or accepted. */
  signal(name: string, actorId: string | undefined): { refused?: string } | undefined;
}

/** Pairs history messages with the workflow's records, each record used once, in order. */
export function matcher(state: RunStateView | undefined): Matcher {
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

export interface MessageOutcome {
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

/** What every builder reads: the message, its outcome, and who sent it about which step. */
interface Message {
  name: string;
  input: Attrs;
  outcome: MessageOutcome;
  match: Matcher;
  actor: string | undefined;
  stepId: string | undefined;
  /** The entry for a message the workflow refused (`what` names it; the reason defaults to the failure). */
  refused(what: string, reason?: string): EntryBody;
}

type MessageBuilder = (m: Message) => EntryBody;

/** One human message (Update or Signal) → its entry, cross-checked with the workflow's record. */
export function messageEntry(name: string, input: Attrs, outcome: MessageOutcome, match: Matcher): EntryBody {
  const actor = str((input.actor as { id?: unknown } | undefined)?.id);
  const stepId = str(input.stepId);
  const refused = (what: string, reason = outcome.failure): EntryBody => ({
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
  const build = Object.hasOwn(MESSAGE_BUILDERS, name) ? MESSAGE_BUILDERS[name] : undefined;
  return (build ?? unknownMessage)({ name, input, outcome, match, actor, stepId, refused });
}

const decisionEntry: MessageBuilder = ({ name, input, outcome, match, actor, stepId, refused }) => {
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
      ...(record ? decisionRecordDetails(record) : {}),
      ...(stepOutcome(outcome.success) ? { stepStatusAfter: stepOutcome(outcome.success) } : {}),
      ...(record?.roleSource ? { roleSource: record.roleSource } : {}),
      ...(record?.delegationReason ? { delegationReason: record.delegationReason } : {}),
      ...(record?.passkey ? { passkeyCredential: record.passkey.credentialId } : {}),
      via: outcome.via,
      ...signedPart(name, input),
    },
  };
};

function decisionRecordDetails(record: DecisionRecord): Record<string, unknown> {
  return {
    decisionSeq: record.seq,
    decidedAt: record.at,
    evidenceHash: record.evidenceHash,
    ...(record.onBehalfOf ? { onBehalfOf: record.onBehalfOf } : {}),
  };
}

const evidenceEntry: MessageBuilder = ({ name, input, outcome, match, actor, stepId, refused }) => {
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
};

const reportEntry: MessageBuilder = ({ name, input, outcome, actor }) => {
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
};

const reportResolvedEntry: MessageBuilder = ({ name, input, outcome, actor }) => {
  const thanks = (firstOf(outcome.success) as ReportView | undefined)?.thanks; // workflows/recognition.ts
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
};

/** A report's acknowledgement: its first response, before the resolution. */
const reportAcknowledgedEntry: MessageBuilder = ({ name, input, outcome, actor }) => ({
  kind: 'report-acknowledged',
  ...(actor ? { actor } : {}),
  summary: `${actor ?? 'someone'} acknowledged report ${String(input.reportId)}: ${String(input.text)}`,
  details: { reportId: input.reportId, text: input.text, via: outcome.via, ...signedPart(name, input) },
});

const resentEntry: MessageBuilder = ({ name, input, outcome, actor, stepId }) => {
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
};

const stopLineEntry: MessageBuilder = ({ name, input, outcome, actor }) => ({
  kind: 'stop',
  ...(actor ? { actor } : {}),
  summary: `${actor} STOPPED THE LINE: ${String(input.reason)}`,
  details: { reason: input.reason, via: outcome.via, ...signedPart(name, input) },
});

const rollbackEntry: MessageBuilder = ({ name, input, outcome, actor }) => ({
  kind: 'rollback-requested',
  ...(actor ? { actor } : {}),
  summary: `${actor} requested a rollback: ${String(input.reason)}`,
  details: { reason: input.reason, via: outcome.via, ...signedPart(name, input) },
});

const unknownMessage: MessageBuilder = ({ name, input, outcome, actor }) => ({
  kind: 'message-refused',
  ...(actor ? { actor } : {}),
  summary: `unknown message "${name}"`,
  details: { message: name, input, via: outcome.via },
});

/** The entry builder of each message the run handles, by the message's name. */
const MESSAGE_BUILDERS: Record<string, MessageBuilder> = {
  approveStep: decisionEntry,
  rejectStep: decisionEntry,
  submitEvidence: evidenceEntry,
  reportError: reportEntry,
  resolveReport: reportResolvedEntry,
  acknowledgeReport: reportAcknowledgedEntry,
  resendNotification: resentEntry,
  stopLine: stopLineEntry,
  requestRollback: rollbackEntry,
};

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
