import { actionCatalog, isActionName } from '../../contract/schemas/catalog';
import { type RunStateView, type StepView } from '../../contract/definitions';
import { FINAL_STATUSES } from '../../contract/runStatus';
import { activityErrorWords } from '../../contract/failureWords';
import { modeLabel } from '../../audit/documents/people';
import { summarizeResult } from '../../audit/evidenceSummary';
import type { Runbook } from '../../contract/schemas/runbook';
import { html, type SafeHtml } from './html';
import { time } from './layout';
import { stepsById } from './runbookInfo';

/**
 * What an approval is about, on its card: the run's Collaboration Mode by name, the deadline,
 * the figures of every action the decision rests on (stability tests, drill, monitoring — each
 * step it waits for, directly or not), the earlier sign-offs, and the draft Compliance Dossier.
 * From the run's own state; pure.
 */

export interface DecisionContextView {
  runId: string;
  state: RunStateView;
  runbook: Runbook | undefined;
}

/** Every step this one waits for, directly or through others, in the run's order. */
function stepsBefore(state: RunStateView, stepId: string): StepView[] {
  const byId = new Map(state.steps.map((s) => [s.id, s]));
  const seen = new Set<string>();
  const visit = (id: string) => {
    for (const a of byId.get(id)?.after ?? []) {
      if (seen.has(a)) continue;
      seen.add(a);
      visit(a);
    }
  };
  visit(stepId);
  return state.steps.filter((s) => seen.has(s.id));
}

function figureOf(v: DecisionContextView, s: StepView): string {
  if (s.error) return `FAILED: ${activityErrorWords(s.error)}`;
  const def = v.runbook ? stepsById(v.runbook).get(s.id) : undefined;
  const action = def?.kind === 'action' && isActionName(def.action) ? actionCatalog[def.action].activity : undefined;
  return action && s.result !== undefined ? summarizeResult(action, s.result) : '';
}

function figures(v: DecisionContextView, before: StepView[]): SafeHtml | false {
  const rows = before
    .filter((s) => s.kind === 'action' && (s.status === 'completed' || s.status === 'failed'))
    .map((s) => [s, figureOf(v, s)] as const)
    .filter(([, f]) => f);
  return (
    rows.length > 0 &&
    html`<details open class="figures"><summary>Figures this decision rests on (${rows.length})</summary><ul class="records">${rows.map(([s, f]) => html`<li><strong>${s.title}</strong>: ${f}</li>`)}</ul></details>`
  );
}

function signOffs(v: DecisionContextView, before: StepView[]): SafeHtml | false {
  const ids = new Set(before.filter((s) => s.kind === 'approval').map((s) => s.id));
  const decisions = v.state.decisions.filter((d) => ids.has(d.stepId));
  const title = (id: string) => v.state.steps.find((s) => s.id === id)?.title ?? id;
  return (
    decisions.length > 0 &&
    html`<details open class="signoffs"><summary>Sign-offs before this one (${decisions.length})</summary><ul class="records">${decisions.map(
      (d) =>
        html`<li><strong>${title(d.stepId)}</strong>: ${d.decision === 'approve' ? 'approved' : 'rejected'} by ${d.actor.name ?? d.actor.id} (${d.role}) ${time(d.at)}${d.comment && html` — “${d.comment}”`}</li>`,
    )}</ul></details>`
  );
}

export function decisionContext(v: DecisionContextView, step: StepView): SafeHtml {
  const before = stepsBefore(v.state, step.id);
  const dossier = `/runs/${encodeURIComponent(v.runId)}/documents/compliance-dossier`;
  return html`<dl class="facts decision-facts">
    <div><dt>Collaboration Mode</dt><dd>${modeLabel(v.state.collaborationMode)}</dd></div>
    <div><dt>Decide by</dt><dd>${step.deadlineAt ? time(step.deadlineAt) : 'no deadline'}${step.escalationLevel ? ` (escalated, level ${step.escalationLevel})` : ''}</dd></div>
    <div><dt>Compliance Dossier</dt><dd><a href="${dossier}">read the ${FINAL_STATUSES.includes(v.state.status) ? '' : 'draft '}dossier</a></dd></div>
  </dl>
  ${figures(v, before)}
  ${signOffs(v, before)}`;
}
