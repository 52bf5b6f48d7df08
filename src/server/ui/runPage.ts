import type { EvidenceItem, Runbook, Step } from '../../runbook/schema';
import type { RunStateView, StepView } from '../../../workflows/definitions';
import { mayAct, isClosed } from '../checks';
import { html, type SafeHtml } from './html';
import { badge, duration, formStatus, time } from './layout';
import { rolesInRun, stepsById, stopRoles } from './runbookInfo';

/**
 * The run page: header, step diagram, and the live region (timeline, what waits for me, records,
 * the Red Button) that app.js refreshes by polling /runs/:runId/live.
 */

export interface RunView {
  runId: string;
  state: RunStateView;
  runbook: Runbook | undefined;
  me: string;
  temporalUrl?: string;
}

const api = (v: RunView, rest = '') => `/api/runs/${encodeURIComponent(v.runId)}${rest}`;

function json(value: unknown): string {
  const text = JSON.stringify(value, null, 2) ?? '';
  return text.length > 2000 ? `${text.slice(0, 2000)}\n…` : text;
}

/** Columns of steps: a step sits one column right of the latest step it waits for. */
export function layers(steps: readonly Pick<StepView, 'id' | 'after'>[]): string[][] {
  const byId = new Map(steps.map((s) => [s.id, s] as const));
  const depth = new Map<string, number>();
  const depthOf = (id: string, guard: number): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    const deps = byId.get(id)?.after.filter((a) => byId.has(a)) ?? [];
    const d = guard > steps.length ? 0 : Math.max(-1, ...deps.map((a) => depthOf(a, guard + 1))) + 1;
    depth.set(id, d);
    return d;
  };
  const out: string[][] = [];
  for (const s of steps) (out[depthOf(s.id, 0)] ??= []).push(s.id);
  return out.filter(Boolean);
}

export function diagram(state: RunStateView): SafeHtml {
  const byId = new Map(state.steps.map((s) => [s.id, s] as const));
  return html`<figure class="diagram" aria-label="Steps of the runbook and what each waits for">
  <ol class="layers">
  ${layers(state.steps).map(
    (ids) => html`<li class="layer"><ul>${ids.map((id) => {
      const s = byId.get(id);
      return s && html`<li class="node status-${s.status}" title="${s.after.length ? `after ${s.after.join(', ')}` : 'starts first'}"><span class="node-title">${s.title}</span><span class="node-meta">${s.kind} · ${s.status}</span></li>`;
    })}</ul></li>`,
  )}
  </ol>
  <figcaption>Left to right: steps in a column may run side by side; each waits for the columns before it.</figcaption>
</figure>`;
}

function evidenceInput(item: EvidenceItem, id: string): SafeHtml {
  switch (item.type) {
    case 'number':
      return html`<input id="${id}" name="value" type="number" step="any" data-type="number" required ${item.min !== undefined && html`min="${item.min}"`} ${item.max !== undefined && html`max="${item.max}"`}>`;
    case 'url':
      return html`<input id="${id}" name="value" type="url" required placeholder="https://…">`;
    case 'attestation':
      return html`<input id="${id}" name="value" type="checkbox" data-type="boolean" required>`;
    case 'document':
      return html`<input id="${id}" name="value.name" required placeholder="document name">
        <input name="value.sha256" required pattern="[a-f0-9]{64}" placeholder="SHA-256 (hex)" aria-label="SHA-256 of the document">
        <input name="value.url" type="url" placeholder="link (optional)" aria-label="Link to the document">`;
    case 'text':
      return html`<textarea id="${id}" name="value" required rows="3"></textarea>`;
  }
}

