import { type DossierContext, type DossierSection } from './documents/blocks';
import {
  accountability,
  gate4,
  gdpr,
  handoverLog,
  legal,
  postMarket,
  refusals,
  sectorRules,
  stability,
} from './documents/complianceParts';
import { buildDeliverable, type Deliverable, type DeliverableId } from './documents';
import { leadershipEndorsement, scheduledOversight } from './postMarketSections';

/**
 * The full dossier (index.html, dossier.md): every part, each generated from what the run
 * recorded and mapped to the obligation it serves. The five deliverables are also files of their
 * own (src/audit/documents); here they appear as sections among the rest. Pure: a document model
 * that the renderers print.
 */

export { NOT_RECORDED, type Block, type DossierContext, type DossierSection } from './documents/blocks';

const asSection = (d: Deliverable): DossierSection => ({
  id: d.id,
  title: d.title,
  obligations: d.obligations,
  blocks: [{ kind: 'text', text: d.purpose }, ...d.blocks],
});
const deliverable = (id: DeliverableId) => (ctx: DossierContext) => asSection(buildDeliverable(ctx, id));

/** Every part, in the order an auditor reads them. */
export function buildSections(ctx: DossierContext): DossierSection[] {
  return [
    deliverable('go-live-plan'),
    deliverable('human-oversight-protocol'),
    deliverable('training-materials'),
    stability,
    legal,
    accountability,
    gdpr,
    sectorRules,
    handoverLog,
    deliverable('operational-handover-checklist'),
    gate4,
    postMarket,
    leadershipEndorsement,
    scheduledOversight,
    refusals,
  ].map((build) => build(ctx));
}
