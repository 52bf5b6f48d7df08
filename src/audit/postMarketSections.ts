import type { Step } from '../contract/schemas/runbook';
import { OBLIGATIONS } from './obligations';
import type { Block, DossierContext, DossierSection } from './documents/blocks';

/**
 * The dossier's parts about the culture and oversight after go-live: the leadership endorsement
 * of the Red Button (the Business Sponsor's text and its delivery) and the scheduled oversight
 * with this run's Red Button figures. Pure, like sections.ts, which lists them.
 */

/** Notification steps that publish an evidence item (`${evidence.step.item}` in their params). */
function publishers(steps: readonly Step[], stepId: string): Step[] {
  return steps.filter((s) => s.kind === 'action' && JSON.stringify(s.params).includes(`\${evidence.${stepId}.`));
}

function deliveryText(ctx: DossierContext, stepId: string): string {
  const view = ctx.state.steps.find((s) => s.id === stepId);
  if (!view || view.status !== 'completed') return `not sent (step ${view?.status ?? 'unknown'})`;
  if (view.undelivered) return `NOT DELIVERED: ${view.warning ?? ''}`;
  const end = [...ctx.entries].reverse().find((e) => e.stepId === stepId && e.kind === 'step-completed');
  return `delivered at ${view.endedAt ?? ''}${end?.details.evidence ? `: ${String(end.details.evidence)}` : ''}`;
}

export function leadershipEndorsement(ctx: DossierContext): DossierSection {
  const steps = ctx.input.runbook.steps;
  const endorsements = steps.filter((s) => s.kind === 'evidence' && /endorse/i.test(`${s.id} ${s.title}`));
  const rows = endorsements.flatMap((s) =>
    ctx.state.evidence
      .filter((e) => e.stepId === s.id)
      .map((e) => [
        s.id,
        e.itemId,
        `${e.submittedBy.name ?? e.submittedBy.id} (${e.role})`,
        e.at,
        typeof e.value === 'string' ? e.value : JSON.stringify(e.value),
        e.sha256,
      ]),
  );
  const deliveries = endorsements.flatMap((s) =>
    publishers(steps, s.id).map((p) => [p.id, p.title, deliveryText(ctx, p.id)]),
  );
  return {
    id: 'leadership-endorsement',
    title: 'Leadership endorsement of the Red Button',
    obligations: [OBLIGATIONS.humanOversight, OBLIGATIONS.deployer, OBLIGATIONS.postMarket],
    blocks: [
      {
        kind: 'text',
        text: 'Leadership visibly endorses reporting AI errors: the announcement in the leader’s own words, and its delivery through the notification channels.',
      },
      { kind: 'table', columns: ['Step', 'Item', 'By', 'At', 'Announcement', 'SHA-256'], rows },
      { kind: 'heading', text: 'Delivery' },
      { kind: 'table', columns: ['Step', 'Title', 'Delivery'], rows: deliveries },
    ],
  };
}

function redButtonFigures(ctx: DossierContext): Block {
  const reports = ctx.state.reports;
  const answered = reports.filter((r) => r.resolution);
  const inTime = answered.filter((r) => r.resolution && r.resolution.at <= r.responseDueAt);
  const escalated = reports.filter((r) => r.escalationLevel > 0);
  return {
    kind: 'fields',
    fields: [
      ['Reports', String(reports.length)],
      ['Answered (closed with the reporter)', `${answered.length} of ${reports.length}`],
      ['Answered within the response deadline', `${inTime.length} of ${reports.length}`],
      ['Escalated (response late)', String(escalated.length)],
      ['Anonymous reports', String(reports.filter((r) => r.reporter === 'anonymous').length)],
    ],
  };
}

/** The reviews the trail holds (reviewEntries.ts): done and missed counted per duty, each listed. */
function reviewsDone(ctx: DossierContext): Block[] {
  const reviews = ctx.entries.filter((e) => e.kind === 'oversight-review');
  const count = (status: string) => reviews.filter((e) => e.details.status === status).length;
  return [
    { kind: 'heading', text: 'Reviews done and missed' },
    {
      kind: 'fields',
      fields: [
        ['Reviews done', String(count('done'))],
        ['Reviews missed', String(count('missed'))],
        ['Reviews waiting', String(count('waiting'))],
      ],
    },
    {
      kind: 'table',
      columns: ['Trail entry', 'Duty', 'Review', 'Status', 'Reviewer', 'At', 'Sample', 'Overrides', 'Findings'],
      rows: reviews.map((e) => [
        String(e.seq),
        String(e.details.dutyTitle ?? ''),
        String(e.details.reviewId ?? ''),
        String(e.details.status ?? ''),
        e.actor ?? '',
        e.at,
        e.details.sampleSize === undefined ? '' : String(e.details.sampleSize),
        e.details.overrides === undefined ? '' : String(e.details.overrides),
        Array.isArray(e.details.findings) ? String(e.details.findings.length) : '',
      ]),
    },
  ];
}

export function scheduledOversight(ctx: DossierContext): DossierSection {
  const mode = ctx.input.collaborationMode;
  const duties = (ctx.input.runbook.oversight?.duties ?? []).filter((d) => d.modes.includes(mode));
  const o = ctx.state.oversight;
  const scheduleOf = (dutyId: string) => o?.schedules.find((s) => s.dutyId === dutyId)?.scheduleId ?? '';
  return {
    id: 'scheduled-oversight',
    title: 'Post-market: scheduled oversight and Red Button figures',
    obligations: [OBLIGATIONS.humanOversight, OBLIGATIONS.postMarket, OBLIGATIONS.deployer],
    blocks: [
      {
        kind: 'text',
        text: `Recurring oversight duties of Collaboration Mode ${mode}, scheduled at go-live as Temporal Schedules${o ? ` (${o.state}${o.note ? `: ${o.note}` : ''})` : ' (not scheduled in this run)'}. Every review the schedules started, done or missed, is an oversight-review entry of this trail (read from the review workflow’s own history, its signed review checked by golive verify); below, counted and listed.`,
      },
      {
        kind: 'table',
        columns: ['Duty', 'Every', 'Reviewers', 'Sample', 'Within', 'Schedule'],
        rows: duties.map((d) => [
          d.title,
          d.every,
          d.reviewers.join(', '),
          String(d.sampleSize),
          d.within,
          scheduleOf(d.id),
        ]),
      },
      ...reviewsDone(ctx),
      { kind: 'heading', text: 'Red Button figures at export' },
      redButtonFigures(ctx),
    ],
  };
}