function evidenceForms(v: RunView, step: StepView, def: Step | undefined): SafeHtml {
  const items = def?.kind === 'evidence' ? def.items : [];
  const submitted = new Set(v.state.evidence.filter((e) => e.stepId === step.id).map((e) => e.itemId));
  if (items.length === 0) {
    return html`<form class="card" data-api="${api(v, `/steps/${encodeURIComponent(step.id)}/evidence`)}" data-refresh>
      <h3>Evidence for ${step.title}</h3>
      <div class="field"><label for="ev-${step.id}-item">Item id</label><input id="ev-${step.id}-item" name="itemId" required></div>
      <div class="field"><label for="ev-${step.id}-value">Value (JSON)</label><input id="ev-${step.id}-value" name="value" data-type="json" required></div>
      ${formStatus()}<button type="submit">Submit evidence</button></form>`;
  }
  return html`${items.map((item) => {
    const id = `ev-${step.id}-${item.id}`;
    return html`<form class="card" data-api="${api(v, `/steps/${encodeURIComponent(step.id)}/evidence`)}" data-refresh>
      <h3>${item.title} ${submitted.has(item.id) && html`<small>(submitted; a new value replaces it)</small>`}</h3>
      ${item.description && html`<p class="hint">${item.description}</p>`}
      <input type="hidden" name="itemId" value="${item.id}">
      <div class="field ${item.type === 'attestation' && 'check'}"><label for="${id}">${item.type === 'attestation' ? 'I confirm this is true' : `Value (${item.type}${item.min !== undefined ? `, min ${item.min}` : ''}${item.max !== undefined ? `, max ${item.max}` : ''})`}</label>${evidenceInput(item, id)}</div>
      <div class="field"><label for="${id}-note">Note (optional)</label><input id="${id}-note" name="note"></div>
      ${formStatus()}<button type="submit">Submit</button></form>`;
  })}`;
}

export function decisionForm(v: RunView, step: StepView): SafeHtml {
  const id = `decide-${step.id}`;
  return html`<form class="card decision" data-api="${api(v, `/steps/${encodeURIComponent(step.id)}/decisions`)}" data-refresh>
  <h3>Decide: ${step.title}</h3>
  ${evidenceList(v, (step.approvals ?? []).length ? coveredSteps(v, step) : [])}
  <div class="field"><label for="${id}-comment">Comment <small>(required to reject)</small></label><textarea id="${id}-comment" name="comment" rows="3"></textarea></div>
  ${formStatus()}
  <div class="buttons"><button type="submit" name="decision" value="approve">Approve</button><button type="submit" name="decision" value="reject" class="danger">Reject</button></div>
</form>`;
}

function coveredSteps(v: RunView, step: StepView): string[] {
  const def = stepsById(v.runbook).get(step.id);
  return def?.kind === 'approval' ? def.covers : [];
}

function evidenceList(v: RunView, stepIds: string[]): SafeHtml | false {
  const items = v.state.evidence.filter((e) => stepIds.includes(e.stepId));
  return (
    items.length > 0 &&
    html`<details open><summary>Evidence this decision covers (${items.length})</summary><ul class="records">${items.map(
      (e) => html`<li><strong>${e.stepId} / ${e.itemId}</strong>: <code>${json(e.value)}</code> by ${e.submittedBy.id} ${time(e.at)}${e.note && html` — ${e.note}`}</li>`,
    )}</ul></details>`
  );
}

/** The steps that wait for this person now, with the form for each. */
export function actionsForMe(v: RunView): SafeHtml[] {
  if (isClosed(v.state)) return [];
  const defs = stepsById(v.runbook);
  return v.state.steps
    .filter((s) => s.status === 'waiting' && mayAct(s, v.me))
    .filter((s) => !(s.kind === 'approval' && (v.state.initiator.id === v.me || v.state.decisions.some((d) => d.stepId === s.id && d.actor.id === v.me))))
    .map((s) => (s.kind === 'approval' ? decisionForm(v, s) : evidenceForms(v, s, defs.get(s.id))));
}

