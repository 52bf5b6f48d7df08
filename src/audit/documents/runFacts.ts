import { ENDED_IN_TEMPORAL_NOTE, endedInTemporalWords, FINAL_STATUSES } from '../../contract/runStatus';
import { failureWords } from '../../contract/failureWords';
import { people, type DossierContext } from './blocks';
import { modeLabel } from './people';

/** The facts every deliverable opens with, and the target in words. Pure. */

export function targetText(ctx: DossierContext): string {
  const target = ctx.input.runbook.target;
  return target ? target : `the system ${ctx.input.system} (the runbook names no target)`;
}

/**
 * The run's status with why it failed, and that Temporal ended it before golive did (its rollback
 * did not run): the Status line of the dossier and of every deliverable.
 */
export function statusText(status: string, failure?: { kind: string; stepId?: string; reason: string }): string {
  // Kind, step and reason: the Status line of the documents never named who.
  const why = failure && failureWords({ kind: failure.kind, stepId: failure.stepId, reason: failure.reason });
  const how = endedInTemporalWords(status);
  if (!how) return why ? `${status} (${why})` : status;
  return `${status} (${why ? `${why}; then ` : ''}${how}: ${ENDED_IN_TEMPORAL_NOTE})`;
}

export function runFactsOf(ctx: DossierContext, workflowId: string, generatedAt: string): [string, string][] {
  const s = ctx.state;
  const who = people(ctx);
  return [
    ['System', s.system],
    ['Production target', targetText(ctx)],
    ['Runbook', `${s.runbook.title} (${s.runbook.id} ${s.runbook.version}, SHA-256 ${s.runbook.sha256})`],
    ['Collaboration Mode', modeLabel(s.collaborationMode)],
    ['Release manager', who.person(s.initiator.id)],
    ['Status', statusText(s.status, s.failure)],
    ['Run', workflowId],
    ['Generated', generatedAt],
  ];
}

export function draftNoticeOf(ctx: DossierContext): string | undefined {
  return FINAL_STATUSES.includes(ctx.state.status)
    ? undefined
    : `DRAFT — run not finished, status: ${ctx.state.status}`;
}
