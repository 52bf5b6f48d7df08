import type { Step } from '../../contract/schemas/runbook';
import { OBLIGATIONS } from '../obligations';
import {
  actionEvidence,
  humanStepRoles,
  people,
  plan,
  rolesText,
  stepStatus,
  type DossierContext,
  type PlanItem,
} from './blocks';
import { DELIVERABLE_TITLES, type Deliverable } from './model';

/**
 * The Operational Handover Checklist: everything operations takes over, each with its owner
 * (names and roles), its state and its evidence — every step and evidence item of the run, the
 * monitoring that stays, the open Red Button reports, the watch of the target, and the on-call
 * contacts. Ticked only when the run recorded it done. Pure.
 */

export const CHECKED = '☑';
export const UNCHECKED = '☐';
export const FAILED = '☒';

const mark = (status: string) =>
  status === 'completed'
    ? `${CHECKED} done`
    : ['failed', 'rejected', 'compensation-failed'].includes(status)
      ? `${FAILED} ${status}`
      : `${UNCHECKED} ${status}`;

function owner(ctx: DossierContext, s: Step): string {
  switch (s.kind) {
    case 'action':
      return `golive; ${rolesText(
        ctx,
        ['operations'].filter((r) => ctx.input.runbook.roles.some((x) => x.id === r)),
      )}`;
    case 'approval':
    case 'evidence':
      return rolesText(ctx, humanStepRoles(s));
    case 'hypercare':
      return rolesText(ctx, s.stopAuthority);
  }
}

function stepRows(ctx: DossierContext): string[][] {
  const { steps, items } = plan(ctx);
  const who = people(ctx);
  const itemRow = (p: PlanItem): string[] => {
    const e = ctx.state.evidence.filter((x) => x.stepId === p.step.id && x.itemId === p.item.id).at(-1);
    return [
      `  · ${p.item.title}`,
      e ? who.inRole(e.submittedBy.id, e.role) : rolesText(ctx, p.item.submittedBy),
      e ? `${CHECKED} submitted` : `${UNCHECKED} ${p.item.optional ? 'optional, not submitted' : 'not submitted'}`,
      e ? e.at : '',
    ];
  };
  return steps.flatMap((s) => [
    [s.title, owner(ctx, s), mark(stepStatus(ctx, s.id)), s.kind === 'action' ? actionEvidence(ctx, s.id) : ''],
    ...items.filter((p) => p.step.id === s.id).map(itemRow),
  ]);
}

/** Who answers Red Button reports; states recorded before the run kept its authority have none. */
function resolvers(ctx: DossierContext): string[] {
  const authority = ctx.state.authority as Partial<typeof ctx.state.authority> | undefined;
  return authority?.resolve ?? [];
}

function operationsRows(ctx: DossierContext): string[][] {
  const who = people(ctx);
  const ops = who.peopleOf('operations');
  const open = ctx.state.reports.filter((r) => r.status === 'open');
  const hypercare = plan(ctx).steps.find((s) => s.kind === 'hypercare');
  const watch = hypercare
    ? (
        ctx.state.steps.find((s) => s.id === hypercare.id)?.result as
          { watch?: { changed: Record<string, unknown>; readings: number } } | undefined
      )?.watch
    : undefined;
  return [
    [
      'On-call for the AI system',
      rolesText(ctx, ['operations']),
      ops.length
        ? `${CHECKED} ${ops.map((id) => `${who.person(id)}${who.email(id) ? ` <${who.email(id)}>` : ''}`).join(', ')}`
        : `${UNCHECKED} nobody assigned`,
      '',
    ],
    [
      'Red Button reports answered',
      rolesText(ctx, resolvers(ctx)),
      open.length ? `${UNCHECKED} ${open.length} open` : `${CHECKED} none open (${ctx.state.reports.length} in all)`,
      '',
    ],
    [
      'Production as the go-live left it',
      'golive (hypercare watch)',
      !watch
        ? `${UNCHECKED} not watched yet`
        : Object.keys(watch.changed).length
          ? `${FAILED} changed: ${Object.keys(watch.changed).join(', ')}`
          : `${CHECKED} unchanged (${watch.readings} readings)`,
      '',
    ],
  ];
}

export function handoverChecklist(ctx: DossierContext): Deliverable {
  return {
    id: 'operational-handover-checklist',
    title: DELIVERABLE_TITLES['operational-handover-checklist'],
    purpose: 'What operations takes over from the go-live, who owns each item, and whether the run recorded it done.',
    obligations: [OBLIGATIONS.deployer, OBLIGATIONS.qualityManagement],
    blocks: [
      { kind: 'heading', text: 'Go-live steps and evidence' },
      { kind: 'table', columns: ['Item', 'Owner', 'State', 'Evidence'], rows: stepRows(ctx) },
      { kind: 'heading', text: 'Operations' },
      { kind: 'table', columns: ['Item', 'Owner', 'State', 'Evidence'], rows: operationsRows(ctx) },
    ],
  };
}
