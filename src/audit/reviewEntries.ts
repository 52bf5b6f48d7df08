import type { ReviewView, SubmitReviewInput } from '../contract/reviewDefinitions';
import type { AuditEntry } from './entries';
import type { DecodedEvent } from './history';
import type { ReviewHistory } from './reviewHistories';

/**
 * Scheduled oversight reviews → trail entries (kind `oversight-review`), one per review, read
 * from the review workflow's own history: its start, the signed review it accepted (kept as
 * signed, so `golive verify` checks it against the run's pinned keys like any message) and its
 * end (done or missed, with the escalations). Pure; merged into the run's entries by time.
 */

type Entry = Omit<AuditEntry, 'seq'>;

const firstOf = (v: unknown): unknown => (Array.isArray(v) ? v[0] : undefined);

function acceptedReview(
  events: readonly DecodedEvent[],
): { event: DecodedEvent; input: SubmitReviewInput } | undefined {
  for (const event of events) {
    if (event.type !== 'WorkflowExecutionUpdateAccepted') continue;
    const req = event.attributes.acceptedRequest as { input?: { name?: string; args?: unknown[] } } | undefined;
    if (req?.input?.name === 'submitReview') return { event, input: firstOf(req.input.args) as SubmitReviewInput };
  }
  return undefined;
}

function findingsText(findings: readonly unknown[]): string {
  return findings.length === 0 ? 'no findings' : `${findings.length} finding${findings.length === 1 ? '' : 's'}`;
}

export function reviewEntry({ reviewId, history }: ReviewHistory): Entry | undefined {
  const started = history.events[0];
  if (started?.type !== 'WorkflowExecutionStarted') return undefined;
  const ended = history.events.at(-1);
  const view =
    ended?.type === 'WorkflowExecutionCompleted' ? (firstOf(ended.attributes.result) as ReviewView) : undefined;
  const accepted = acceptedReview(history.events);
  const input = firstOf(started.attributes.input) as { duty?: { id?: string; title?: string } } | undefined;
  const status = view?.status ?? (accepted ? 'done' : 'waiting');
  const title = view?.dutyTitle ?? input?.duty?.title ?? reviewId;
  const base = {
    kind: 'oversight-review' as const,
    source: 'history' as const,
    runId: history.runId,
    eventIds: [started.eventId, ...(accepted ? [accepted.event.eventId] : []), ...(view ? [ended!.eventId] : [])],
  };
  const common = {
    reviewId,
    dutyId: view?.dutyId ?? input?.duty?.id,
    dutyTitle: title,
    status,
    startedAt: started.at,
    ...(view ? { dueAt: view.dueAt, escalations: view.escalations } : {}),
  };
  // An Update the handler refused after acceptance recorded nothing: only a done review shows one.
  if (accepted && status === 'done') {
    const { signature, ...payload } = accepted.input;
    const record = view?.review;
    return {
      ...base,
      at: record?.at ?? accepted.event.at,
      actor: payload.actor.id,
      ...(record ? { role: record.role } : {}),
      summary: `oversight review "${title}" done by ${payload.actor.id}: ${payload.sampleSize} AI decisions sampled, ${payload.overrides} overridden, ${findingsText(payload.findings ?? [])}`,
      details: {
        ...common,
        sampleSize: payload.sampleSize,
        overrides: payload.overrides,
        findings: payload.findings ?? [],
        ...(payload.note ? { note: payload.note } : {}),
        ...(signature ? { signed: { message: 'submitReview', payload, signature } } : {}),
      },
    };
  }
  return {
    ...base,
    at: view ? ended!.at : started.at,
    summary:
      status === 'missed'
        ? `oversight review "${title}" missed: not recorded by ${view?.dueAt ?? '?'} (${view?.escalations.length ?? 0} escalations)`
        : `oversight review "${title}" started, waiting for its reviewer`,
    details: common,
  };
}

/**
 * The run's entries with the reviews' merged in by time (each list keeps its own order), numbered
 * again from 1: the trail reads as one story of the system.
 */
export function withReviewEntries(entries: readonly AuditEntry[], reviews: readonly ReviewHistory[]): AuditEntry[] {
  const extra = reviews
    .map(reviewEntry)
    .filter((e): e is Entry => e !== undefined)
    .sort((a, b) => a.at.localeCompare(b.at));
  if (extra.length === 0) return [...entries];
  const merged: Entry[] = [];
  let j = 0;
  for (const entry of entries) {
    while (j < extra.length && extra[j]!.at < entry.at) merged.push(extra[j++]!);
    merged.push(entry);
  }
  merged.push(...extra.slice(j));
  return merged.map((e, i) => ({ ...e, seq: i + 1 }));
}
