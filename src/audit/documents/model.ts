import type { Obligation } from '../obligations';
import type { Block } from './blocks';

/**
 * The five deliverables of a go-live, each a document of its own: a page in the web UI, files in
 * the dossier (HTML, Markdown and PDF), built from the runbook, the run and its evidence.
 */
export const DELIVERABLE_IDS = [
  'go-live-plan',
  'human-oversight-protocol',
  'training-materials',
  'compliance-dossier',
  'operational-handover-checklist',
] as const;
export type DeliverableId = (typeof DELIVERABLE_IDS)[number];

export const DELIVERABLE_TITLES: Record<DeliverableId, string> = {
  'go-live-plan': 'Go-live Plan',
  'human-oversight-protocol': 'Human Oversight Protocol',
  'training-materials': 'Training Materials',
  'compliance-dossier': 'Compliance Dossier',
  'operational-handover-checklist': 'Operational Handover Checklist',
};

export const deliverableTitle = (id: DeliverableId) => DELIVERABLE_TITLES[id];

export const isDeliverableId = (value: unknown): value is DeliverableId =>
  (DELIVERABLE_IDS as readonly unknown[]).includes(value);

/** What the web page and the API both answer (404) for a name that is not a deliverable. */
export const unknownDeliverableMessage = (name: string) =>
  `no such document: ${JSON.stringify(name)}; the deliverables are ${DELIVERABLE_IDS.join(', ')}`;

export interface Deliverable {
  id: DeliverableId;
  title: string;
  /** One sentence: what the document is for. */
  purpose: string;
  obligations: Obligation[];
  blocks: Block[];
}

/** The files each deliverable has in the dossier: HTML to read, Markdown to edit, PDF to print. */
export const DELIVERABLE_FORMATS = ['html', 'md', 'pdf'] as const;
export type DeliverableFormat = (typeof DELIVERABLE_FORMATS)[number];

export const deliverableFile = (id: DeliverableId, format: DeliverableFormat) => `${id}.${format}`;

export const DELIVERABLE_FILES: readonly string[] = DELIVERABLE_IDS.flatMap((id) =>
  DELIVERABLE_FORMATS.map((f) => deliverableFile(id, f)),
);
