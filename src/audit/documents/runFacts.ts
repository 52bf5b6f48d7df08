import { FINAL_STATUSES } from '../../contract/runStatus';
import { people, type DossierContext } from './blocks';
import { modeLabel } from './people';

/** The facts every deliverable opens with, and the target in words. Pure. */

export function targetText(ctx: DossierContext): string {
  const target = ctx.input.runbook.target;
  return target ? target : `the system ${ctx.input.system} (the runbook names no target)`;
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
    [
      'Status',
      s.status +
        (s.failure
          ? ` (${s.failure.kind}${s.failure.stepId ? ` at ${s.failure.stepId}` : ''}: ${s.failure.reason})`
          : ''),
    ],
    ['Run', workflowId],
    ['Generated', generatedAt],
  ];
}

export function draftNoticeOf(ctx: DossierContext): string | undefined {
  return FINAL_STATUSES.includes(ctx.state.status)
    ? undefined
    : `DRAFT — run not finished, status: ${ctx.state.status}`;
}
