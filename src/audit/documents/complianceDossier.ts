import { OBLIGATIONS, GDPR } from '../obligations';
import { decisionTable, matches, plan, type Block, type DossierContext, type DossierSection } from './blocks';
import {
  accountability,
  gate4,
  gdpr,
  handoverLogSummary,
  legal,
  postMarket,
  sectorRules,
  stability,
} from './complianceParts';
import { DELIVERABLE_TITLES, type Deliverable } from './model';

/**
 * The Compliance Dossier as one document: the EU AI Act part (risk pre-scan, validation reports
 * with the stability and rollback-drill figures, model card, Guardian approvals, accountability
 * evidence, Gate 4, post-market monitoring, the handover log), the GDPR part (DPIA, lawful
 * basis, data categories, the DPO's opinion), sector rules, and the sign-offs. Pure.
 */

const part = (title: string, s: DossierSection): Block[] => [
  { kind: 'heading', text: `${title}: ${s.title}` },
  ...s.blocks,
];

export function complianceDossier(ctx: DossierContext): Deliverable {
  const signoff = new Set(
    plan(ctx)
      .steps.filter((s) => s.kind === 'approval' && matches(/dossier|compliance/i, s.id, s.title))
      .map((s) => s.id),
  );
  return {
    id: 'compliance-dossier',
    title: DELIVERABLE_TITLES['compliance-dossier'],
    purpose:
      'The evidence that this go-live meets the EU AI Act, the GDPR and sector rules, with the people who signed it off.',
    obligations: [
      OBLIGATIONS.technicalDocumentation,
      OBLIGATIONS.riskManagement,
      OBLIGATIONS.recordKeeping,
      GDPR.dpia,
      GDPR.lawfulBasis,
    ],
    blocks: [
      ...part('EU AI Act', legal(ctx)),
      ...part('EU AI Act', stability(ctx)),
      ...part('EU AI Act', accountability(ctx)),
      ...part('EU AI Act', gate4(ctx)),
      ...part('EU AI Act', postMarket(ctx)),
      { kind: 'heading', text: 'EU AI Act: Handover log (record-keeping, Art. 12)' },
      ...handoverLogSummary(ctx),
      ...part('GDPR', gdpr(ctx)),
      ...part('Sector rules', sectorRules(ctx)),
      { kind: 'heading', text: 'Sign-off of this dossier' },
      decisionTable(
        ctx,
        ctx.state.decisions.filter((d) => signoff.has(d.stepId)),
      ),
    ],
  };
}
