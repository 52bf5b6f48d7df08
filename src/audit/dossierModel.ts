import type { RunStateView } from '../../workflows/definitions';
import type { DossierSection } from './documents/blocks';

/**
 * The dossier as a document model: what dossier.ts builds and the renderers print. Apart from
 * dossier.ts so the renderers it calls need not import it back.
 */

export const DOSSIER_FORMAT = 'golive-dossier/1';

export interface Dossier {
  format: typeof DOSSIER_FORMAT;
  generatedAt: string;
  workflowId: string;
  runIds: string[];
  title: string;
  run: Pick<
    RunStateView,
    'system' | 'runbook' | 'collaborationMode' | 'initiator' | 'status' | 'startedAt' | 'endedAt' | 'failure'
  >;
  finished: boolean;
  /** Set while the run is not finished; printed on every section. */
  draftNotice?: string;
  trail: { entries: number; head: string };
  sections: DossierSection[];
  /** The workflow's own final (or current) record, with every action's full result. */
  state: RunStateView;
}
