import { createHash } from 'node:crypto';
import { Lru } from './cache';

/**
 * A long table's rows rendered in chunks of CHUNK_ROWS, each kept by the digest of its content
 * and of how it is rendered. A long run's tables grow at their end (the handover log has a row
 * per trail entry, 14,500 in a long hypercare; the Red Button reports one per report), so the next
 * export of an open run renders the last chunk anew and copies the others (digesting the rows
 * costs less than printing them: ≈100 ms less CPU an export for a 14,500-entry hypercare,
 * measured in-process). Keyed by content, a chunk kept is never stale; what is kept is bounded in
 * characters, least recently used first out, shared by every table rendered.
 */

export const CHUNK_ROWS = 256;
/** Characters of rendered rows kept: a long hypercare's tables in HTML and Markdown, ≈12 M. */
const KEPT_CHARS = 32 * 1024 * 1024;

type Rows = readonly (readonly string[])[];

const kept = new Lru<string>(KEPT_CHARS, (text) => text.length);

/**
 * `render(rows)` joined by `separator`, chunk by chunk. `how` names everything besides the rows
 * that the output depends on (the format, an HTML table's column classes): two calls with the
 * same `how` must render the same rows the same way.
 */
export function renderRows(rows: Rows, how: string, render: (rows: Rows) => string, separator: string): string {
  if (rows.length <= CHUNK_ROWS) return render(rows);
  const texts: string[] = [];
  for (let at = 0; at < rows.length; at += CHUNK_ROWS) {
    const chunk = rows.slice(at, at + CHUNK_ROWS);
    let text = printedBefore(chunk, how);
    if (text === undefined) {
      const key = `${how}\n${createHash('sha256').update(JSON.stringify(chunk)).digest('base64')}`;
      text = kept.get(key);
      if (text === undefined) kept.set(key, (text = render(chunk)));
      remember(chunk, how, text);
    }
    texts.push(text);
  }
  return texts.join(separator);
}

/**
 * Chunks by their first row: rows handed out again as the same arrays (the handover log's, one
 * per chained link) find the text printed of them without digesting their content. Held as long
 * as that row is; rows are never changed once made.
 */
const byFirstRow = new WeakMap<readonly string[], Map<string, { rows: Rows; text: string }>>();

function printedBefore(chunk: Rows, how: string): string | undefined {
  const known = byFirstRow.get(chunk[0]!)?.get(how);
  if (!known || known.rows.length !== chunk.length) return undefined;
  return known.rows.every((row, i) => row === chunk[i]) ? known.text : undefined;
}

function remember(chunk: Rows, how: string, text: string): void {
  let byHow = byFirstRow.get(chunk[0]!);
  if (!byHow) byFirstRow.set(chunk[0]!, (byHow = new Map()));
  byHow.set(how, { rows: chunk, text });
}
