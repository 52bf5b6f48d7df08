import { OBLIGATIONS, GDPR } from '../obligations';
import type { ChainedEntry } from '../chain';
import {
  actionTable,
  decisionTable,
  evidenceTable,
  matches,
  NOT_RECORDED,
  people,
  plan,
  stepStatus,
  type Block,
  type DossierContext,
  type DossierSection,
  type PlanItem,
} from './blocks';

/**
 * The parts of the compliance dossier, each mapped to the obligation it serves: EU AI Act
 * (validation reports, stability and rollback drill, model card, Guardian approvals,
 * accountability evidence, Gate 4, post-market monitoring, handover log), GDPR and sector rules.
 * The Compliance Dossier document and the full dossier (index.html) print them. Pure.
 */

const STABILITY_ACTIONS = ['load-test', 'stress-test', 'failover-test'];

export function stability(ctx: DossierContext): DossierSection {
  const actions = plan(ctx).steps.filter((s) => s.kind === 'action');
  return {
    id: 'stability-and-rollback-drill',
    title: 'Stability and rollback-drill reports',
    obligations: [OBLIGATIONS.robustness, OBLIGATIONS.riskManagement],
    blocks: [
      { kind: 'heading', text: 'Stability tests' },
      actionTable(
        ctx,
        actions.filter((s) => STABILITY_ACTIONS.includes(s.action)),
      ),
      { kind: 'heading', text: 'Rollback drill' },
      actionTable(
        ctx,
        actions.filter((s) => s.action === 'rollback-drill'),
      ),
      {
        kind: 'text',
        text: 'The complete results (latency histograms, stages, measured times) are in dossier.json (state.steps[].result) and in the audit trail.',
      },
    ],
  };
}

export function legal(ctx: DossierContext): DossierSection {
  const { items } = plan(ctx);
  const guardianRole = (role: string | undefined) => role !== undefined && /guardian/i.test(role);
  return {
    id: 'legal-dossier',
    title: 'Legal Dossier: risk pre-scan, validation reports, model card, Guardian approvals',
    obligations: [OBLIGATIONS.technicalDocumentation, OBLIGATIONS.riskManagement, OBLIGATIONS.qualityManagement],
    blocks: [
      { kind: 'heading', text: 'Risk pre-scan, validation reports, technical model card' },
      evidenceTable(
        ctx,
        items.filter((p) => matches(/risk|validation|model[- ]?card/i, p.item.id, p.item.title)),
      ),
      { kind: 'heading', text: 'Guardian approvals' },
      decisionTable(
        ctx,
        ctx.state.decisions.filter((d) => guardianRole(d.role) || guardianRole(d.onBehalfOf)),
      ),
    ],
  };
}

export function accountability(ctx: DossierContext): DossierSection {
  const { steps, items } = plan(ctx);
  return {
    id: 'accountability-evidence',
    title: 'Accountability evidence: Hard Boundaries held in testing',
    obligations: [OBLIGATIONS.riskManagement, OBLIGATIONS.robustness, OBLIGATIONS.humanOversight],
    blocks: [
      evidenceTable(
        ctx,
        items.filter((p) => matches(/hard[- ]?boundar|boundar/i, p.item.id, p.item.title)),
      ),
      { kind: 'heading', text: 'Least-privilege and boundary checks run by golive' },
      actionTable(
        ctx,
        steps.filter((s) => s.kind === 'action' && s.action === 'access-verify'),
      ),
    ],
  };
}

/** A GDPR point: the item the runbook has for it, or a row saying the runbook asks for none. */
function gdprRow(ctx: DossierContext, items: readonly PlanItem[], re: RegExp, what: string): PlanItem[] {
  const found = items.filter((p) => matches(re, p.item.id, p.item.title));
  return found.length > 0
    ? found
    : [
        {
          step: { id: '', kind: 'evidence', title: '', items: [], escalation: [] } as unknown as PlanItem['step'],
          item: {
            id: `missing-${what}`,
            title: `${what} — the runbook asks for no such evidence`,
            type: 'text',
            submittedBy: [],
            optional: true,
          },
        },
      ];
}

export function gdpr(ctx: DossierContext): DossierSection {
  const { items } = plan(ctx);
  return {
    id: 'gdpr',
    title: 'GDPR: data protection',
    obligations: [GDPR.dpia, GDPR.lawfulBasis, GDPR.records, GDPR.dpo, GDPR.automatedDecisions],
    blocks: [
      {
        kind: 'text',
        text: 'The personal data the AI system processes, on which lawful basis, the data protection impact assessment and the data protection officer’s opinion, as submitted in this run.',
      },
      evidenceTable(ctx, [
        ...gdprRow(ctx, items, /dpia|impact[- ]assessment/i, 'Data protection impact assessment (DPIA reference)'),
        ...gdprRow(ctx, items, /lawful[- ]basis/i, 'Lawful basis'),
        ...gdprRow(ctx, items, /personal[- ]data|data[- ]categor/i, 'Categories of personal data'),
        ...gdprRow(ctx, items, /dpo|data[- ]protection[- ]officer/i, 'Data protection officer consulted'),
      ]),
    ],
  };
}