function stepItem(v: RunView, s: StepView): SafeHtml {
  const decisions = v.state.decisions.filter((d) => d.stepId === s.id);
  const evidence = v.state.evidence.filter((e) => e.stepId === s.id);
  const comps = v.state.compensations.filter((c) => c.stepId === s.id);
  return html`<li class="step status-${s.status}" id="step-${s.id}" data-step="${s.id}" data-status="${s.status}">
  <div class="step-head"><span class="step-title">${s.title}</span> ${badge(s.status)} <small class="muted">${s.kind}${s.phase && ` · ${s.phase}`}</small></div>
  <div class="step-meta">
    ${s.startedAt && html`<span>started ${time(s.startedAt)}</span> <span>· ${duration(s.startedAt, s.endedAt)}</span>`}
    ${s.deadlineAt && s.status === 'waiting' && html` <span>· deadline ${time(s.deadlineAt)}</span>`}
    ${s.escalationLevel ? html` <span>· escalation level ${s.escalationLevel}</span>` : ''}
  </div>
  ${s.approvals && html`<ul class="records">${s.approvals.map((a) => html`<li>${a.role}: ${a.approvedBy.length}/${a.quorum} approved${a.approvedBy.length > 0 && ` (${a.approvedBy.join(', ')})`}</li>`)}</ul>`}
  ${s.status === 'waiting' && s.mayDecide && html`<p class="muted">Waiting for ${s.mayDecide.map((m) => `${m.role} (${m.people.join(', ')})`).join('; ')}</p>`}
  ${s.error && html`<p class="error">${s.error}</p>`}
  ${s.result !== undefined && html`<details><summary>Result</summary><pre>${json(s.result)}</pre></details>`}
  ${evidence.length > 0 && html`<ul class="records evidence">${evidence.map((e) => html`<li>evidence <strong>${e.itemId}</strong>: <code>${json(e.value)}</code> by ${e.submittedBy.id} ${time(e.at)}${e.note && html` — ${e.note}`}</li>`)}</ul>`}
  ${decisions.length > 0 && html`<ul class="records decisions">${decisions.map((d) => html`<li class="decision-${d.decision}"><strong>${d.decision}</strong> by ${d.actor.name ?? d.actor.id} as ${d.role} ${time(d.at)}${d.comment && html`<blockquote class="comment">${d.comment}</blockquote>`}</li>`)}</ul>`}
  ${comps.length > 0 && html`<ul class="records">${comps.map((c) => html`<li>compensation ${c.action}: ${badge(c.status)} ${time(c.at)}${c.error && html` <span class="error">${c.error}</span>`}</li>`)}</ul>`}
</li>`;
}

function redButton(v: RunView): SafeHtml {
  if (v.state.status !== 'hypercare') {
    return html`<section class="red-button" aria-labelledby="rb-h"><h2 id="rb-h">Red Button</h2><p class="muted">Reports of AI errors are taken during hypercare, after go-live${isClosed(v.state) ? '; this run has ended' : ''}.</p></section>`;
  }
  return html`<section class="red-button" aria-labelledby="rb-h">
  <h2 id="rb-h">Red Button: report an AI error</h2>
  <form data-api="${api(v, '/reports')}" data-refresh data-success="Report sent. Thank you.">
    <div class="field"><label for="rb-severity">Severity</label><select id="rb-severity" name="severity">
      <option value="low">low</option><option value="medium" selected>medium</option><option value="high">high</option><option value="critical">critical</option></select></div>
    <div class="field"><label for="rb-description">What did the AI get wrong?</label><textarea id="rb-description" name="description" rows="4" required></textarea></div>
    <div class="field check"><input type="checkbox" id="rb-anon" name="anonymous" data-type="boolean"><label for="rb-anon">Report anonymously</label></div>
    ${formStatus()}
    <button type="submit" class="danger big">Report AI error</button>
  </form>
</section>`;
}

function lineControls(v: RunView): SafeHtml | false {
  if (isClosed(v.state)) return false;
  const mine = rolesInRun(v.state, v.me);
  const mayStop = stopRoles(v.runbook).some((r) => mine.includes(r)) || (!v.runbook && mine.length > 0);
  const mayRollback = (v.runbook?.rollbackAuthority ?? []).some((r) => mine.includes(r));
  const form = (path: string, id: string, label: string, button: string) =>
    html`<form data-api="${api(v, path)}" data-refresh class="card"><div class="field"><label for="${id}">${label}</label><input id="${id}" name="reason" required></div>${formStatus()}<button type="submit" class="danger">${button}</button></form>`;
  return (
    (mayStop || mayRollback) &&
    html`<section aria-labelledby="stop-h"><h2 id="stop-h">Stop or roll back</h2>
    ${mayStop && form('/stop', 'stop-reason', 'Why stop the line?', 'Stop the line')}
    ${mayRollback && form('/rollback', 'rollback-reason', 'Why roll back?', 'Request rollback')}</section>`
  );
}

