import type { Dossier } from './dossierModel';
import { NOT_RECORDED, type Block } from './sections';
import { obligationsLine, runFields } from './renderShared';
import { renderRows } from './rowChunks';
import { DELIVERABLE_IDS, deliverableFile, deliverableTitle } from './documents/model';

/**
 * The dossier for people, as one self-contained HTML page: no scripts, no external resources
 * (the CSP forbids both), every value escaped. A draft repeats its notice on every section and,
 * printed, at the top of every page.
 */

export const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

// Phones: each table scrolls inside its own box rather than squeezing its columns, short values
// (numbers, statuses, times, ids) never break, and long text wraps at spaces.
export const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1a1a1a}
.table{overflow-x:auto;max-width:100%;margin:.5rem 0;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.25rem .4rem;text-align:left;vertical-align:top;overflow-wrap:break-word}
td.text{min-width:12rem}.short{white-space:nowrap}dd{overflow-wrap:anywhere}
th{background:#f3f3f3}.obligations{color:#555;font-style:italic}.empty{color:#777;font-style:italic}
.draft{background:#fff3cd;border:2px solid #c90;padding:.4rem .6rem;font-weight:bold}
section{page-break-inside:auto;margin-top:2rem}
@media (max-width:40rem){body{margin:1rem auto;padding:0 .6rem}}
@media print{.draft.page{position:fixed;top:0;left:0;right:0}.table{overflow:visible}}`;

/** Values this long or with a space are text, which may wrap; shorter single words may not. */
const SHORT_VALUE = 24;

/** Per column: "short" when every value is a short single word (a number, status, time, id). */
function columnClasses(columns: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return columns.map((_, i) =>
    rows.every((r) => (r[i] ?? '').length <= SHORT_VALUE && !/\s/.test(r[i] ?? '')) ? 'short' : 'text',
  );
}

export function htmlBlock(b: Block): string {
  switch (b.kind) {
    case 'heading':
      return `<h3>${escapeHtml(b.text)}</h3>`;
    case 'text':
      return `<p>${escapeHtml(b.text)}</p>`;
    case 'list':
      return b.items.length
        ? `<ul>${b.items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`
        : `<p class="empty">${NOT_RECORDED}</p>`;
    case 'fields':
      return `<dl>${b.fields.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;
    case 'table':
      if (b.rows.length === 0) return `<p class="empty">${NOT_RECORDED}</p>`;
      {
        const classes = columnClasses(b.columns, b.rows);
        const head = b.columns.map((c, i) => `<th class="${classes[i]}">${escapeHtml(c)}</th>`).join('');
        const body = renderRows(
          b.rows,
          `html ${classes.join(' ')}`,
          (rows) =>
            rows
              .map(
                (r) =>
                  `<tr>${r.map((c, i) => `<td class="${classes[i] ?? 'text'}">${escapeHtml(c)}</td>`).join('')}</tr>`,
              )
              .join(''),
          '',
        );
        return `<div class="table"><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
      }
  }
}

export function renderHtml(d: Dossier): string {
  const draft = (cls: string) => (d.draftNotice ? `<p class="draft ${cls}">${escapeHtml(d.draftNotice)}</p>` : '');
  const sections = d.sections
    .map(
      (s) =>
        `<section id="${escapeHtml(s.id)}"><h2>${escapeHtml(s.title)}</h2>${draft('')}<p class="obligations">Serves: ${escapeHtml(obligationsLine(s.obligations))}</p>${s.blocks.map(htmlBlock).join('\n')}</section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(d.title)}</title><style>${STYLE}</style></head>
<body>${draft('page')}
<h1>${escapeHtml(d.title)}</h1>
<dl>${runFields(d)
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
    .join('')}</dl>
<nav><ol>${d.sections.map((s) => `<li><a href="#${escapeHtml(s.id)}">${escapeHtml(s.title)}</a></li>`).join('')}</ol>
<p>The five deliverables, each also a document of its own: ${DELIVERABLE_IDS.map((id) => `<a href="${deliverableFile(id, 'html')}">${escapeHtml(deliverableTitle(id))}</a> (<a href="${deliverableFile(id, 'md')}">Markdown</a>, <a href="${deliverableFile(id, 'pdf')}">PDF</a>)`).join(', ')}.</p></nav>
${sections}
</body></html>
`;
}
