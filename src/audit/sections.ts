import type { RefusalEntry } from '../server/refusalLog';
import type { EvidenceItem, Step } from '../runbook/schema';
import { compensationFor } from '../runbook/compensation';
import type { DecisionRecord, EvidenceRecord, GoLiveInput, RunStateView } from '../../workflows/definitions';
import { materialiseSteps } from '../../workflows/steps';
import type { ChainedEntry } from './chain';
import { actorLabel } from './entries';
import { COLLABORATION_MODES, OBLIGATIONS, type Obligation } from './obligations';
import { leadershipEndorsement, scheduledOversight } from './postMarketSections';

/**
 * The dossier's deliverables, each generated from what the run recorded and mapped to the EU AI
 * Act obligation it serves. Sections find their data by step kind, action, phase and evidence
 * item ids/titles, so a custom runbook gets the sections it has data for; the rest say
 * "Not recorded in this run." Pure: a document model that the renderers print.
 */

export type Block =
  | { kind: 'heading'; text: string }
  | { kind: 'text'; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'fields'; fields: [string, string][] }
  /** Rows empty: the renderers print "Not recorded in this run." in its place. */
  | { kind: 'table'; columns: string[]; rows: string[][] };

export interface DossierSection {
  id: string;
  title: string;
  obligations: Obligation[];
  blocks: Block[];
}

export interface DossierContext {
  input: GoLiveInput;
  state: RunStateView;
  entries: readonly ChainedEntry[];
  refusals: readonly RefusalEntry[];
}

export const NOT_RECORDED = 'Not recorded in this run.';

// ---- shared helpers ----------------------------------------------------------------------------

type PlanItem = { step: Step & { kind: 'evidence' }; item: EvidenceItem };

function plan(ctx: DossierContext) {
  const steps = materialiseSteps(ctx.input.runbook).map((p) => p.step);
  const items: PlanItem[] = steps.flatMap((step) => (step.kind === 'evidence' ? step.items.map((item) => ({ step, item })) : []));
  return { steps, items };
}

const matches = (re: RegExp, ...texts: (string | undefined)[]) => texts.some((t) => t !== undefined && re.test(t));
const rolesText = (ctx: DossierContext, roles: readonly string[]) =>
  roles.length === 0 ? '—' : roles.map((r) => `${r} (${(ctx.input.assignments[r] ?? []).join(', ') || 'nobody'})`).join('; ');
const short = (hash: string | undefined) => (hash ? `${hash.slice(0, 16)}…` : '');

