import type { Lru } from './cache';
import type { ChainedEntry } from './chain';
import { SegmentSums, type SegmentedBytes } from './segments';

/**
 * audit-trail.json, byte for byte `JSON.stringify({ workflowId, entries, head }, null, 2)` and a
 * newline: the largest file of a dossier (≈1.1 KB an entry, 16 MB for a 14,500-entry hypercare),
 * and an open run's next export has the same entries but the last few. The file is made of
 * segments of SEGMENT_ENTRIES entries; a segment whose entries are the very objects they were in
 * the last file made of the workflow (chain.ts hands back the earlier link of an unchanged entry;
 * entries are never changed once chained) is that file's segment again, not stringified and
 * encoded anew, and its digest, CRC and deflated bytes are not computed again either
 * (segments.ts, zip.ts). The chain head comes last, so everything before it can stay the same.
 */

export interface TrailFile {
  workflowId: string;
  head: string;
  entries: ChainedEntry[];
}

/** Entries per segment: small enough that the last, remade each time, is cheap (≈280 KB). */
export const SEGMENT_ENTRIES = 256;

interface Segment {
  entries: readonly ChainedEntry[];
  bytes: Buffer;
}

/** The last audit-trail.json made of a workflow: its segments and their running sums. */
export interface TrailBytes {
  segments: readonly Segment[];
  sums: SegmentSums;
  bytes: number;
}

/** Depth of an entry in the file: inside the object, inside "entries". */
const INDENT = '    ';

/**
 * One entry as it stands in the file. JSON.stringify escapes every newline inside a string, so
 * each newline of its output is layout, and indenting after each one puts the entry at its depth.
 */
function entryJson(entry: ChainedEntry): string {
  return INDENT + JSON.stringify(entry, null, 2).replaceAll('\n', `\n${INDENT}`);
}

function segmentOf(entries: readonly ChainedEntry[], first: boolean, last?: Segment): Segment {
  if (last && last.entries.length === entries.length && last.entries.every((e, i) => e === entries[i])) return last;
  const text = entries.map(entryJson).join(',\n');
  return { entries, bytes: Buffer.from(first ? text : `,\n${text}`, 'utf8') };
}

/** The file's bytes and segments; `kept` (by workflow id) holds what the next call of the same workflow reuses. */
export function trailFileBytes(file: TrailFile, kept?: Lru<TrailBytes>): SegmentedBytes {
  const opening = `{\n  "workflowId": ${JSON.stringify(file.workflowId)},\n  "entries": `;
  const closing = `,\n  "head": ${JSON.stringify(file.head)}\n}\n`;
  const last = kept?.get(file.workflowId);
  const segments: Segment[] = [];
  for (let at = 0; at < file.entries.length; at += SEGMENT_ENTRIES)
    segments.push(segmentOf(file.entries.slice(at, at + SEGMENT_ENTRIES), at === 0, last?.segments[segments.length]));
  const parts =
    segments.length === 0
      ? [Buffer.from(`${opening}[]${closing}`, 'utf8')]
      : [Buffer.from(`${opening}[\n`, 'utf8'), ...segments.map((s) => s.bytes), Buffer.from(`\n  ]${closing}`, 'utf8')];
  const sums = last?.sums ?? new SegmentSums();
  const made = sums.of(parts);
  // What a caller does with the file it was given cannot change the next one: the kept segments
  // are buffers of their own, and `bytes` a copy of them.
  kept?.set(file.workflowId, { segments, sums, bytes: made.bytes.length });
  return made;
}
