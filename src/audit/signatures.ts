import type { MessageSignature, PinnedKey } from '../contract/signedMessages';
import { START_MESSAGE } from '../contract/signedMessages';
import { verifyWithNode } from '../signing/verify';
import type { AuditEntry } from './entries';

/**
 * Offline proof of who decided: every message the run accepted (decisions, evidence, reports,
 * resolutions, stop, rollback) must carry golive's signature, made with a key the run pinned at
 * start, over exactly the payload recorded — and what the entry shows (who, which step, which
 * decision, the comment) must be what was signed. The start input's own signature covers the
 * pinned keys, the assignments and the runbook as it ran. Checked with node:crypto, independently
 * of the verifier inside the workflow. Pure over the entries.
 */

export type SignatureVerdict =
  { ok: true; keyIds: string[]; signed: number; unsigned: boolean } | { ok: false; seq: number; reason: string };

/** Entries that record a message someone sent to the run. */
const MESSAGE_KINDS: readonly string[] = [
  'decision',
  'evidence-submitted',
  'report',
  'report-resolved',
  'report-acknowledged',
  'stop',
  'rollback-requested',
];

interface SignedPart {
  message: string;
  payload: Record<string, unknown>;
  signature: MessageSignature;
}

const asRecord = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

function signedPartOf(entry: AuditEntry): SignedPart | undefined {
  const s = asRecord(entry.details.signed);
  const payload = asRecord(s?.payload);
  const signature = asRecord(s?.signature);
  if (!s || typeof s.message !== 'string' || !payload || !signature) return undefined;
  return { message: s.message, payload, signature: signature as unknown as MessageSignature };
}

const label = (e: AuditEntry) =>
  `entry ${e.seq} (${e.kind}${e.actor ? ` by ${e.actor}` : ''}${e.stepId ? ` on "${e.stepId}"` : ''})`;

/** What the entry shows must be what was signed: the reader trusts the summary, not the payload. */
/** Fields an entry shows that the message's sender signed (where the message carries them). */
const SIGNED_FIELDS = [
  'comment',
  'reason',
  'resolution',
  'description',
  'severity',
  'reportId',
  'itemId',
  'value',
  'note',
  'text',
] as const;

function shownDiffersFromSigned(entry: AuditEntry, part: SignedPart): string | undefined {
  const p = part.payload;
  const signedActor = asRecord(p.actor)?.id;
  if (entry.actor !== undefined && entry.actor !== 'anonymous' && entry.actor !== signedActor)
    return `shows ${entry.actor}, but ${String(signedActor)} signed`;
  if (entry.stepId !== undefined && entry.stepId !== p.stepId)
    return `shows step "${entry.stepId}", but the signed message is for "${String(p.stepId)}"`;
  for (const field of SIGNED_FIELDS) {
    // A field the sender does not sign (a report's id, which the workflow assigns) is covered by
    // the chain, not by the signature.
    if (!(field in entry.details) || (field === 'reportId' && part.message === 'reportError')) continue;
    if (JSON.stringify(entry.details[field]) !== JSON.stringify(p[field]))
      return `its ${field} differs from what was signed`;
  }
  if (entry.kind === 'decision') {
    const decision = part.message === 'approveStep' ? 'approve' : part.message === 'rejectStep' ? 'reject' : undefined;
    if (entry.details.decision !== decision)
      return `shows a ${String(entry.details.decision)} but the signed message is ${part.message}`;
  }
  return undefined;
}

const REVIEW_KIND = 'oversight-review';
/** What a review entry shows that its reviewer signed. */
const REVIEW_FIELDS = ['sampleSize', 'overrides', 'findings', 'note'] as const;

/**
 * A scheduled oversight review (reviewEntries.ts) was signed for the review workflow, not the
 * go-live run: its signature is checked against the review's id, with the keys the run pinned
 * (the review accepts only those). A review that was recorded must carry one.
 */
function reviewSignatureProblem(entry: AuditEntry, keys: readonly PinnedKey[]): string | undefined {
  if (entry.details.status !== 'done') return undefined;
  const part = signedPartOf(entry);
  if (!part) return 'is not signed by golive, though the run pinned its keys';
  const key = keys.find((k) => k.keyId === part.signature.keyId);
  if (!key) return `is signed with key ${part.signature.keyId}, which the run did not pin`;
  const reviewId = String(entry.details.reviewId);
  if (part.message !== 'submitReview' || !verifyWithNode(key, reviewId, part.message, part.payload, part.signature))
    return `: its signature does not match the signed review (altered after signing)`;
  if (entry.actor !== asRecord(part.payload.actor)?.id) return `shows ${entry.actor}, but another person signed`;
  const differs = REVIEW_FIELDS.find(
    (f) =>
      JSON.stringify(entry.details[f] ?? (f === 'findings' ? [] : undefined)) !==
      JSON.stringify(part.payload[f] ?? (f === 'findings' ? [] : undefined)),
  );
  return differs ? `: its ${differs} differs from what was signed` : undefined;
}

export function verifySignatures(workflowId: string, entries: readonly AuditEntry[]): SignatureVerdict {
  const started = entries.find((e) => e.kind === 'run-started');
  const signing = asRecord(started?.details.signing);
  const keys = (signing?.keys ?? []) as PinnedKey[];
  if (!started || !signing || keys.length === 0) {
    // A run started before golive signed messages: nothing to check, and the verdict says so.
    return { ok: true, keyIds: [], signed: 0, unsigned: true };
  }
  const startSignature = signing.startSignature as MessageSignature | undefined;
  const startKey = keys.find((k) => k.keyId === startSignature?.keyId);
  if (
    !startSignature ||
    !startKey ||
    !verifyWithNode(startKey, workflowId, START_MESSAGE, started.details.input, startSignature)
  ) {
    return {
      ok: false,
      seq: started.seq,
      reason: `${label(started)}: the run's input is not signed by a key it pins, or was altered after signing`,
    };
  }
  let count = 1;
  for (const entry of entries) {
    if (entry.kind === REVIEW_KIND) {
      const problem = reviewSignatureProblem(entry, keys);
      if (problem) return { ok: false, seq: entry.seq, reason: `${label(entry)} ${problem}` };
      if (entry.details.signed) count++;
      continue;
    }
    if (!MESSAGE_KINDS.includes(entry.kind)) continue;
    const part = signedPartOf(entry);
    if (!part)
      return {
        ok: false,
        seq: entry.seq,
        reason: `${label(entry)} is not signed by golive, though the run pinned key ${keys.map((k) => k.keyId).join(', ')}`,
      };
    const key = keys.find((k) => k.keyId === part.signature.keyId);
    if (!key)
      return {
        ok: false,
        seq: entry.seq,
        reason: `${label(entry)} is signed with key ${part.signature.keyId}, which the run did not pin`,
      };
    if (!verifyWithNode(key, workflowId, part.message, part.payload, part.signature)) {
      return {
        ok: false,
        seq: entry.seq,
        reason: `${label(entry)}: its signature does not match the signed message (altered after signing)`,
      };
    }
    const differs = shownDiffersFromSigned(entry, part);
    if (differs) return { ok: false, seq: entry.seq, reason: `${label(entry)} ${differs}` };
    count++;
  }
  return { ok: true, keyIds: keys.map((k) => k.keyId), signed: count, unsigned: false };
}
