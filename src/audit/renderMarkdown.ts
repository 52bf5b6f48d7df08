import type { Dossier } from './dossierModel';
import { NOT_RECORDED, type Block } from './sections';
import { obligationsLine, runFields } from './renderShared';
import { renderRows } from './rowChunks';

/** The dossier for people, as Markdown. Every value is escaped: run data is user input. */

export const escapeMd = (text: string) => text.replace(/([\\`*_[\]<>|#])/g, '\\$1').replace(/\r?\n/g, '<br>');

export function mdBlock(b: Block): string {
  switch (b.kind) {
    case 'heading':
      return `### ${escapeMd(b.text)}`;
    case 'text':
      return escapeMd(b.text);
    case 'list':
      return b.items.length ? b.items.map((i) => `- ${escapeMd(i)}`).join('\n') : `_${NOT_RECORDED}_`;
    case 'fields':
      return b.fields.map(([k, v]) => `- **${escapeMd(k)}:** ${escapeMd(v)}`).join('\n');
    case 'table':
      if (b.rows.length === 0) return `_${NOT_RECORDED}_`;
      return [
        `| ${b.columns.map(escapeMd).join(' | ')} |`,
        `| ${b.columns.map(() => '---').join(' | ')} |`,
        renderRows(b.rows, 'md', (rows) => rows.map((r) => `| ${r.map(escapeMd).join(' | ')} |`).join('\n'), '\n'),
      ].join('\n');
  }
}

export function renderMarkdown(d: Dossier): string {
  const draft = d.draftNotice ? `> **${escapeMd(d.draftNotice)}**\n\n` : '';
  const out = [
    `# ${escapeMd(d.title)}`,
    '',
    draft +
      runFields(d)
        .map(([k, v]) => `- **${escapeMd(k)}:** ${escapeMd(v)}`)
        .join('\n'),
    '',
  ];
  for (const s of d.sections) {
    out.push(`## ${escapeMd(s.title)}`, '');
    if (d.draftNotice) out.push(`> **${escapeMd(d.draftNotice)}**`, '');
    out.push(`_Serves: ${escapeMd(obligationsLine(s.obligations))}_`, '');
    for (const b of s.blocks) out.push(mdBlock(b), '');
  }
  return out.join('\n');
}