function reports(v: RunView): SafeHtml | false {
  const member = rolesInRun(v.state, v.me).length > 0;
  return (
    v.state.reports.length > 0 &&
    html`<section aria-labelledby="reports-h"><h2 id="reports-h">Reports</h2><ul class="records reports">${v.state.reports.map(
      (r) => html`<li class="report severity-${r.severity}"><strong>${r.severity}</strong> ${badge(r.status)} by ${r.reporter} ${time(r.at)}
      <blockquote class="comment">${r.description}</blockquote>
      ${r.resolution ? html`<p>Resolved by ${r.resolution.by.id} ${time(r.resolution.at)}: ${r.resolution.text}</p>` : html`<p class="muted">Response due ${time(r.responseDueAt)}</p>`}
      ${!r.resolution && member && !isClosed(v.state) && html`<form data-api="${api(v, `/reports/${encodeURIComponent(r.id)}/resolution`)}" data-refresh><div class="field"><label for="res-${r.id}">Resolution</label><input id="res-${r.id}" name="resolution" required></div>${formStatus()}<button type="submit" class="secondary">Resolve</button></form>`}
    </li>`,
    )}</ul></section>`
  );
}

export function liveRegion(v: RunView): SafeHtml {
  const s = v.state;
  const mine = actionsForMe(v);
  return html`<div class="run-status" data-run-status="${s.status}">${badge(s.status)} ${s.waitingRoles.length > 0 && html`<span class="muted">waiting for ${s.waitingRoles.join(', ')}</span>`}</div>
  ${s.failure && html`<div class="failure" role="status"><strong>${s.failure.kind}</strong>${s.failure.stepId && ` at ${s.failure.stepId}`}: ${s.failure.reason}${s.failure.by && ` (by ${s.failure.by.id})`}</div>`}
  ${mine.length > 0 && html`<section class="for-me" aria-labelledby="forme-h"><h2 id="forme-h">Waiting for you</h2>${mine}</section>`}
  <div class="columns">
    <section aria-labelledby="timeline-h"><h2 id="timeline-h">Timeline</h2><ol class="timeline">${s.steps.map((step) => stepItem(v, step))}</ol></section>
    <div>
      ${redButton(v)}
      ${reports(v)}
      ${lineControls(v)}
      ${s.escalations.length > 0 && html`<section aria-labelledby="esc-h"><h2 id="esc-h">Escalations</h2><ul class="records">${s.escalations.map((e) => html`<li>${e.subject}: level ${e.level} ${time(e.at)} notified ${e.notified.join(', ')}${e.delegatedTo && ` · delegated to ${e.delegatedTo}`}</li>`)}</ul></section>`}
    </div>
  </div>`;
}

export function runPage(v: RunView): SafeHtml {
  const s = v.state;
  return html`<div class="run-head">
  <h1>${s.system} <small>· ${s.runbook.title}</small></h1>
  <dl class="facts">
    <div><dt>Run</dt><dd><code>${v.runId}</code></dd></div>
    <div><dt>Runbook</dt><dd>${s.runbook.id} v${s.runbook.version}</dd></div>
    <div><dt>Collaboration Mode</dt><dd>${s.collaborationMode}</dd></div>
    <div><dt>Started by</dt><dd>${s.initiator.name ?? s.initiator.id}</dd></div>
    <div><dt>Started</dt><dd>${time(s.startedAt)}</dd></div>
    <div><dt>Duration</dt><dd>${duration(s.startedAt, s.endedAt)}</dd></div>
  </dl>
  <p class="links">
    <a href="/runs/${encodeURIComponent(v.runId)}/audit">Audit trail</a>
    <a href="${api(v, '/dossier')}" download>Download dossier</a>
    ${v.temporalUrl && html`<a href="${v.temporalUrl}" rel="noopener" target="_blank">Open in Temporal Web UI</a>`}
  </p>
</div>
${diagram(s)}
<div id="live" data-live="/runs/${encodeURIComponent(v.runId)}/live" aria-live="polite">${liveRegion(v)}</div>`;
}
