import { escapeHtml, htmlBlock, STYLE } from '../renderHtml';
import { escapeMd, mdBlock } from '../renderMarkdown';
import { obligationsLine } from '../renderShared';
import type { DossierContext } from './blocks';
import { buildDeliverable } from './index';
import type { Deliverable, DeliverableId } from './model';
import { draftNoticeOf, runFactsOf } from './runFacts';

/**
 * One deliverable as a file of its own (HTML and Markdown in the dossier; the web UI prints the
 * same model in the app's layout): the run's facts, a draft notice while the run is open, what
 * the document is for, the obligations it serves, then its blocks. Pure.
 */

export interface DeliverableDocument {
  deliverable: Deliverable;
  /** The run's facts the document opens with (system, target, runbook, mode by name, people). */
  facts: [string, string][];
  draftNotice?: string;
}

export function deliverableDocument(
  ctx: DossierContext,
  id: DeliverableId,
  workflowId: string,
  generatedAt: string,
): DeliverableDocument {
  const draftNotice = draftNoticeOf(ctx);
  return {
    deliverable: buildDeliverable(ctx, id),
    facts: runFactsOf(ctx, workflowId, generatedAt),
    ...(draftNotice ? { draftNotice } : {}),
  };
}

const titleOf = (doc: DeliverableDocument) =>
  `${doc.deliverable.title} — ${doc.facts.find(([k]) => k === 'System')?.[1] ?? ''}`;

export function deliverableHtml(doc: DeliverableDocument): string {
  const d = doc.deliverable;
  const draft = doc.draftNotice ? `<p class="draft page">${escapeHtml(doc.draftNotice)}</p>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(titleOf(doc))}</title><style>${STYLE}</style></head>
<body>${draft}
<h1>${escapeHtml(titleOf(doc))}</h1>
<p>${escapeHtml(d.purpose)}</p>
<dl>${doc.facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>
<p class="obligations">Serves: ${escapeHtml(obligationsLine(d.obligations))}</p>
<section id="${escapeHtml(d.id)}">${d.blocks.map(htmlBlock).join('\n')}</section>
</body></html>
`;
}

export function deliverableMarkdown(doc: DeliverableDocument): string {
  const d = doc.deliverable;
  const out = [`# ${escapeMd(titleOf(doc))}`, ''];
  if (doc.draftNotice) out.push(`> **${escapeMd(doc.draftNotice)}**`, '');
  out.push(
    escapeMd(d.purpose),
    '',
    doc.facts.map(([k, v]) => `- **${escapeMd(k)}:** ${escapeMd(v)}`).join('\n'),
    '',
    `_Serves: ${escapeMd(obligationsLine(d.obligations))}_`,
    '',
  );
  for (const b of d.blocks) out.push(mdBlock(b), '');
  return out.join('\n');
}
