import type { Block } from '../../audit/documents/blocks';
import {
  DELIVERABLE_IDS,
  DELIVERABLE_TITLES,
  type DeliverableFormat,
  type DeliverableId,
} from '../../audit/documents/model';
import type { DeliverableDocument } from '../../audit/documents/render';
import { NOT_RECORDED } from '../../audit/documents/blocks';
import { obligationsLine } from '../../audit/renderShared';
import { html, type SafeHtml } from './html';

/**
 * One of the five deliverables as a page of the web UI: the same document model the dossier's
 * files print, in the app's layout (tables stack into labelled rows on a phone), with the other
 * four one click away and its HTML, Markdown and PDF files to download. Everything is escaped by
 * `html`: evidence values and comments are what people typed.
 */

export interface DocumentPageView {
  runId: string;
  id: DeliverableId;
  doc: DeliverableDocument;
}

const api = (runId: string, id: DeliverableId, format: DeliverableFormat) =>
  `/api/runs/${encodeURIComponent(runId)}/documents/${id}?format=${format}`;

/**
 * Longer than the words people write: an id, a hash, a link or an address. Only these may break
 * anywhere (style.css), so a table's columns are never squeezed below their longest word while
 * a 64-character hash cannot widen one past the page.
 */
const LONG_TOKEN = /(\S{25,})/;

function cellText(text: string): SafeHtml {
  return html`${text.split(LONG_TOKEN).map((part, i) => (i % 2 ? html`<span class="long-token">${part}</span>` : part))}`;
}

function table(b: Extract<Block, { kind: 'table' }>): SafeHtml {
  if (b.rows.length === 0) return html`<p class="empty">${NOT_RECORDED}</p>`;
  return html`<div class="table-wrap"><table class="runs document">
  <thead><tr>${b.columns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
  <tbody>${b.rows.map((r) => html`<tr>${r.map((cell, i) => html`<td data-label="${b.columns[i] ?? ''}">${cellText(cell)}</td>`)}</tr>`)}</tbody>
</table></div>`;
}

function block(b: Block): SafeHtml {
  switch (b.kind) {
    case 'heading':
      return html`<h2>${b.text}</h2>`;
    case 'text':
      return html`<p>${b.text}</p>`;
    case 'list':
      return b.items.length
        ? html`<ul>${b.items.map((i) => html`<li>${i}</li>`)}</ul>`
        : html`<p class="empty">${NOT_RECORDED}</p>`;
    case 'fields':
      return html`<dl class="facts">${b.fields.map(([k, v]) => html`<div><dt>${k}</dt><dd>${v}</dd></div>`)}</dl>`;
    case 'table':
      return table(b);
  }
}

/** Links to the five deliverables of a run, the current one marked. */
export function documentsNav(runId: string, current?: DeliverableId): SafeHtml {
  return html`<nav class="links documents" aria-label="Deliverables">${DELIVERABLE_IDS.map((id) =>
    id === current
      ? html`<strong aria-current="page">${DELIVERABLE_TITLES[id]}</strong>`
      : html`<a href="/runs/${encodeURIComponent(runId)}/documents/${id}">${DELIVERABLE_TITLES[id]}</a>`,
  )}</nav>`;
}

export function documentPage(v: DocumentPageView): SafeHtml {
  const d = v.doc.deliverable;
  return html`<div class="run-head">
  <h1>${d.title} <small>· <a href="/runs/${encodeURIComponent(v.runId)}">${v.doc.facts.find(([k]) => k === 'System')?.[1]}</a></small></h1>
  ${v.doc.draftNotice && html`<p class="flash draft" role="status">${v.doc.draftNotice}</p>`}
  <p>${d.purpose}</p>
  <dl class="facts">${v.doc.facts.map(([k, val]) => html`<div><dt>${k}</dt><dd>${val}</dd></div>`)}</dl>
  <p class="hint">Serves: ${obligationsLine(d.obligations)}</p>
  <p class="links"><a href="${api(v.runId, v.id, 'html')}" download>Download (HTML)</a> <a href="${api(v.runId, v.id, 'md')}" download>Download (Markdown)</a> <a href="${api(v.runId, v.id, 'pdf')}" download>Download (PDF, to print)</a></p>
  ${documentsNav(v.runId, v.id)}
</div>
<article class="document" id="${d.id}">${d.blocks.map(block)}</article>`;
}