export function sectorRules(ctx: DossierContext): DossierSection {
  const { items } = plan(ctx);
  const found = items.filter((p) => matches(/sector/i, p.item.id, p.item.title));
  return {
    id: 'sector-rules',
    title: 'Sector rules',
    obligations: [OBLIGATIONS.qualityManagement],
    blocks: found.length
      ? [evidenceTable(ctx, found)]
      : [{ kind: 'text', text: `${NOT_RECORDED} (The runbook asks for no sector-rules assessment.)` }],
  };
}

const short = (hash: string) => `${hash.slice(0, 16)}…`;

export function handoverLog(ctx: DossierContext): DossierSection {
  const who = people(ctx);
  return recordsSection(
    {
      id: 'handover-log',
      title: 'Handover log',
      obligations: [OBLIGATIONS.recordKeeping, OBLIGATIONS.deployer],
    },
    'Every change, validation and decision of the run, from its Temporal history and its own record, hash-chained (audit-trail.json).',
    ['#', 'At', 'What', 'Who', 'Step', 'Entry', 'Hash'],
    ctx.entries.map((e) =>
      rowOf(e, who.key, () => [
        String(e.seq),
        e.at,
        e.kind,
        e.actor ? (e.role ? who.inRole(e.actor, e.role) : who.person(e.actor)) : 'golive',
        e.stepId ?? '',
        e.summary,
        short(e.hash),
      ]),
    ),
  );
}

/**
 * The handover log's row of an entry, the same array for the same chained link while the names
 * it shows are the same: an open run's next export hands the renderers the rows it had, and
 * rowChunks.ts copies the text of a chunk of rows it printed before without digesting it.
 */
const handoverRows = new WeakMap<ChainedEntry, { names: string; row: string[] }>();

function rowOf(entry: ChainedEntry, names: string, make: () => string[]): string[] {
  const kept = handoverRows.get(entry);
  if (kept?.names === names) return kept.row;
  const row = make();
  handoverRows.set(entry, { names, row });
  return row;
}

/** A section of records: where they come from, in words, then the records as a table. */
function recordsSection(
  head: Pick<DossierSection, 'id' | 'title' | 'obligations'>,
  source: string,
  columns: string[],
  rows: string[][],
): DossierSection {
  return {
    ...head,
    blocks: [
      { kind: 'text', text: source },
      { kind: 'table', columns, rows },
    ],
  };
}

/** The handover log in a few lines, for documents that point to the full one. */
export function handoverLogSummary(ctx: DossierContext): Block[] {
  const head = ctx.entries.at(-1)?.hash ?? '';
  return [
    {
      kind: 'fields',
      fields: [
        ['Entries', String(ctx.entries.length)],
        ['Chain head', head || '—'],
        ['Where', 'audit-trail.json in this dossier (and the Audit trail page of the run); verify with golive verify'],
      ],
    },
  ];
}

export function gate4Step(ctx: DossierContext) {
  return plan(ctx).steps.find((s) => s.kind === 'approval' && matches(/gate[-\s]*4/i, s.id, s.title, s.phase));
}

export function gate4(ctx: DossierContext): DossierSection {
  const gate = gate4Step(ctx);
  const who = people(ctx);
  return {
    id: 'gate-4-decision',
    title: 'Gate 4 decision',
    obligations: [OBLIGATIONS.humanOversight, OBLIGATIONS.deployer],
    blocks:
      gate?.kind === 'approval'
        ? [
            {
              kind: 'fields',
              fields: [
                ['Step', gate.title],
                ['Status', stepStatus(ctx, gate.id)],
                ['Who decides', gate.approvers.map((a) => `${who.role(a.role)} (${a.quorum} needed)`).join('; ')],
                [
                  'Covers evidence of',
                  gate.covers.map((c) => plan(ctx).steps.find((s) => s.id === c)?.title ?? c).join(', ') || '—',
                ],
              ],
            },
            decisionTable(
              ctx,
              ctx.state.decisions.filter((d) => d.stepId === gate.id),
            ),
          ]
        : [{ kind: 'text', text: `${NOT_RECORDED} (The runbook has no approval step named Gate 4.)` }],
  };
}

