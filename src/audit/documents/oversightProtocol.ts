import type { Step } from '../../contract/schemas/runbook';
import { COLLABORATION_MODES, OBLIGATIONS } from '../obligations';
import {
  decisionTable,
  evidenceTable,
  matches,
  people,
  plan,
  rolesText,
  stepTitle,
  type Block,
  type DossierContext,
} from './blocks';
import { AUTONOMY_WORDS, autonomyOf, type Autonomy } from './autonomy';
import { DELIVERABLE_TITLES, type Deliverable } from './model';
import { modeLabel } from './people';

/**
 * The Human Oversight Protocol, generated for the run's Collaboration Mode: what the AI may do
 * alone, what needs a person's approval, what is prohibited (from the runbook's AI activities);
 * how people intervene; the escalation paths with named people, contacts and response times;
 * the oversight evidence and the Guardian's sign-off. Pure.
 */

function autonomy(ctx: DossierContext): Block[] {
  const mode = ctx.input.collaborationMode;
  const activities = ctx.input.runbook.oversight?.aiActivities ?? [];
  const meaning = COLLABORATION_MODES[mode];
  const header: Block[] = [
    { kind: 'heading', text: `Collaboration Mode of this run: ${modeLabel(mode)}` },
    ...(meaning
      ? [
          {
            kind: 'fields',
            fields: [
              ['Autonomy', meaning.autonomy],
              ['Oversight', meaning.oversight],
            ],
          } as Block,
        ]
      : []),
  ];
  if (activities.length === 0)
    return [
      ...header,
      {
        kind: 'text',
        text: 'The runbook declares no AI activities (oversight.aiActivities), so no autonomy matrix can be generated.',
      },
    ];
  const inMode = (level: Autonomy) =>
    activities
      .filter((a) => autonomyOf(a, mode) === level)
      .map((a) => `${a.title}${a.rationale ? ` — ${a.rationale}` : ''}`);
  const modes = [1, 2, 3, 4, 5];
  return [
    ...header,
    { kind: 'heading', text: 'What the AI does alone in this mode' },
    { kind: 'list', items: inMode('alone') },
    { kind: 'heading', text: 'What needs a person’s approval first' },
    { kind: 'list', items: inMode('approval') },
    { kind: 'heading', text: 'What is prohibited' },
    { kind: 'list', items: inMode('prohibited') },
    { kind: 'heading', text: 'Autonomy matrix per Collaboration Mode' },
    {
      kind: 'table',
      columns: ['AI activity', ...modes.map((m) => `Mode ${m}${m === mode ? ' (this run)' : ''}`)],
      rows: activities.map((a) => [a.title, ...modes.map((m) => AUTONOMY_WORDS[autonomyOf(a, m)])]),
    },
    {
      kind: 'text',
      text: `The runbook allows modes ${ctx.input.runbook.collaborationModes.map(modeLabel).join('; ')}.`,
    },
  ];
}

function interventions(ctx: DossierContext): Block[] {
  const rb = ctx.input.runbook;
  const items: string[] = [
    `Stop the line — rolls production back at once, at any time while the run is open: ${rolesText(ctx, rb.stopAuthority)}.`,
    `Request a rollback: ${rolesText(ctx, rb.rollbackAuthority)}.`,
    'Reject any approval with a comment: the run rolls back. Nobody approves their own run or evidence they submitted (four-eyes, separation of duties).',
  ];
  for (const s of plan(ctx).steps) {
    if (s.kind !== 'hypercare') continue;
    items.push(
      `Red Button during hypercare (${s.duration}): anyone involved reports an AI error, also anonymously; it goes to ${rolesText(ctx, [...s.notifyOnReport, ...s.stopAuthority])} and must be answered within ${s.responseDeadline}. Stop authority then: ${rolesText(ctx, s.stopAuthority)}.`,
    );
    for (const a of s.analyses ?? [])
      items.push(
        `Automated analysis "${a.title ?? a.id}": ${a.failureLimit} failed measurement(s) in a row (every ${a.interval}) raise a Red Button report${a.onBreach === 'stop' ? ' and stop the line' : ''}.`,
      );
    if (s.watch)
      items.push(
        `Watch of the target: every ${s.watch.interval} golive checks ${s.watch.probes.map((p) => p.title ?? p.id).join(', ')} against how the go-live left them; a change raises a Red Button report (${s.watch.severity}).`,
      );
  }
  return [
    { kind: 'heading', text: 'Intervention procedures' },
    { kind: 'list', items },
  ];
}

