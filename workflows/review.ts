import { allHandlersFinished, ApplicationFailure, condition, setHandler, workflowInfo } from '@temporalio/workflow';
import { durationToMs } from '../src/contract/duration';
import { notify } from './actions';
import { nowIso, nowMs } from './clock';
import { REFUSAL_TYPES } from '../src/contract/definitions';
import { authorize, Refusal, waitTimeline } from '../src/contract/policy';
import { withoutPlainTextRule } from './checks';
import { checkSubmitReview } from './messageChecks';
import {
  getReviewQuery,
  submitReviewUpdate,
  type ReviewInput,
  type ReviewView,
} from '../src/contract/reviewDefinitions';
import { reviewFactsFromInput } from '../src/contract/reviewFacts';
import { recordsInsteadOfSending } from './runContext';
import { checkSignature } from '../src/contract/signedMessages';

/**
 * One scheduled oversight review (a Temporal Schedule starts it; oversight.ts creates the
 * schedules at go-live). It asks the duty's reviewers, takes the review as evidence through a
 * signed Update the one policy allows, escalates like an approval while it waits, and ends as
 * missed at the duty's `within`. Deterministic like every workflow here.
 */
export async function oversightReview(input: ReviewInput): Promise<ReviewView> {
  const { duty } = input;
  const startMs = nowMs();
  const view: ReviewView = {
    reviewId: workflowInfo().workflowId,
    parentRunId: input.parentRunId,
    system: input.system,
    collaborationMode: input.collaborationMode,
    dutyId: duty.id,
    dutyTitle: duty.title,
    reviewers: duty.reviewers,
    sampleSize: duty.sampleSize,
    status: 'waiting',
    startedAt: nowIso(),
    dueAt: new Date(startMs + durationToMs(duty.within)).toISOString(),
    escalations: [],
    pinnedKeys: (input.signingKeys ?? []).map((k) => k.keyId),
  };
  const nonces = new Set<string>();
  setHandler(getReviewQuery, () => view);
  setHandler(submitReviewUpdate, (raw) => recordReview(input, view, raw, nonces), {
    validator: (raw) => void checkReview(input, view, raw, nonces, true),
  });

  const tell = (roles: readonly string[], subject: string, text: string) =>
    sendOrRecord(input, view, [...new Set(roles.flatMap((r) => input.assignments[r] ?? []))], subject, text);
  await tell(
    duty.reviewers,
    `oversight review due: ${duty.title}`,
    `${duty.description ?? duty.title}\nSample ${duty.sampleSize} AI decisions and record the review in golive (review ${view.reviewId}) by ${view.dueAt}.`,
  );

  const deadlineMs = durationToMs(duty.within);
  const timeline = waitTimeline(duty.escalation, duty.within).filter(
    (e) => e.kind === 'deadline' || e.atMs < deadlineMs,
  );
  for (const [i, event] of timeline.entries()) {
    if (await condition(() => view.status !== 'waiting', Math.max(1, startMs + event.atMs - nowMs()))) break;
    const missed = event.kind === 'deadline';
    const roles = missed ? [...new Set([...duty.onMissed, ...duty.reviewers])] : event.escalation.notify;
    if (missed) view.status = 'missed';
    view.escalations.push({ level: i + 1, at: nowIso(), notified: roles, missed });
    await tell(
      roles,
      `${missed ? 'oversight review missed' : `escalation level ${i + 1}`}: ${duty.title}`,
      `The "${duty.title}" review of ${input.system} (${view.reviewId}) ${missed ? `was not recorded by ${view.dueAt}` : `is still open; due ${view.dueAt}`}.`,
    );
    if (missed) break;
  }
  await condition(allHandlersFinished);
  return view;
}

/** As the go-live run does (RunContext.send): with no channel configured, recorded in the view, no activity. */
function sendOrRecord(input: ReviewInput, view: ReviewView, people: string[], subject: string, text: string) {
  const full = `[golive ${input.system}] ${subject}`;
  if (recordsInsteadOfSending(people, input.notifyChannels)) {
    (view.notifications ??= []).push({ at: nowIso(), to: people, subject: full });
    return Promise.resolve(true);
  }
  return notify(people, full, text, 'warning');
}

function refuse(r: Refusal): never {
  throw ApplicationFailure.create({ type: r.type, message: r.message, nonRetryable: true });
}

/** The validator's and the handler's checks: shape, golive's signature (validator), the policy. */
function checkReview(input: ReviewInput, view: ReviewView, raw: unknown, nonces: Set<string>, verify: boolean) {
  const parsed = checkSubmitReview(raw, []);
  if (!parsed.ok) refuse(new Refusal(REFUSAL_TYPES.invalid, `${parsed.path.join('.') || 'input'}: ${parsed.message}`));
  const review = parsed.value;
  if (input.signingKeys && verify) {
    const check = checkSignature(
      { runId: view.reviewId, keys: input.signingKeys, nowMs: nowMs(), seen: (n) => nonces.has(n) },
      submitReviewUpdate.name,
      raw,
    );
    if (!check.ok)
      refuse(
        new Refusal(check.problem === 'replayed' ? REFUSAL_TYPES.replayed : REFUSAL_TYPES.badSignature, check.reason),
      );
  }
  if (review.signature && nonces.has(review.signature.nonce))
    refuse(
      new Refusal(REFUSAL_TYPES.replayed, `submitReview with nonce ${review.signature.nonce} was accepted before`),
    );
  if (review.overrides > review.sampleSize)
    refuse(new Refusal(REFUSAL_TYPES.invalid, 'overrides: cannot exceed sampleSize'));
  const grant = authorize(
    reviewFactsFromInput(input, view),
    { id: review.actor.id, ...(review.actor.roles ? { roles: review.actor.roles } : {}) },
    { kind: 'review' },
  );
  if (grant instanceof Refusal) refuse(grant);
  return { review, role: grant.role };
}

function recordReview(input: ReviewInput, view: ReviewView, raw: unknown, nonces: Set<string>): ReviewView {
  // The validator verified the signature before Temporal accepted the Update; replays skip the curve,
  // and take free text as the validator of their day did (control characters: checks.ts).
  const { review, role } = withoutPlainTextRule(() => checkReview(input, view, raw, nonces, false));
  if (review.signature) nonces.add(review.signature.nonce);
  view.review = {
    by: review.actor,
    role,
    at: nowIso(),
    sampleSize: review.sampleSize,
    overrides: review.overrides,
    findings: review.findings,
    ...(review.note ? { note: review.note } : {}),
    ...(review.signature ? { keyId: review.signature.keyId } : {}),
  };
  view.status = 'done';
  return view;
}