/** Hypercare's automated analyses as run: what was watched, how often, and what it found. */
function analysesBlocks(ctx: DossierContext): Block[] {
  const rows = plan(ctx).steps.flatMap((h) => {
    if (h.kind !== 'hypercare') return [];
    const found =
      (
        ctx.state.steps.find((s) => s.id === h.id)?.result as
          { analyses?: { id: string; measurements: number; breaches: number }[] } | undefined
      )?.analyses ?? [];
    return (h.analyses ?? []).map((a) => {
      const status = found.find((f) => f.id === a.id);
      const bounds = [a.max !== undefined ? `≤ ${a.max}` : '', a.min !== undefined ? `≥ ${a.min}` : '']
        .filter(Boolean)
        .join(', ');
      return [
        a.title ?? a.id,
        a.query,
        bounds,
        `${a.interval} × ${a.failureLimit}`,
        a.onBreach,
        String(status?.measurements ?? 0),
        String(status?.breaches ?? 0),
      ];
    });
  });
  if (rows.length === 0) return [];
  return [
    { kind: 'heading', text: 'Automated analysis during hypercare' },
    {
      kind: 'table',
      columns: ['Analysis', 'Query', 'Bounds', 'Interval × failures', 'On breach', 'Measurements', 'Breaches'],
      rows,
    },
  ];
}

/** The hypercare watch of the target: what golive compares with the go-live's baseline. */
export function watchBlocks(ctx: DossierContext): Block[] {
  const rows = plan(ctx).steps.flatMap((h) => {
    if (h.kind !== 'hypercare' || !h.watch) return [];
    const w = (
      ctx.state.steps.find((s) => s.id === h.id)?.result as
        | { watch?: { readings: number; reports: number; changed: Record<string, unknown>; baselineAt?: string } }
        | undefined
    )?.watch;
    return h.watch.probes.map((p) => [
      p.title ?? p.id,
      p.url,
      p.select.join(', '),
      `every ${h.watch!.interval}`,
      w?.baselineAt ?? 'not yet',
      w ? (p.id in w.changed ? 'CHANGED' : 'as left') : '—',
    ]);
  });
  if (rows.length === 0) return [];
  return [
    { kind: 'heading', text: 'Watch of the production target' },
    { kind: 'table', columns: ['Probe', 'URL', 'Fields', 'Read', 'Baseline', 'Now'], rows },
  ];
}

export function postMarket(ctx: DossierContext): DossierSection {
  const { steps } = plan(ctx);
  const who = people(ctx);
  const monitoring = steps.filter(
    (s) => s.kind === 'action' && (s.action.startsWith('monitoring-') || s.action === 'metrics-check'),
  );
  const hypercare = steps.filter((s) => s.kind === 'hypercare');
  return {
    id: 'post-market-monitoring',
    title: 'Post-market monitoring and serious-incident reporting',
    obligations: [OBLIGATIONS.postMarket, OBLIGATIONS.seriousIncidents, OBLIGATIONS.deployer],
    blocks: [
      { kind: 'heading', text: 'Monitoring and alerting' },
      actionTable(ctx, monitoring),
      { kind: 'heading', text: 'Hypercare' },
      {
        kind: 'table',
        columns: ['Step', 'Duration', 'Response deadline', 'Status', 'Started', 'Ended'],
        rows: hypercare.map((h) => {
          const v = ctx.state.steps.find((s) => s.id === h.id);
          return [
            h.title,
            h.kind === 'hypercare' ? h.duration : '',
            h.kind === 'hypercare' ? h.responseDeadline : '',
            stepStatus(ctx, h.id),
            v?.startedAt ?? '',
            v?.endedAt ?? '',
          ];
        }),
      },
      ...analysesBlocks(ctx),
      ...watchBlocks(ctx),
      { kind: 'heading', text: 'Red Button reports (AI errors) and their resolution' },
      {
        kind: 'table',
        columns: ['Report', 'Severity', 'Reporter', 'At', 'Respond by', 'Status', 'Resolution'],
        rows: ctx.state.reports.map((r) => [
          r.id,
          r.severity,
          r.reporter === 'anonymous' ? 'anonymous' : who.person(r.reporter),
          r.at,
          r.responseDueAt,
          r.status,
          r.resolution ? `${who.person(r.resolution.by.id)} at ${r.resolution.at}: ${r.resolution.text}` : '',
        ]),
      },
    ],
  };
}

export function refusals(ctx: DossierContext): DossierSection {
  const who = people(ctx);
  return recordsSection(
    {
      id: 'refused-attempts',
      title: 'Refused attempts (from golive’s own log)',
      obligations: [OBLIGATIONS.recordKeeping, OBLIGATIONS.humanOversight],
    },
    'Temporal keeps no trace of messages its validators refuse; golive logs them itself. They are shown apart from the hash-chained trail (refusals.json, covered by the manifest).',
    ['At', 'Who', 'Tried', 'Step/report', 'Refused because', 'By'],
    ctx.refusals.map((r) => [
      r.at,
      who.person(r.actor),
      r.action,
      r.stepId ?? r.reportId ?? '',
      `${r.type}: ${r.reason}`,
      r.by,
    ]),
  );
}