function atDeadline(s: Step): string {
  if (s.kind === 'approval')
    return `${s.deadline}, then ${s.onDeadline === 'reject' ? 'rejected (rolls back)' : 'held, escalating'}`;
  if (s.kind === 'evidence') return s.deadline ? `${s.deadline}, then held` : 'no deadline';
  return '';
}

function contactsOf(ctx: DossierContext, roles: readonly string[]): string {
  const who = people(ctx);
  const ids = [...new Set(roles.flatMap((r) => who.peopleOf(r)))];
  return (
    ids.map((id) => `${who.person(id)}${who.email(id) ? ` <${who.email(id)}>` : ''}`).join(', ') || 'nobody assigned'
  );
}

function escalation(ctx: DossierContext): Block[] {
  const who = people(ctx);
  const rows: string[][] = [];
  for (const s of plan(ctx).steps) {
    if (s.kind === 'action') continue;
    const responders =
      s.kind === 'hypercare'
        ? [...s.notifyOnReport, ...s.stopAuthority]
        : s.kind === 'approval'
          ? s.approvers.map((a) => a.role)
          : s.items.flatMap((i) => i.submittedBy);
    const first =
      s.kind === 'hypercare' ? `each Red Button report: respond within ${s.responseDeadline}` : atDeadline(s);
    rows.push([s.title, 'at once', contactsOf(ctx, responders), '', first]);
    for (const e of s.escalation)
      rows.push([
        s.title,
        `after ${e.after}`,
        contactsOf(ctx, e.notify),
        e.delegateTo ? `${who.roleTitle(e.delegateTo)}: ${contactsOf(ctx, [e.delegateTo])}` : '',
        s.kind === 'hypercare' ? 'of a report without a response' : '',
      ]);
  }
  return [
    { kind: 'heading', text: 'Escalation paths (contacts and response times)' },
    {
      kind: 'table',
      columns: ['Situation', 'When', 'Who is told (contact)', 'Who may then decide', 'Response time'],
      rows,
    },
    { kind: 'heading', text: 'Escalations that happened' },
    {
      kind: 'table',
      columns: ['At', 'About', 'Level', 'Told', 'Delegated to'],
      rows: ctx.state.escalations.map((x) => [
        x.at,
        stepTitle(ctx, x.subject),
        String(x.level),
        x.notified.map((r) => who.role(r)).join('; '),
        x.delegatedTo ? who.roleTitle(x.delegatedTo) : '',
      ]),
    },
  ];
}

export function oversightProtocol(ctx: DossierContext): Deliverable {
  const { steps, items } = plan(ctx);
  const oversightItems = items.filter((p) =>
    matches(/oversight|escalation|intervention|autonom/i, p.item.id, p.item.title, p.step.phase),
  );
  const signoffSteps = new Set(
    steps.filter((s) => s.kind === 'approval' && matches(/oversight/i, s.id, s.title, s.phase)).map((s) => s.id),
  );
  return {
    id: 'human-oversight-protocol',
    title: DELIVERABLE_TITLES['human-oversight-protocol'],
    purpose:
      'How people oversee the AI system in this run’s Collaboration Mode: what it may do alone, what needs approval, what is prohibited, how to intervene and whom to call.',
    obligations: [OBLIGATIONS.humanOversight, OBLIGATIONS.deployer],
    blocks: [
      ...autonomy(ctx),
      ...interventions(ctx),
      ...escalation(ctx),
      { kind: 'heading', text: 'Oversight protocol evidence' },
      evidenceTable(ctx, oversightItems),
      { kind: 'heading', text: 'Sign-off' },
      decisionTable(
        ctx,
        ctx.state.decisions.filter((d) => signoffSteps.has(d.stepId)),
      ),
    ],
  };
}
