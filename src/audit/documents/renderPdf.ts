import pdfmake from 'pdfmake';
import { obligationsLine } from '../renderShared';
import { NOT_RECORDED, type Block } from './blocks';
import { deliverableFile, type DeliverableId } from './model';
import { registerSharedFonts, SHARED_FONT_NAMES } from './pdfFonts';
import type { DeliverableDocument } from './render';

/**
 * One deliverable as a PDF a person can print, laid out by pdfmake (pure JS: no browser needed)
 * from the same document model as the HTML and Markdown files: facts, draft notice, purpose,
 * obligations, then the blocks, tables with their header row repeated on every page.
 *
 * Deterministic: the PDF's creation date is the document's own "Generated" time and pdfkit
 * derives the file id from it, so the same document renders to the same bytes (two exports of a
 * run made with the same `now` hash the same; exports at different times differ, as their
 * "Generated" line does in every format).
 */

// The documents hold no images or links to fetch, and the fonts come parsed (pdfFonts.ts):
// pdfmake reads no file and fetches nothing.
registerSharedFonts(pdfmake.virtualfs);
pdfmake.setFonts({ Roboto: { ...SHARED_FONT_NAMES } });
pdfmake.setUrlAccessPolicy(() => false);
pdfmake.setLocalAccessPolicy(() => false);

/** Characters the documents use that Roboto has no glyph for, as text that prints. */
const SUBSTITUTES: Record<string, string> = { '→': '->', '☑': '[x]', '☐': '[ ]', '☒': '[!]', '‖': '||' };
const printable = (text: string) => text.replace(/[→☑☐☒‖]/gu, (c) => SUBSTITUTES[c] ?? c);

/**
 * A table cell's text. A token too long for a column (a SHA-256, a URL) may break anywhere, else
 * pdfmake would widen its column past the page edge; everything else wraps between words.
 */
function cell(text: string): pdfmake.Content {
  const parts = printable(text).split(/(\S{28,})/u);
  if (parts.length === 1) return parts[0]!;
  return { text: parts.filter(Boolean).map((p) => (/^\S{28,}$/u.test(p) ? { text: p, wordBreak: 'break-all' } : p)) };
}

const notRecorded: pdfmake.Content = { text: NOT_RECORDED, italics: true, color: '#555555', margin: [0, 0, 0, 6] };

function tableOf(columns: readonly string[], rows: readonly (readonly string[])[]): pdfmake.Content {
  return {
    table: {
      headerRows: 1,
      // Columns as wide as their content needs, the last one takes what is left: equal ('*')
      // columns would all be as wide as the widest unbreakable word (a timestamp) and overflow.
      widths: columns.map((_, i) => (i === columns.length - 1 ? '*' : 'auto')),
      body: [
        columns.map((c) => ({ text: printable(c), bold: true, fillColor: '#eeeeee' })),
        ...rows.map((r) => columns.map((_, i) => cell(r[i] ?? ''))),
      ],
    },
    layout: 'lightHorizontalLines',
    fontSize: columns.length > 4 ? 7 : 8,
    margin: [0, 0, 0, 8],
  };
}

/**
 * Rows a table prints at most in a PDF. A long run's lists grow with it (1,250 Red Button reports
 * are 1,250 rows, 30 pages and a second of layout per export); the PDF prints the first and the
 * last rows and says, in their place, how many it leaves out and where they all are: the same
 * document as HTML and Markdown, in full, beside the PDF in the dossier (its manifest digests
 * them) and on the document's page. Nothing else is shortened.
 */
export const PDF_TABLE_ROWS = 40;

function boundedTable(
  columns: readonly string[],
  rows: readonly (readonly string[])[],
  id: DeliverableId,
): pdfmake.Content {
  if (rows.length <= PDF_TABLE_ROWS) return tableOf(columns, rows);
  const half = PDF_TABLE_ROWS / 2;
  const count = (n: number) => n.toLocaleString('en');
  return {
    stack: [
      tableOf(columns, rows.slice(0, half)),
      {
        text:
          `… ${count(rows.length - PDF_TABLE_ROWS)} rows not printed here (rows ${count(half + 1)}–${count(rows.length - half)} ` +
          `of ${count(rows.length)}). The complete table is in ${deliverableFile(id, 'html')} and ` +
          `${deliverableFile(id, 'md')}, this document in full beside this PDF in the dossier ` +
          `(manifest.json holds their SHA-256), and on the document's page.`,
        italics: true,
        margin: [0, 0, 0, 8],
      },
      tableOf(columns, rows.slice(-half)),
    ],
  };
}

/** One block as pdfmake content; `id` is the deliverable's, for where a shortened table is whole. */
export function pdfBlock(b: Block, id: DeliverableId): pdfmake.Content {
  switch (b.kind) {
    case 'heading':
      return { text: printable(b.text), style: 'heading' };
    case 'text':
      return { text: printable(b.text), margin: [0, 0, 0, 6] };
    case 'list':
      return b.items.length ? { ul: b.items.map(printable), margin: [0, 0, 0, 6] } : notRecorded;
    case 'fields':
      return fieldsOf(b.fields);
    case 'table':
      return b.rows.length ? boundedTable(b.columns, b.rows, id) : notRecorded;
  }
}

function fieldsOf(fields: readonly [string, string][]): pdfmake.Content {
  return {
    table: {
      widths: ['auto', '*'],
      body: fields.map(([k, v]) => [{ text: printable(k), bold: true }, cell(v)]),
    },
    layout: 'noBorders',
    margin: [0, 0, 0, 8],
  };
}

export function deliverablePdfDefinition(doc: DeliverableDocument): pdfmake.DocumentDefinition {
  const d = doc.deliverable;
  const system = doc.facts.find(([k]) => k === 'System')?.[1] ?? '';
  const generated = doc.facts.find(([k]) => k === 'Generated')?.[1];
  const created = generated && !Number.isNaN(Date.parse(generated)) ? new Date(generated) : new Date(0);
  const title = `${d.title} — ${system}`;
  return {
    info: { title, subject: d.purpose, creator: 'golive', producer: 'golive (pdfmake)', creationDate: created },
    pageSize: 'A4',
    pageMargins: [40, 48, 40, 48],
    defaultStyle: { font: 'Roboto', fontSize: 9 },
    styles: {
      title: { fontSize: 16, bold: true, margin: [0, 0, 0, 6] },
      heading: { fontSize: 12, bold: true, margin: [0, 10, 0, 4] },
      draft: { bold: true, color: '#a00000', margin: [0, 0, 0, 6] },
    },
    footer: (page, pages) => ({
      text: `${printable(title)} · page ${page} of ${pages}`,
      fontSize: 7,
      margin: [40, 16],
    }),
    content: [
      ...(doc.draftNotice ? [{ text: doc.draftNotice, style: 'draft' }] : []),
      { text: printable(title), style: 'title' },
      { text: printable(d.purpose), margin: [0, 0, 0, 6] },
      fieldsOf(doc.facts),
      { text: `Serves: ${printable(obligationsLine(d.obligations))}`, italics: true, margin: [0, 0, 0, 6] },
      ...d.blocks.map((b) => pdfBlock(b, d.id)),
    ],
  };
}

/** The PDF's bytes (pdfmake lays out asynchronously). */
export async function deliverablePdf(doc: DeliverableDocument): Promise<Uint8Array> {
  const buffer = await pdfmake.createPdf(deliverablePdfDefinition(doc)).getBuffer();
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
