import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../contract/sha256';
import { GENESIS_HASH } from './chain';

/**
 * Refused attempts (who tried what, and why not). Temporal keeps no trace of Updates its
 * validators reject, so golive records them itself, per run, append-only and hash-chained like
 * the trail: each refusal carries its run's sequence number, the hash of the refusal before it
 * and its own hash over its canonical JSON. Removing, changing or reordering one breaks the
 * chain at that refusal, in the database and in a dossier's refusals.json alike.
 */

export const refusalInputSchema = z.object({
  at: z.string(),
  runId: z.string(),
  /** The verified person, or "anonymous" for an anonymous Red Button report. */
  actor: z.string(),
  /** Which operation: decide, submitEvidence, report, resolveReport, stop, rollback, startRun. */
  action: z.string(),
  stepId: z.string().optional(),
  reportId: z.string().optional(),
  /** A REFUSAL_TYPES value (NotAuthorized, SelfApproval, …). */
  type: z.string(),
  status: z.number().int(),
  reason: z.string(),
  /** Who refused: the server's own check, or the workflow's Update validator. */
  by: z.enum(['server', 'workflow']),
});
export type RefusalInput = z.infer<typeof refusalInputSchema>;

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const refusalEntrySchema = refusalInputSchema.extend({
  seq: z.number().int().min(1),
  prevHash: hex64,
  hash: hex64,
});
export type RefusalEntry = z.infer<typeof refusalEntrySchema>;

function refusalHash(entry: Omit<RefusalEntry, 'hash'>): string {
  return createHash('sha256').update(canonicalJson(entry)).digest('hex');
}

/** The next link of a run's chain after `previous` (undefined: the run's first refusal). */
export function chainRefusal(
  input: RefusalInput,
  previous: Pick<RefusalEntry, 'seq' | 'hash'> | undefined,
): RefusalEntry {
  const linked = {
    ...refusalInputSchema.parse(input),
    seq: (previous?.seq ?? 0) + 1,
    prevHash: previous?.hash ?? GENESIS_HASH,
  };
  return { ...linked, hash: refusalHash(linked) };
}

/** A whole list chained from the start (tests, and refusals made before they were chained). */
export function chainRefusals(inputs: readonly RefusalInput[]): RefusalEntry[] {
  const out: RefusalEntry[] = [];
  for (const input of inputs) out.push(chainRefusal(input, out.at(-1)));
  return out;
}

export type RefusalChainVerdict =
  { ok: true; head: string; length: number } | { ok: false; index: number; seq?: number; reason: string };

/** One run's refusals, oldest first: every link, sequence number and hash, or the first that fails. */
export function verifyRefusalChain(entries: readonly unknown[]): RefusalChainVerdict {
  let prev = { seq: 0, hash: GENESIS_HASH };
  let runId: string | undefined;
  for (const [index, raw] of entries.entries()) {
    const parsed = refusalEntrySchema.safeParse(raw);
    if (!parsed.success)
      return {
        ok: false,
        index,
        reason: `refusal ${index + 1} is not a chained refusal: ${parsed.error.issues[0]?.message ?? 'bad shape'}`,
      };
    const e = parsed.data;
    runId ??= e.runId;
    if (e.runId !== runId)
      return { ok: false, index, seq: e.seq, reason: `refusal ${e.seq} belongs to run ${e.runId}, not ${runId}` };
    if (e.seq !== prev.seq + 1 || e.prevHash !== prev.hash) {
      return {
        ok: false,
        index,
        seq: e.seq,
        reason: `refusal ${e.seq} does not link to the refusal before it (removed, inserted or reordered)`,
      };
    }
    const { hash, ...rest } = raw as RefusalEntry;
    if (refusalHash(rest) !== hash)
      return {
        ok: false,
        index,
        seq: e.seq,
        reason: `refusal ${e.seq} was altered: its content does not match its hash`,
      };
    prev = { seq: e.seq, hash: e.hash };
  }
  return { ok: true, head: prev.hash, length: entries.length };
}

export const REFUSALS_FILE = 'refusals.json';

/** A dossier's refusals.json: a list of one run's chained refusals; the first problem, if any. */
export function refusalsChainProblem(
  bytes: Uint8Array,
): { ok: false; file: string; seq?: number; reason: string } | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return { ok: false, file: REFUSALS_FILE, reason: 'not valid JSON' };
  }
  if (!Array.isArray(raw)) return { ok: false, file: REFUSALS_FILE, reason: 'not a list of refusals' };
  const verdict = verifyRefusalChain(raw);
  return verdict.ok
    ? undefined
    : {
        ok: false,
        file: REFUSALS_FILE,
        ...(verdict.seq !== undefined ? { seq: verdict.seq } : {}),
        reason: verdict.reason,
      };
}
