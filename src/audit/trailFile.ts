import type { Lru } from './cache';
import type { ChainedEntry } from './chain';

/**
 * audit-trail.json, byte for byte `JSON.stringify(file, null, 2)` and a newline, made of each
 * entry's bytes: the largest file of a dossier (≈1.1 KB an entry, 16 MB for a 14,500-entry
 * hypercare), and an open run's next export has the same entries but the last few. With the
 * bytes kept of the last file made of a workflow, an entry that is the very object it was then
 * (chain.ts hands back the earlier link of an unchanged entry; entries are never changed once
 * chained) is copied, not stringified and encoded again.
 */

export interface TrailFile {
  workflowId: string;
  head: string;
  entries: ChainedEntry[];
}

/** The last audit-trail.json made of a workflow: its entries and, for each, its bytes in it. */
export interface TrailBytes {
  entries: readonly ChainedEntry[];
  /** Views into one buffer (a copy of the file): keeping them keeps that copy, nothing more. */
  parts: Buffer[];
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

/** The file's bytes; `kept` (by workflow id) holds what the next call of the same workflow reuses. */
export function trailFileBytes(file: TrailFile, kept?: Lru<TrailBytes>): Buffer {
  const last = kept?.get(file.workflowId);
  const opening = `{\n  "workflowId": ${JSON.stringify(file.workflowId)},\n  "head": ${JSON.stringify(file.head)},\n  "entries": `;
  if (file.entries.length === 0) return Buffer.from(`${opening}[]\n}\n`, 'utf8');
  const chunks: Buffer[] = [Buffer.from(`${opening}[\n`, 'utf8')];
  const comma = Buffer.from(',\n', 'utf8');
  file.entries.forEach((entry, i) => {
    if (i > 0) chunks.push(comma);
    chunks.push(last && last.entries[i] === entry ? last.parts[i]! : Buffer.from(entryJson(entry), 'utf8'));
  });
  chunks.push(Buffer.from('\n  ]\n}\n', 'utf8'));
  const bytes = Buffer.concat(chunks);
  if (kept) {
    // Each part as a view into a copy of the file: what is kept is one buffer, and one that no
    // caller holds (a caller changing the file it was given cannot change the next one).
    const copy = Buffer.from(bytes);
    let offset = chunks[0]!.length;
    const parts = file.entries.map((_, i) => {
      if (i > 0) offset += comma.length;
      const length = chunks[1 + 2 * i]!.length;
      offset += length;
      return copy.subarray(offset - length, offset);
    });
    kept.set(file.workflowId, { entries: file.entries, parts, bytes: bytes.length });
  }
  return bytes;
}
