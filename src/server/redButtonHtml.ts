import type { RunStateView } from '../contract/definitions';
import { documentOf } from '../audit/entries';
import { OBLIGATIONS } from '../audit/obligations';
import { escapeHtml, htmlBlock, STYLE } from '../audit/renderHtml';
import { obligationsLine } from '../audit/renderShared';
import type { Block, DossierSection } from '../audit/documents/blocks';
import { durationText, type Percentiles, type RedButtonFigures } from './redButtonFigures';

/**
 * The Red Button across runs as a dossier-style HTML document for the Monitoring phase: the same
 * self-contained page as the compliance dossier (no scripts, no external resources, every value
 * escaped), with the end users' feedback channel of each run alongside the reports. golive
 * records the channel (its link and description, evidence of the training-and-feedback step),
 * not the feedback people give there. Pure.
 */

export interface RunForExport {
  runId: string;
  state: Pick<RunStateView, 'system' | 'evidence'>;
}

const pct = (x: number | null) => (x === null ? '—' : `${Math.round(x * 1000) / 10} %`);
const timing = (label: string, p: Percentiles): string[] => [
  label,
  durationText(p.medianMs),
  durationText(p.p90Ms),
  String(p.count),
];
const named = (id: string | undefined, name: string | undefined) => (id && name ? `${name} (${id})` : (id ?? ''));

function figuresSection(f: RedButtonFigures): DossierSection {
  return {
    id: 'red-button-figures',
    title: 'Red Button figures',
    obligations: [OBLIGATIONS.postMarket, OBLIGATIONS.humanOversight],
    blocks: [
      {
        kind: 'fields',
        fields: [
          ['Reports', String(f.reports)],
          ['Runs with reports', String(f.runsWithReports)],
          ['Runs read (went live)', String(f.runs)],
          ['Runs that could not be read now', String(f.unread)],
          ['Older reports not counted (kept in the audit trails)', String(f.omittedReports)],
          ['Answered within the committed time', pct(f.shareAnsweredInTime)],
          ['Open, still within their deadline (not counted above)', String(f.withinDeadline)],
          ['Closed with the reporter', pct(f.shareClosedWithReporter)],
          ['Anonymous reports', String(f.anonymousReports)],
        ],
      },
      {
        kind: 'table',
        columns: ['Time to', 'Median', 'p90', 'Measured'],
        rows: [timing('first response', f.timeToFirstResponse), timing('resolution', f.timeToResolution)],
      },
      { kind: 'heading', text: 'Reports per system and severity' },
      {
        kind: 'table',
        columns: ['System', 'Severity', 'Reports', 'Open', 'Overdue'],
        rows: f.bySystemAndSeverity.map((g) => [g.system, g.severity, ...[g.reports, g.open, g.overdue].map(String)]),
      },
    ],
  };
}

function reportsSection(f: RedButtonFigures): DossierSection {
  return {
    id: 'red-button-reports',
    title: 'Reports, overdue first',
    obligations: [OBLIGATIONS.postMarket],
    blocks: [
      {
        kind: 'table',
        columns: [
          'System',
          'Run',
          'Report',
          'Severity',
          'Reported',
          'Respond by',
          'State',
          'Reporter',
          'First response',
          'Resolved by',
          'What',
        ],
        rows: f.list.map((r) => [
          r.system,
          r.runId,
          r.id,
          r.severity,
          r.at,
          r.responseDueAt,
          r.overdue ? 'overdue' : r.status,
          r.reporter === 'anonymous' ? 'anonymous' : named(r.reporter, r.reporterName),
          r.firstResponseAt ?? '',
          named(r.resolvedBy, r.resolvedByName),
          r.description,
        ]),
      },
      { kind: 'heading', text: 'Reporters recognised' },
      {
        kind: 'table',
        columns: ['Reporter', 'Reports', 'Answered', 'Thanked'],
        rows: f.recognition.map((r) => [
          named(r.reporter, r.name),
          String(r.reports),
          String(r.answered),
          String(r.thanked),
        ]),
      },
    ],
  };
}

function feedbackValue(value: unknown): string {
  const doc = documentOf(value);
  if (doc) return `${doc.name} (SHA-256 ${doc.sha256})${doc.url ? ` ${doc.url}` : ''}`;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function feedbackSection(runs: readonly RunForExport[]): DossierSection {
  const rows = runs.flatMap(({ runId, state }) =>
    state.evidence
      .filter((e) => /feedback/i.test(e.itemId))
      .map((e) => [
        state.system,
        runId,
        e.itemId,
        feedbackValue(e.value),
        named(e.submittedBy.id, e.submittedBy.name),
        e.at,
      ]),
  );
  const blocks: Block[] = [
    {
      kind: 'text',
      text: 'Where end users give feedback on the AI, as each run recorded it (training and feedback step). golive keeps the channel, not the feedback given there: follow the links for it.',
    },
    { kind: 'table', columns: ['System', 'Run', 'Item', 'Feedback channel', 'Submitted by', 'At'], rows },
  ];
  return { id: 'user-feedback', title: 'User feedback channels', obligations: [OBLIGATIONS.postMarket], blocks };
}

export function redButtonHtml(f: RedButtonFigures, runs: readonly RunForExport[], filter: string): string {
  const title = 'Red Button across runs — Monitoring';
  const sections = [figuresSection(f), reportsSection(f), feedbackSection(runs)]
    .map(
      (s) =>
        `<section id="${escapeHtml(s.id)}"><h2>${escapeHtml(s.title)}</h2><p class="obligations">Serves: ${escapeHtml(obligationsLine(s.obligations))}</p>${s.blocks.map(htmlBlock).join('\n')}</section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
<dl><dt>Generated</dt><dd>${escapeHtml(f.generatedAt)}</dd><dt>Runs</dt><dd>${escapeHtml(filter || 'every run you may read that went live')}</dd></dl>
${sections}
</body></html>
`;
}
