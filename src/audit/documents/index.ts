import type { DossierContext } from './blocks';
import { complianceDossier } from './complianceDossier';
import { goLivePlan } from './goLivePlan';
import { handoverChecklist } from './handoverChecklist';
import type { Deliverable, DeliverableId } from './model';
import { oversightProtocol } from './oversightProtocol';
import { trainingMaterials } from './trainingMaterials';

export * from './model';

const BUILDERS: Record<DeliverableId, (ctx: DossierContext) => Deliverable> = {
  'go-live-plan': goLivePlan,
  'human-oversight-protocol': oversightProtocol,
  'training-materials': trainingMaterials,
  'compliance-dossier': complianceDossier,
  'operational-handover-checklist': handoverChecklist,
};

export function buildDeliverable(ctx: DossierContext, id: DeliverableId): Deliverable {
  return BUILDERS[id](ctx);
}

/** The five deliverables, in the order a reader takes them. */
export function buildDeliverables(ctx: DossierContext): Deliverable[] {
  return (Object.keys(BUILDERS) as DeliverableId[]).map((id) => BUILDERS[id](ctx));
}
