import type { RefusalEntry } from '../refusalLog';
import type { EvidenceItem, Step } from '../../contract/schemas/runbook';
import type { DecisionRecord, EvidenceRecord, GoLiveInput, RunStateView } from '../../contract/definitions';
import { materialiseSteps } from '../../contract/steps';
import type { ChainedEntry } from '../chain';
import { documentOf } from '../entries';
import type { Obligation } from '../obligations';
import { directoryOf, type Directory } from './people';

/**
 * The document model the dossier and the five deliverables are written in, and the pieces they
 * share: the run's plan, evidence and decision tables naming people by name and role. Sections
 * find their data by step kind, action, phase and evidence item ids/titles, so a custom runbook
 * gets what it has data for; the rest say "Not recorded in this run." Pure.
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

export type PlanItem = { step: Step & { kind: 'evidence' }; item: EvidenceItem };

const directories = new WeakMap<DossierContext, Directory>();

/** The run's people by name (built once per context). */
export function people(ctx: DossierContext): Directory {
  let d = directories.get(ctx);
  if (!d) directories.set(ctx, (d = directoryOf(ctx.input, ctx.state)));
  return d;
}

export function plan(ctx: DossierContext) {
  const planned = materialiseSteps(ctx.input.runbook);
  const steps = planned.map((p) => p.step);
  const items: PlanItem[] = steps.flatMap((step) =>
    step.kind === 'evidence' ? step.items.map((item) => ({ step, item })) : [],
  );
  return { steps, items, after: new Map(planned.map((p) => [p.step.id, p.after])) };
}

export const matches = (re: RegExp, ...texts: (string | undefined)[]) =>
  texts.some((t) => t !== undefined && re.test(t));

/** "Guardian: Gita Guardian (guardian); Business Sponsor: Sam Sponsor (sponsor)". */
/** The roles whose people act on a human step: an approval's approvers, an evidence step's submitters. */
export function humanStepRoles(s: Extract<Step, { kind: 'approval' | 'evidence' }>): string[] {
  return s.kind === 'approval' ? s.approvers.map((a) => a.role) : s.items.flatMap((i) => i.submittedBy);
}

export const rolesText = (ctx: DossierContext, roles: readonly string[]) =>
  roles.length === 0 ? '—' : [...new Set(roles)].map((r) => people(ctx).role(r)).join('; ');

export function valueText(value: unknown): string {
  if (value === true) return 'attested (true)';
  const doc = documentOf(value);
  if (doc) return `${doc.name} (SHA-256 ${doc.sha256})${doc.url ? ` ${doc.url}` : ''}`;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function latestEvidence(ctx: DossierContext, stepId: string, itemId: string): EvidenceRecord | undefined {
  return ctx.state.evidence.filter((e) => e.stepId === stepId && e.itemId === itemId).at(-1);
}

/**
 * The latest submission of each item, or a row saying it is missing. A document's SHA-256 is the
 * file's own (as on the run page and in the trail); other values show their record's hash.
 */
export function evidenceTable(ctx: DossierContext, items: readonly PlanItem[]): Block {
  const who = people(ctx);
  return {
    kind: 'table',
    columns: ['Item', 'Value', 'Submitted by', 'At', 'SHA-256'],
    rows: items.map((p) => {
      const e = latestEvidence(ctx, p.step.id, p.item.id);
      return e
        ? [
            p.item.title,
            valueText(e.value) + (e.note ? ` — ${e.note}` : ''),
            who.inRole(e.submittedBy.id, e.role),
            e.at,
            documentOf(e.value)?.sha256 ?? e.sha256,
          ]
        : [
            p.item.title,
            p.item.optional ? 'not submitted (optional)' : 'NOT SUBMITTED',
            `${p.item.submittedBy.map((r) => who.role(r)).join('; ')}`,
            '',
            '',
          ];
    }),
  };
}

export function decisionTable(ctx: DossierContext, decisions: readonly DecisionRecord[]): Block {
  const who = people(ctx);
  return {
    kind: 'table',
    columns: ['Step', 'Decision', 'By', 'At', 'Comment', 'Evidence hash', 'Signed by their passkey'],
    rows: decisions.map((d) => [
      stepTitle(ctx, d.stepId),
      d.decision === 'approve' ? 'approved' : 'REJECTED',
      who.inRole(d.actor.id, d.role) +
        (d.onBehalfOf ? ` for ${who.roleTitle(d.onBehalfOf)}` : '') +
        (d.roleSource === 'delegation' ? ` (delegated: ${d.delegationReason ?? ''})` : ''),
      d.at,
      d.comment ?? '',
      d.evidenceHash,
      // The assertion itself is in the trail's signed message; `golive verify` checks it.
      d.passkey ? `yes, credential ${d.passkey.credentialId.slice(0, 16)}…` : '',
    ]),
  };
}

export function stepTitle(ctx: DossierContext, stepId: string): string {
  return ctx.state.steps.find((s) => s.id === stepId)?.title ?? stepId;
}

export function stepStatus(ctx: DossierContext, stepId: string): string {
  const status = ctx.state.steps.find((s) => s.id === stepId)?.status ?? 'unknown';
  return status === 'pending' && ctx.state.failure ? 'not reached' : status;
}

/** What an action left as evidence: the trail's summary of its completion or failure. */
export function actionEvidence(ctx: DossierContext, stepId: string): string {
  const end = [...ctx.entries]
    .reverse()
    .find((e) => e.stepId === stepId && (e.kind === 'step-completed' || e.kind === 'step-failed'));
  return (end?.details.evidence as string | undefined) ?? (end?.details.error as string | undefined) ?? '';
}

export function actionTable(ctx: DossierContext, steps: readonly Step[]): Block {
  return {
    kind: 'table',
    columns: ['Step', 'Action', 'Status', 'Figures'],
    rows: steps.map((s) => [
      s.title,
      s.kind === 'action' ? s.action : s.kind,
      stepStatus(ctx, s.id),
      actionEvidence(ctx, s.id),
    ]),
  };
}
