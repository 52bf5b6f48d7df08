import type { RunStateView } from '../contract/definitions';
import type { DossierSection } from './documents/blocks';

/**
 * The dossier as a document model: what dossier.ts builds and the renderers print. Apart from
 * dossier.ts so the renderers it calls need not import it back.
 */

/**
 * What an export writes today. /2 added a PDF of each deliverable; `golive verify` still checks
 * /1 exports (the core files, and the deliverables' HTML and Markdown where they have them).
 */
export const DOSSIER_FORMAT = 'golive-dossier/2';
export const DOSSIER_FORMATS = ['golive-dossier/1', DOSSIER_FORMAT] as const;
export type DossierFormat = (typeof DOSSIER_FORMATS)[number];

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
