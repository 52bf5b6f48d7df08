import { compensationFor } from '../../contract/compensation';
import type { Step } from '../../contract/schemas/runbook';
import { OBLIGATIONS } from '../obligations';
import {
  humanStepRoles,
  people,
  plan,
  rolesText,
  stepStatus,
  stepTitle,
  type Block,
  type DossierContext,
} from './blocks';
import { DELIVERABLE_TITLES, type Deliverable } from './model';
import { targetText } from './runFacts';

/**
 * The Go-live Plan: the deployment sequence (who acts at each step, and by when), the rollback
 * procedure (what is undone, in which order, and who may trigger it), and the communication
 * plan (who is who, and who hears what). From the runbook and the run. Pure.
 */

function responsible(ctx: DossierContext, s: Step): string {
  switch (s.kind) {
    case 'action':
      return 'golive (automated)';
    case 'approval':
      return rolesText(ctx, humanStepRoles(s)) + (s.passkey ? ', each signing with their own passkey' : '');
    case 'evidence':
      return rolesText(ctx, humanStepRoles(s));
    case 'hypercare':
      return rolesText(ctx, [...s.notifyOnReport, ...s.stopAuthority]);
  }
}

function deadline(s: Step): string {
  if (s.kind === 'approval')
    return `${s.deadline} (then ${s.onDeadline === 'reject' ? 'rejected' : 'held, escalating'})`;
  if (s.kind === 'evidence') return s.deadline ?? '—';
  if (s.kind === 'hypercare') return `lasts ${s.duration}`;
  return `timeout ${s.timeout}`;
}

function sequence(ctx: DossierContext): Block[] {
  const { steps, after } = plan(ctx);
  return [
    { kind: 'heading', text: 'Deployment sequence' },
    {
      kind: 'text',
      text: 'Steps run in this order; steps waiting for the same earlier steps run side by side. Each waits for the steps named under "After".',
    },
    {
      kind: 'table',
      columns: ['#', 'Step', 'Phase', 'After', 'Who acts', 'Deadline', 'Status'],
      rows: steps.map((s, i) => [
        String(i + 1),
        s.title,
        s.phase ?? '',
        (after.get(s.id) ?? []).map((a) => stepTitle(ctx, a)).join(', ') || 'starts first',
        responsible(ctx, s),
        deadline(s),
        stepStatus(ctx, s.id),
      ]),
    },
  ];
}

function rollback(ctx: DossierContext): Block[] {
  const { steps } = plan(ctx);
  const rb = ctx.input.runbook;
  return [
    { kind: 'heading', text: 'Rollback procedure' },
    {
      kind: 'text',
      text: 'When a step fails, an approver rejects, a deadline passes, someone stops the line or asks for a rollback, golive undoes every completed step below in reverse order of completion, in a part of the run that cannot be cancelled. The rollback was drilled before Gate 4 (see the rollback drill in the Compliance Dossier).',
    },
    {
      kind: 'table',
      columns: ['Step', 'Undone by', 'Ran in this run', 'Outcome'],
      rows: steps.flatMap((s) => {
        if (s.kind !== 'action') return [];
        const undo = compensationFor(s);
        if (!undo) return [];
        const ran = ctx.state.compensations.filter((c) => c.stepId === s.id).at(-1);
        const url = typeof undo.params.url === 'string' ? ` ${undo.params.url}` : '';
        return [
          [
            s.title,
            `${undo.action}${url}`,
            ran ? 'yes' : 'no',
            ran ? `${ran.status}${ran.error ? `: ${ran.error}` : ''}` : '',
          ],
        ];
      }),
    },
    {
      kind: 'list',
      items: [
        `Stop the line (rolls back at once): ${rolesText(ctx, rb.stopAuthority)}.`,
        `Request a rollback: ${rolesText(ctx, rb.rollbackAuthority)}.`,
      ],
    },
  ];
}

function communication(ctx: DossierContext): Block[] {
  const { steps } = plan(ctx);
  const who = people(ctx);
  const rules: string[] = [];
  for (const s of steps) {
    if (s.kind === 'approval')
      rules.push(
        `"${s.title}": ${rolesText(
          ctx,
          s.approvers.map((a) => a.role),
        )} are asked for a decision when it starts.`,
      );
    if (s.kind !== 'action')
      for (const e of s.escalation)
        rules.push(
          `"${s.title}": after ${e.after}, ${rolesText(ctx, e.notify)} are told${e.delegateTo ? `, and ${who.roleTitle(e.delegateTo)} may decide` : ''}.`,
        );
    if (s.kind === 'hypercare')
      rules.push(
        `Hypercare: every Red Button report goes to ${rolesText(ctx, [...s.notifyOnReport, ...s.stopAuthority])}, answered within ${s.responseDeadline}.`,
      );
    if (s.kind === 'action' && s.action === 'notify')
      rules.push(
        `"${s.title}": announcement to ${rolesText(
          ctx,
          ((s.params as { to?: string[] }).to ?? []).filter((r) => ctx.input.runbook.roles.some((x) => x.id === r)),
        )}.`,
      );
  }
  const rb = ctx.input.runbook;
  rules.push(
    `Rollback: ${rolesText(ctx, [...rb.stopAuthority, ...rb.rollbackAuthority])} are told when the go-live is rolled back.`,
  );
  const sent = ctx.entries.filter((e) => e.kind === 'notification');
  return [
    { kind: 'heading', text: 'Communication plan' },
    {
      kind: 'table',
      columns: ['Role', 'Responsibility', 'People', 'Contact'],
      rows: rb.roles.map((r) => [
        r.title,
        r.description?.trim() ?? '',
        who.peopleOf(r.id).map(who.person).join(', ') || 'nobody assigned',
        who
          .peopleOf(r.id)
          .map((id) => who.email(id) ?? '—')
          .join(', '),
      ]),
    },
    { kind: 'list', items: rules },
    { kind: 'text', text: notificationCount(sent) },
  ];
}

export function goLivePlan(ctx: DossierContext): Deliverable {
  const p = ctx.input.params;
  const release =
    typeof p.releaseVersion === 'string'
      ? `${p.releaseVersion}${typeof p.previousVersion === 'string' ? ` (replacing ${p.previousVersion}, which a rollback returns to)` : ''}`
      : 'as the runbook deploys it';
  return {
    id: 'go-live-plan',
    title: DELIVERABLE_TITLES['go-live-plan'],
    purpose:
      'How this release goes live: the sequence of steps and who acts at each, how it is rolled back, and who is told what.',
    obligations: [OBLIGATIONS.deployer, OBLIGATIONS.qualityManagement, OBLIGATIONS.riskManagement],
    blocks: [
      {
        kind: 'fields',
        fields: [
          ['Production target', targetText(ctx)],
          ['Release', release],
          ['Release manager', people(ctx).person(ctx.input.initiator.id)],
        ],
      },
      ...sequence(ctx),
      ...rollback(ctx),
      ...communication(ctx),
    ],
  };
}

/** How many notifications the run gave out; those recorded only (no channel configured) are said to be. */
function notificationCount(told: readonly { details: Record<string, unknown> }[]): string {
  const recorded = told.filter((e) => e.details.recordedOnly === true).length;
  if (recorded === 0) return `${told.length} notification(s) sent in this run so far (see the handover log).`;
  const sent = told.length - recorded;
  return `${told.length} notification(s) in this run so far (see the handover log): ${recorded} recorded only, because no notification channel was configured when the run started${sent > 0 ? `; ${sent} sent` : ''}.`;
}
