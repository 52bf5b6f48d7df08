import path from 'node:path';
import pdfmake from 'pdfmake';
import { obligationsLine } from '../renderShared';
import { NOT_RECORDED, type Block } from './blocks';
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

const FONT_DIR = path.join(path.dirname(require.resolve('pdfmake/package.json')), 'fonts', 'Roboto');
const FONT_FILES = {
  normal: path.join(FONT_DIR, 'Roboto-Regular.ttf'),
  bold: path.join(FONT_DIR, 'Roboto-Medium.ttf'),
  italics: path.join(FONT_DIR, 'Roboto-Italic.ttf'),
  bolditalics: path.join(FONT_DIR, 'Roboto-MediumItalic.ttf'),
};
const ALLOWED_FILES = new Set(Object.values(FONT_FILES));

// The documents hold no images or links to fetch: pdfmake may read the four font files, nothing else.
pdfmake.setFonts({ Roboto: FONT_FILES });
pdfmake.setUrlAccessPolicy(() => false);
pdfmake.setLocalAccessPolicy((file) => ALLOWED_FILES.has(file));

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

export function pdfBlock(b: Block): pdfmake.Content {
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
      return b.rows.length ? tableOf(b.columns, b.rows) : notRecorded;
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
      ...d.blocks.map(pdfBlock),
    ],
  };
}

/** The PDF's bytes (pdfmake lays out asynchronously). */
export async function deliverablePdf(doc: DeliverableDocument): Promise<Uint8Array> {
  const buffer = await pdfmake.createPdf(deliverablePdfDefinition(doc)).getBuffer();
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
