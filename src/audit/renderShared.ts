import type { Dossier } from './dossierModel';
import type { Obligation } from './obligations';
import { modeLabel } from './documents/people';
import { statusText } from './documents/runFacts';

/** What both renderers print the same way: the run's header fields and obligation lines. */

export const obligationsLine = (obligations: readonly Obligation[]) =>
  obligations.map((o) => `${o.ref} — ${o.title}`).join('; ');

export function runFields(d: Dossier): [string, string][] {
  const r = d.run;
  return [
    ['System', r.system],
    ['Runbook', `${r.runbook.id}@${r.runbook.version} — ${r.runbook.title} (sha256 ${r.runbook.sha256})`],
    ['Collaboration Mode', modeLabel(r.collaborationMode)],
    ['Release manager', r.initiator.name ? `${r.initiator.name} (${r.initiator.id})` : r.initiator.id],
    ['Status', statusText(r.status, r.failure)],
    ['Started', r.startedAt],
    ['Ended', r.endedAt ?? 'not finished'],
    ['Workflow', `${d.workflowId} (runs: ${d.runIds.join(', ')})`],
    ['Audit trail', `${d.trail.entries} entries, chain head ${d.trail.head}`],
    ['Generated', d.generatedAt],
  ];
}
