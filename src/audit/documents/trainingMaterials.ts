import { documentOf } from '../entries';
import { OBLIGATIONS } from '../obligations';
import {
  evidenceTable,
  latestEvidence,
  matches,
  people,
  plan,
  rolesText,
  type Block,
  type DossierContext,
  type PlanItem,
} from './blocks';
import { DELIVERABLE_TITLES, type Deliverable } from './model';

/**
 * Training Materials: the guides and the quality-awareness training as the documents people
 * submitted (name, link, SHA-256, by whom), how the work changes before and after the AI, the
 * feedback channel (its description and the live link), and how many end users completed the
 * training. From the training evidence of the run. Pure.
 */

const TRAINING = /training|feedback|literacy|guide|awareness|before|after/i;

function text(ctx: DossierContext, p: PlanItem | undefined): string | undefined {
  if (!p) return undefined;
  const v = latestEvidence(ctx, p.step.id, p.item.id)?.value;
  return typeof v === 'string' ? v : undefined;
}

function materials(ctx: DossierContext, items: readonly PlanItem[]): Block[] {
  const who = people(ctx);
  const docs = items.filter((p) => p.item.type === 'document');
  return [
    { kind: 'heading', text: 'Training materials' },
    {
      kind: 'table',
      columns: ['Material', 'What it covers', 'Document', 'Link', 'SHA-256', 'Provided by'],
      rows: docs.map((p) => {
        const e = latestEvidence(ctx, p.step.id, p.item.id);
        const d = documentOf(e?.value);
        return [
          p.item.title,
          p.item.description ?? '',
          d?.name ?? (p.item.optional ? 'not provided (optional)' : 'NOT PROVIDED YET'),
          d?.url ?? '',
          d?.sha256 ?? '',
          e ? who.inRole(e.submittedBy.id, e.role) : rolesText(ctx, p.item.submittedBy),
        ];
      }),
    },
  ];
}

function feedback(ctx: DossierContext, items: readonly PlanItem[]): Block[] {
  const url = items.find((p) => p.item.type === 'url' && matches(/feedback/i, p.item.id, p.item.title));
  const live = url ? latestEvidence(ctx, url.step.id, url.item.id)?.value : undefined;
  const hypercare = plan(ctx).steps.find((s) => s.kind === 'hypercare');
  return [
    { kind: 'heading', text: 'Feedback channel' },
    {
      kind: 'fields',
      fields: [
        ['Live channel', typeof live === 'string' ? live : 'NOT GIVEN YET'],
        [
          'Red Button',
          hypercare?.kind === 'hypercare'
            ? `on the run page during hypercare (${hypercare.duration}); every report answered within ${hypercare.responseDeadline} by ${rolesText(ctx, [...hypercare.notifyOnReport, ...hypercare.stopAuthority])}`
            : 'no hypercare in this runbook',
        ],
      ],
    },
  ];
}

function completion(ctx: DossierContext, items: readonly PlanItem[]): Block[] {
  const rate = items.find((p) => p.item.type === 'number' && matches(/completion|trained/i, p.item.id, p.item.title));
  const e = rate ? latestEvidence(ctx, rate.step.id, rate.item.id) : undefined;
  const value = typeof e?.value === 'number' ? e.value : undefined;
  const endUsers = people(ctx).peopleOf('end-user');
  return [
    { kind: 'heading', text: 'Completion' },
    {
      kind: 'fields',
      fields: [
        [
          'Completion rate',
          value !== undefined
            ? `${(value <= 1 ? value * 100 : value).toFixed(0)} %${rate?.item.min !== undefined ? ` (at least ${(rate.item.min <= 1 ? rate.item.min * 100 : rate.item.min).toFixed(0)} % required)` : ''}`
            : 'NOT REPORTED YET',
        ],
        ['Reported by', e ? people(ctx).inRole(e.submittedBy.id, e.role) : '—'],
        ['End users in this run', endUsers.map(people(ctx).person).join(', ') || '—'],
      ],
    },
  ];
}

export function trainingMaterials(ctx: DossierContext): Deliverable {
  const items = plan(ctx).items.filter((p) => matches(TRAINING, p.item.id, p.item.title, p.step.phase, p.step.id));
  const beforeAfter = items.find((p) => p.item.type === 'text' && matches(/before|after/i, p.item.id, p.item.title));
  const change = text(ctx, beforeAfter);
  return {
    id: 'training-materials',
    title: DELIVERABLE_TITLES['training-materials'],
    purpose:
      'What end users learn before the AI goes live, how their work changes, how they give feedback, and how many completed the training.',
    obligations: [OBLIGATIONS.aiLiteracy, OBLIGATIONS.deployer, OBLIGATIONS.postMarket],
    blocks: [
      ...materials(ctx, items),
      { kind: 'heading', text: 'How the work changes: before and after the AI' },
      {
        kind: 'text',
        text: change ?? (beforeAfter ? 'NOT DESCRIBED YET.' : 'The runbook asks for no before/after description.'),
      },
      ...feedback(ctx, items),
      ...completion(ctx, items),
      { kind: 'heading', text: 'All training evidence' },
      evidenceTable(ctx, items),
    ],
  };
}
