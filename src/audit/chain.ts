import { createHash } from 'node:crypto';
import { canonicalJson } from '../contract/sha256';
import type { AuditEntry } from './entries';

/**
 * Tamper evidence for the trail: each entry carries the hash of the one before, and its own
 * hash over its canonical JSON (keys sorted, so any serializer that keeps values reproduces
 * it). Changing, removing or reordering an entry breaks the chain at that entry.
 */

export interface ChainedEntry extends AuditEntry {
  prevHash: string;
  hash: string;
}

/** The prevHash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

export function entryHash(entry: Omit<ChainedEntry, 'hash'>): string {
  return createHash('sha256').update(canonicalJson(entry)).digest('hex');
}

/**
 * `earlier`: a chain made before from (mostly) the same entries, e.g. the last read of a run
 * still open. Where it holds the same entry after the same hash, its link is taken as it is: an
 * open hypercare's trail re-reads thousands of unchanged entries, and comparing them costs a
 * fifth of hashing their canonical JSON again. What differs is hashed, and so is all after it.
 */
export function chainEntries(entries: readonly AuditEntry[], earlier: readonly ChainedEntry[] = []): ChainedEntry[] {
  let prevHash = GENESIS_HASH;
  return entries.map((entry, i) => {
    const known = earlier[i];
    if (known && known.prevHash === prevHash && sameEntry(entry, known)) {
      prevHash = known.hash;
      return known;
    }
    const linked = { ...entry, prevHash };
    const hash = entryHash(linked);
    prevHash = hash;
    return { ...linked, hash };
  });
}

/** The entry, key for key, is the chained one's content (its links aside). */
function sameEntry(entry: AuditEntry, chained: ChainedEntry): boolean {
  const content = entry as unknown as Record<string, unknown>;
  const record = chained as unknown as Record<string, unknown>;
  const keys = Object.keys(content);
  if (keys.length + 2 !== Object.keys(record).length) return false;
  return keys.every(
    (k) => k !== 'prevHash' && k !== 'hash' && Object.hasOwn(record, k) && sameJson(content[k], record[k]),
  );
}

/**
 * Two JSON values alike (decoded history: plain objects, arrays, primitives). Only ever errs
 * towards "different" (a key holding undefined, NaN), which costs a hash, never a wrong link.
 */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => sameJson(v, b[i]));
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = Object.keys(x);
  return keys.length === Object.keys(y).length && keys.every((k) => Object.hasOwn(y, k) && sameJson(x[k], y[k]));
}

/** The hash of the last entry: what the manifest pins. */
export function chainHead(entries: readonly ChainedEntry[]): string {
  return entries.at(-1)?.hash ?? GENESIS_HASH;
}

export type ChainVerdict =
  { ok: true; head: string; length: number } | { ok: false; seq: number; index: number; reason: string };

/** An entry as a reader finds it: its seq and what it says it is (a decision names its person and step). */
function entryLabel(entry: ChainedEntry, seq: number): string {
  const what = [
    typeof entry.kind === 'string' ? entry.kind : undefined,
    typeof entry.actor === 'string' ? `by ${entry.actor}` : undefined,
    typeof entry.stepId === 'string' ? `on "${entry.stepId}"` : undefined,
  ];
  const shown = what.filter((w) => w !== undefined).join(' ');
  return shown ? `entry ${seq} (${shown})` : `entry ${seq}`;
}

/** The first entry whose link or content does not hold, or ok with the head. */
export function verifyChain(entries: readonly ChainedEntry[]): ChainVerdict {
  let prevHash = GENESIS_HASH;
  for (const [index, entry] of entries.entries()) {
    const seq = typeof entry.seq === 'number' ? entry.seq : index + 1;
    if (entry.prevHash !== prevHash)
      return {
        ok: false,
        seq,
        index,
        reason: `${entryLabel(entry, seq)} does not link to the entry before it (removed, inserted or reordered)`,
      };
    const { hash, ...rest } = entry;
    if (entryHash(rest) !== hash)
      return {
        ok: false,
        seq,
        index,
        reason: `${entryLabel(entry, seq)} was altered: its content does not match its hash`,
      };
    prevHash = hash;
  }
  return { ok: true, head: prevHash, length: entries.length };
}