function valueText(value: unknown): string {
  if (value === true) return 'attested (true)';
  if (value && typeof value === 'object' && 'sha256' in value) {
    const d = value as { name?: string; sha256: string; url?: string };
    return `${d.name ?? 'document'} (sha256 ${d.sha256})${d.url ? ` ${d.url}` : ''}`;
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The latest submission of each matching item, or a row saying it is missing. */
function evidenceTable(ctx: DossierContext, items: readonly PlanItem[]): Block {
  const latest = (p: PlanItem): EvidenceRecord | undefined => ctx.state.evidence.filter((e) => e.stepId === p.step.id && e.itemId === p.item.id).at(-1);
  return {
    kind: 'table',
    columns: ['Item', 'Step', 'Value', 'Submitted by', 'At', 'SHA-256'],
    rows: items.map((p) => {
      const e = latest(p);
      return e
        ? [p.item.title, p.step.id, valueText(e.value) + (e.note ? ` — ${e.note}` : ''), `${e.submittedBy.id} (${e.role})`, e.at, e.sha256]
        : [p.item.title, p.step.id, p.item.optional ? 'not submitted (optional)' : 'NOT SUBMITTED', '', '', ''];
    }),
  };
}

function decisionTable(decisions: readonly DecisionRecord[]): Block {
  return {
    kind: 'table',
    columns: ['Step', 'Decision', 'By', 'Role', 'At', 'Comment', 'Evidence hash', 'Signed by their passkey'],
    rows: decisions.map((d) => [
      d.stepId,
      d.decision === 'approve' ? 'approved' : 'REJECTED',
      d.actor.id,
      d.role + (d.onBehalfOf ? ` for ${d.onBehalfOf}` : ''),
      d.at,
      d.comment ?? '',
      d.evidenceHash,
      // The assertion itself is in the trail's signed message; `golive verify` checks it.
      d.passkey ? `yes, credential ${d.passkey.credentialId.slice(0, 16)}…` : '',
    ]),
  };
}

function stepStatus(ctx: DossierContext, stepId: string): string {
  return ctx.state.steps.find((s) => s.id === stepId)?.status ?? 'unknown';
}

/** What an action left as evidence: the trail's summary of its completion or failure. */
function actionEvidence(ctx: DossierContext, stepId: string): string {
  const end = [...ctx.entries].reverse().find((e) => e.stepId === stepId && (e.kind === 'step-completed' || e.kind === 'step-failed'));
  return (end?.details.evidence as string | undefined) ?? (end?.details.error as string | undefined) ?? '';
}

function actionTable(ctx: DossierContext, steps: readonly Step[]): Block {
  return {
    kind: 'table',
    columns: ['Step', 'Action', 'Status', 'Figures'],
    rows: steps.map((s) => [`${s.id} — ${s.title}`, s.kind === 'action' ? s.action : s.kind, stepStatus(ctx, s.id), actionEvidence(ctx, s.id)]),
  };
}

// ---- the sections ------------------------------------------------------------------------------

function goLivePlan(ctx: DossierContext): DossierSection {
  const { steps } = plan(ctx);
  const after = new Map(materialiseSteps(ctx.input.runbook).map((p) => [p.step.id, p.after]));
  const roleTitles = ctx.input.runbook.roles;
  const rules: string[] = [];
  for (const s of steps) {
    if (s.kind === 'approval') rules.push(`"${s.title}": approvers ${rolesText(ctx, s.approvers.map((a) => a.role))} are asked for a decision when it starts.`);
    if (s.kind !== 'action') {
      for (const e of s.escalation) rules.push(`"${s.title}": after ${e.after}, ${rolesText(ctx, e.notify)} are told${e.delegateTo ? `, and ${e.delegateTo} may decide` : ''}.`);
    }
    if (s.kind === 'hypercare') rules.push(`Hypercare: every Red Button report goes to ${rolesText(ctx, [...new Set([...s.notifyOnReport, ...s.stopAuthority])])}.`);
    if (s.kind === 'action' && s.action === 'notify') rules.push(`"${s.title}": announcement (action notify).`);
  }
  rules.push(`Rollback: ${rolesText(ctx, [...new Set([...ctx.input.runbook.stopAuthority, ...ctx.input.runbook.rollbackAuthority])])} are told when the go-live is rolled back.`);
  const sent = ctx.entries.filter((e) => e.kind === 'notification');
  return {
    id: 'go-live-plan',
    title: 'Go-live plan',
    obligations: [OBLIGATIONS.deployer, OBLIGATIONS.qualityManagement, OBLIGATIONS.riskManagement],
    blocks: [
      { kind: 'heading', text: 'Deployment sequence' },
      {
        kind: 'table',
        columns: ['#', 'Step', 'Phase', 'Kind', 'After', 'Status'],
        rows: steps.map((s, i) => [String(i + 1), `${s.id} — ${s.title}`, s.phase ?? '', s.kind === 'action' ? `action: ${s.action}` : s.kind, (after.get(s.id) ?? []).join(', '), stepStatus(ctx, s.id)]),
      },
      { kind: 'heading', text: 'Rollback procedure (compensations, run in reverse order)' },
      {
        kind: 'table',
        columns: ['Step', 'Undo action', 'Ran in this run', 'Outcome'],
        rows: steps.flatMap((s) => {
          if (s.kind !== 'action') return [];
          const undo = compensationFor(s);
          if (!undo) return [];
          const ran = ctx.state.compensations.filter((c) => c.stepId === s.id).at(-1);
          return [[s.id, undo.action, ran ? 'yes' : 'no', ran ? `${ran.status}${ran.error ? `: ${ran.error}` : ''}` : '']];
        }),
      },
      { kind: 'heading', text: 'Communication plan' },
      { kind: 'table', columns: ['Role', 'Title', 'Responsibility', 'People'], rows: roleTitles.map((r) => [r.id, r.title, r.description?.trim() ?? '', (ctx.input.assignments[r.id] ?? []).join(', ')]) },
      { kind: 'list', items: rules },
      { kind: 'text', text: `${sent.length} notification(s) sent in this run (see the handover log).` },
    ],
  };
}

function oversight(ctx: DossierContext): DossierSection {
  const { steps, items } = plan(ctx);
  const rb = ctx.input.runbook;
  const mode = ctx.input.collaborationMode;
  const hypercare = steps.filter((s) => s.kind === 'hypercare');
  const oversightItems = items.filter((p) => matches(/oversight|escalation|intervention|autonom/i, p.item.id, p.item.title, p.step.phase));
  const oversightSteps = new Set(steps.filter((s) => matches(/oversight/i, s.id, s.title, s.phase)).map((s) => s.id));
  return {
    id: 'human-oversight-protocol',
    title: 'Human Oversight Protocol',
    obligations: [OBLIGATIONS.humanOversight, OBLIGATIONS.deployer],
    blocks: [
      { kind: 'heading', text: 'Autonomy levels per Collaboration Mode' },
      { kind: 'text', text: `This run: Collaboration Mode ${mode} — ${COLLABORATION_MODES[mode]?.name ?? 'unknown'}. The runbook allows modes ${rb.collaborationModes.join(', ')}.` },
      {
        kind: 'table',
        columns: ['Mode', 'Name', 'Autonomy', 'Oversight', 'This run'],
        rows: Object.entries(COLLABORATION_MODES).map(([m, d]) => [m, d.name, d.autonomy, d.oversight, Number(m) === mode ? '◀ this run' : rb.collaborationModes.includes(Number(m)) ? 'allowed' : 'not allowed']),
      },
      { kind: 'heading', text: 'Intervention procedures' },
      {
        kind: 'list',
        items: [
          `Stop the line (rolls back at once): ${rolesText(ctx, rb.stopAuthority)}.`,
          `Request a rollback: ${rolesText(ctx, rb.rollbackAuthority)}.`,
          ...hypercare.map((h) => (h.kind === 'hypercare' ? `During hypercare (${h.duration}): Red Button reports answered within ${h.responseDeadline}; stop authority ${rolesText(ctx, h.stopAuthority)}.` : '')),
          'Every approval needs a person other than the initiator (four-eyes); a rejection needs a comment and rolls the run back.',
        ],
      },
      { kind: 'heading', text: 'Escalation paths' },
      {
        kind: 'table',
        columns: ['Step', 'After', 'Notify', 'Delegate to', 'At the deadline'],
        rows: steps.flatMap((s) =>
          s.kind === 'action'
            ? []
            : s.escalation.map((e) => [s.id, e.after, rolesText(ctx, e.notify), e.delegateTo ?? '', s.kind === 'approval' ? `${s.onDeadline} (deadline ${s.deadline})` : s.kind === 'evidence' ? `hold${s.deadline ? ` (deadline ${s.deadline})` : ''}` : '']),
        ),
      },
      { kind: 'heading', text: 'Escalations that happened' },
      { kind: 'table', columns: ['At', 'Subject', 'Level', 'Notified', 'Delegated to'], rows: ctx.state.escalations.map((x) => [x.at, x.subject, String(x.level), x.notified.join(', '), x.delegatedTo ?? '']) },
      { kind: 'heading', text: 'Oversight protocol evidence' },
      evidenceTable(ctx, oversightItems),
      { kind: 'heading', text: 'Oversight sign-off' },
      decisionTable(ctx.state.decisions.filter((d) => oversightSteps.has(d.stepId))),
    ],
  };
}

function training(ctx: DossierContext): DossierSection {
  const { items } = plan(ctx);
  return {
    id: 'training-and-feedback',
    title: 'Training records and feedback channel',
    obligations: [OBLIGATIONS.aiLiteracy, OBLIGATIONS.deployer, OBLIGATIONS.postMarket],
    blocks: [evidenceTable(ctx, items.filter((p) => matches(/training|feedback|literacy/i, p.item.id, p.item.title, p.step.phase)))],
  };
}

const STABILITY_ACTIONS = ['load-test', 'stress-test', 'failover-test'];

function stability(ctx: DossierContext): DossierSection {
  const { steps } = plan(ctx);
  const actions = steps.filter((s) => s.kind === 'action');
  return {
    id: 'stability-and-rollback-drill',
    title: 'Stability and rollback-drill reports',
    obligations: [OBLIGATIONS.robustness, OBLIGATIONS.riskManagement],
    blocks: [
      { kind: 'heading', text: 'Stability tests' },
      actionTable(ctx, actions.filter((s) => STABILITY_ACTIONS.includes(s.action))),
      { kind: 'heading', text: 'Rollback drill' },
      actionTable(ctx, actions.filter((s) => s.action === 'rollback-drill')),
      { kind: 'text', text: 'The complete results (latency histograms, stages, measured times) are in dossier.json (state.steps[].result) and in the audit trail.' },
    ],
  };
}

function legal(ctx: DossierContext): DossierSection {
  const { items } = plan(ctx);
  const guardianRole = (role: string | undefined) => role !== undefined && /guardian/i.test(role);
  return {
    id: 'legal-dossier',
    title: 'Legal Dossier',
    obligations: [OBLIGATIONS.technicalDocumentation, OBLIGATIONS.riskManagement, OBLIGATIONS.qualityManagement],
    blocks: [
      { kind: 'heading', text: 'Risk pre-scan, validation reports, technical model card' },
      evidenceTable(ctx, items.filter((p) => matches(/risk|validation|model[- ]?card/i, p.item.id, p.item.title))),
      { kind: 'heading', text: 'Guardian approvals' },
      decisionTable(ctx.state.decisions.filter((d) => guardianRole(d.role) || guardianRole(d.onBehalfOf))),
    ],
  };
}

function accountability(ctx: DossierContext): DossierSection {
  const { steps, items } = plan(ctx);
  return {
    id: 'accountability-evidence',
    title: 'Accountability evidence: Hard Boundaries held in testing',
    obligations: [OBLIGATIONS.riskManagement, OBLIGATIONS.robustness, OBLIGATIONS.humanOversight],
    blocks: [
      evidenceTable(ctx, items.filter((p) => matches(/hard[- ]?boundar|boundar/i, p.item.id, p.item.title))),
      { kind: 'heading', text: 'Least-privilege and boundary checks run by golive' },
      actionTable(ctx, steps.filter((s) => s.kind === 'action' && s.action === 'access-verify')),
    ],
  };
}

function handoverLog(ctx: DossierContext): DossierSection {
  return {
    id: 'handover-log',
    title: 'Handover log',
    obligations: [OBLIGATIONS.recordKeeping, OBLIGATIONS.deployer],
    blocks: [
      { kind: 'text', text: 'Every change, validation and decision of the run, from its Temporal history and its own record, hash-chained (audit-trail.json).' },
      { kind: 'table', columns: ['#', 'At', 'What', 'Who', 'Step', 'Entry', 'Hash'], rows: ctx.entries.map((e) => [String(e.seq), e.at, e.kind, `${actorLabel(e.actor)}${e.actor && e.role ? ` (${e.role})` : ''}`, e.stepId ?? '', e.summary, short(e.hash)]) },
    ],
  };
}

const CHECK = (status: string) => (status === 'completed' ? '☑ done' : ['failed', 'rejected', 'compensation-failed'].includes(status) ? `☒ ${status}` : `☐ ${status}`);

function checklist(ctx: DossierContext): DossierSection {
  const { steps, items } = plan(ctx);
  const submitted = (p: PlanItem) => ctx.state.evidence.some((e) => e.stepId === p.step.id && e.itemId === p.item.id);
  return {
    id: 'operational-handover-checklist',
    title: 'Operational Handover Checklist',
    obligations: [OBLIGATIONS.deployer, OBLIGATIONS.qualityManagement],
    blocks: [
      {
        kind: 'table',
        columns: ['Item', 'Step', 'Status'],
        rows: [
          ...steps.flatMap((s) => [
            [s.title, s.id, CHECK(stepStatus(ctx, s.id))],
            ...items.filter((p) => p.step.id === s.id).map((p) => [`  · ${p.item.title}`, s.id, submitted(p) ? '☑ submitted' : p.item.optional ? '☐ optional, not submitted' : '☐ not submitted']),
          ]),
          ...ctx.state.reports.map((r) => [`Red Button report ${r.id} (${r.severity})`, 'hypercare', r.status === 'resolved' ? '☑ resolved' : r.status === 'closed' ? '☐ closed without a response' : '☐ open']),
        ],
      },
    ],
  };
}

function gate4(ctx: DossierContext): DossierSection {
  const { steps } = plan(ctx);
  const gate = steps.find((s) => s.kind === 'approval' && matches(/gate[-\s]*4/i, s.id, s.title, s.phase));
  const view = gate ? ctx.state.steps.find((s) => s.id === gate.id) : undefined;
  return {
    id: 'gate-4-decision',
    title: 'Gate 4 decision',
    obligations: [OBLIGATIONS.humanOversight, OBLIGATIONS.deployer],
    blocks: gate
      ? [
          { kind: 'fields', fields: [['Step', `${gate.id} — ${gate.title}`], ['Status', view?.status ?? 'unknown'], ['Approvers', gate.kind === 'approval' ? gate.approvers.map((a) => `${a.role} ×${a.quorum}`).join(', ') : ''], ['Covers evidence of', gate.kind === 'approval' ? gate.covers.join(', ') || '—' : '']] },
          decisionTable(ctx.state.decisions.filter((d) => d.stepId === gate.id)),
        ]
      : [{ kind: 'text', text: `${NOT_RECORDED} (The runbook has no approval step named Gate 4.)` }],
  };
}

/** Hypercare's automated analyses as run: what was watched, how often, and what it found. */
function analysesBlocks(ctx: DossierContext, hypercare: ReturnType<typeof plan>['steps']): DossierSection['blocks'] {
  const rows = hypercare.flatMap((h) => {
    if (h.kind !== 'hypercare') return [];
    const found = (ctx.state.steps.find((s) => s.id === h.id)?.result as { analyses?: { id: string; measurements: number; breaches: number }[] } | undefined)?.analyses ?? [];
    return (h.analyses ?? []).map((a) => {
      const status = found.find((f) => f.id === a.id);
      const bounds = [a.max !== undefined ? `≤ ${a.max}` : '', a.min !== undefined ? `≥ ${a.min}` : ''].filter(Boolean).join(', ');
      return [a.id, a.query, bounds, `${a.interval} × ${a.failureLimit}`, a.onBreach, String(status?.measurements ?? 0), String(status?.breaches ?? 0)];
    });
  });
  if (rows.length === 0) return [];
  return [
    { kind: 'heading', text: 'Automated analysis during hypercare' },
    { kind: 'table', columns: ['Analysis', 'Query', 'Bounds', 'Interval × failures', 'On breach', 'Measurements', 'Breaches'], rows },
  ];
}

function postMarket(ctx: DossierContext): DossierSection {
  const { steps } = plan(ctx);
  const monitoring = steps.filter((s) => s.kind === 'action' && (s.action.startsWith('monitoring-') || s.action === 'metrics-check'));
  const hypercare = steps.filter((s) => s.kind === 'hypercare');
  return {
    id: 'post-market-monitoring',
    title: 'Post-market monitoring and serious-incident reporting',
    obligations: [OBLIGATIONS.postMarket, OBLIGATIONS.seriousIncidents, OBLIGATIONS.deployer],
    blocks: [
      { kind: 'heading', text: 'Monitoring and alerting' },
      actionTable(ctx, monitoring),
      { kind: 'heading', text: 'Hypercare' },
      { kind: 'table', columns: ['Step', 'Duration', 'Response deadline', 'Status', 'Started', 'Ended'], rows: hypercare.map((h) => { const v = ctx.state.steps.find((s) => s.id === h.id); return [h.id, h.kind === 'hypercare' ? h.duration : '', h.kind === 'hypercare' ? h.responseDeadline : '', v?.status ?? '', v?.startedAt ?? '', v?.endedAt ?? '']; }) },
      ...analysesBlocks(ctx, hypercare),
      { kind: 'heading', text: 'Red Button reports (AI errors) and their resolution' },
      {
        kind: 'table',
        columns: ['Report', 'Severity', 'Reporter', 'At', 'Respond by', 'Status', 'Resolution'],
        rows: ctx.state.reports.map((r) => [r.id, r.severity, r.reporter, r.at, r.responseDueAt, r.status, r.resolution ? `${r.resolution.by.id} at ${r.resolution.at}: ${r.resolution.text}` : '']),
      },
    ],
  };
}

function refusals(ctx: DossierContext): DossierSection {
  return {
    id: 'refused-attempts',
    title: 'Refused attempts (from golive’s own log)',
    obligations: [OBLIGATIONS.recordKeeping, OBLIGATIONS.humanOversight],
    blocks: [
      { kind: 'text', text: 'Temporal keeps no trace of messages its validators refuse; golive logs them itself. They are shown apart from the hash-chained trail (refusals.json, covered by the manifest).' },
      { kind: 'table', columns: ['At', 'Who', 'Tried', 'Step/report', 'Refused because', 'By'], rows: ctx.refusals.map((r) => [r.at, r.actor, r.action, r.stepId ?? r.reportId ?? '', `${r.type}: ${r.reason}`, r.by]) },
    ],
  };
}

/** Every deliverable of issue 6, in the order an auditor reads them. */
export function buildSections(ctx: DossierContext): DossierSection[] {
  return [goLivePlan, oversight, training, stability, legal, accountability, handoverLog, checklist, gate4, postMarket, leadershipEndorsement, scheduledOversight, refusals].map((build) => build(ctx));
}
