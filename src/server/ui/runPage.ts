import { modeLabel } from '../../audit/documents/people';
import { documentsNav } from './documentPage';
import { decisionContext } from './decisionContext';
import type { Runbook } from '../../contract/schemas/runbook';
import { type RunStateView, type StepView } from '../../contract/definitions';
import {
  ENDED_IN_TEMPORAL_NOTE,
  ENDED_IN_TEMPORAL_STATUSES,
  FINAL_STATUSES,
  RUN_STATUS_WORDS,
} from '../../contract/runStatus';
import { isAllowed, stopRoles, type Action, type Person, type RunFacts } from '../../contract/policy';
import { activityErrorWords, failureCause, undeliveredWords } from '../../contract/failureWords';
import { factsFromView } from '../../contract/runFacts';
import { html, type SafeHtml } from './html';
import { badge, duration, formStatus, time } from './layout';
import { joined, named } from './names';
import { stepsById } from './runbookInfo';

/**
 * The run page: header, step diagram, and the live region (timeline, what waits for me, records,
 * the Red Button) that app.mjs refreshes by polling /runs/:runId/live.
 */

export interface RunView {
  runId: string;
  state: RunStateView;
  runbook: Runbook | undefined;
  /** Who is looking: every form is offered from the policy's answer for them (policy.ts). */
  me: Person;
  temporalUrl?: string;
  /** Prefix for element ids, so several runs' forms can share a page (My approvals). */
  key?: string;
  /** People's display names by id (the directory's), for who waits and who did what; ids stay the reference. */
  people?: ReadonlyMap<string, string>;
}

type ItemView = NonNullable<StepView['items']>[number];

const fid = (v: RunView, id: string) => `${v.key ?? ''}${id}`;

const factsCache = new WeakMap<RunStateView, RunFacts>();

/** The policy's facts for this view (built once per rendering). */
function facts(v: RunView): RunFacts {
  let f = factsCache.get(v.state);
  if (!f) factsCache.set(v.state, (f = factsFromView(v.state)));
  return f;
}

/** May the person looking do this now? The same answer the workflow will give. */
export function may(v: RunView, action: Action): boolean {
  return isAllowed(facts(v), v.me, action);
}

export const isClosed = (state: RunStateView): boolean => FINAL_STATUSES.includes(state.status);

/** A role by its title in the runbook (the id when the runbook is not at hand). */
function roleName(v: RunView, role: string): string {
  return v.runbook?.roles.find((r) => r.id === role)?.title ?? role;
}

function roleNames(v: RunView, roles: readonly string[]): string {
  return [...new Set(roles)].map((r) => roleName(v, r)).join(' or ');
}

/** A role by its title, its id as the tooltip. */
const role = (v: RunView, id: string) => named(id, roleName(v, id));

/** A person by their display name (the one they acted under, else the directory's), their id as the tooltip. */
const person = (v: RunView, id: string, name?: string) => named(id, name ?? v.people?.get(id));

const people = (v: RunView, ids: readonly string[]) =>
  joined(
    ids.map((id) => person(v, id)),
    ', ',
  );

/** Every person id the run page may name: the directory is asked for their names once per rendering. */
export function personIdsOf(state: RunStateView): string[] {
  const ids = [
    ...Object.values(state.assignments).flat(),
    ...state.steps.flatMap((s) => [
      ...(s.mayDecide ?? []).flatMap((m) => m.people),
      ...(s.approvals ?? []).flatMap((a) => a.approvedBy),
    ]),
    ...state.evidence.map((e) => e.submittedBy.id),
    ...state.decisions.map((d) => d.actor.id),
    ...(state.failure?.by ? [state.failure.by.id] : []),
  ];
  return [...new Set(ids)];
}

/**
 * Who must approve: every approver role's quorum counts, so several roles are "and" — each must
 * approve — with how far each has got; one role is said as whoMay says it.
 */
function approversNeeded(v: RunView, step: StepView, roles: readonly string[]): SafeHtml {
  const approvals = step.approvals ?? [];
  if (approvals.length < 2) return whoMay(v, 'Decided', roles);
  const each = approvals.map((a) => `${roleName(v, a.role)} (${a.approvedBy.length} of ${a.quorum} approved)`);
  return html`<p class="who-may">Decided by: ${approvals.map((a) => roleName(v, a.role)).join(' and ')} — each must approve: ${each.join('; ')}</p>`;
}

/** Who may send a form, said on the form itself. */
function whoMay(v: RunView, verb: string, roles: readonly string[]): SafeHtml {
  return html`<p class="who-may">${verb} by: ${roles.length ? roleNames(v, roles) : 'the roles the runbook names (the server checks)'}</p>`;
}

const HTTP_URL = /^https?:\/\/[^\s]+$/i;

/** A link for an http(s) URL, text for anything else. */
function maybeLink(url: string, text: string = url): SafeHtml {
  return HTTP_URL.test(url)
    ? html`<a href="${url}" rel="noopener noreferrer" target="_blank">${text}</a>`
    : html`<span>${text}</span>`;
}

const LONG_NOTE = 280;

/** A note as text; a long one folded, so it does not push the form out of sight. */
function note(text: string): SafeHtml {
  return text.length <= LONG_NOTE
    ? html`<span class="note">${text}</span>`
    : html`<details class="note"><summary>${text.slice(0, 80)}… (note, ${text.length} characters)</summary>${text}</details>`;
}

/** An evidence value for people: links clickable, documents by name and short hash. */
export function evidenceValue(value: unknown): SafeHtml {
  if (typeof value === 'string' && HTTP_URL.test(value)) return maybeLink(value);
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const d = value as Record<string, unknown>;
    if (typeof d.name === 'string' && typeof d.sha256 === 'string') {
      return html`<span class="doc">${d.name} <code title="${d.sha256}">sha256 ${d.sha256.slice(0, 12)}…</code>${typeof d.url === 'string' && html` ${maybeLink(d.url, 'open')}`}</span>`;
    }
  }
  return html`<code>${json(value)}</code>`;
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
  return html`<figure class="diagram" tabindex="0" aria-label="Steps of the runbook and what each waits for">
  <ol class="layers">
  ${layers(state.steps).map(
    (ids) =>
      html`<li class="layer"><ul>${ids.map((id) => {
        const s = byId.get(id);
        return (
          s &&
          html`<li class="node status-${s.status}" data-node="${s.id}" title="${s.after.length ? `after ${s.after.join(', ')}` : 'starts first'}"><span class="node-title">${s.title}</span><span class="node-meta">${s.kind} · ${shownStatus(state, s)}</span></li>`
        );
      })}</ul></li>`,
  )}
  </ol>
  <figcaption><span class="scroll-hint">Scroll sideways for more steps →</span> Left to right: steps in a column may run side by side; each waits for the columns before it.</figcaption>
</figure>`;
}

function evidenceInput(item: ItemView, id: string): SafeHtml {
  switch (item.type) {
    case 'number':
      return html`<input id="${id}" name="value" type="number" step="any" data-type="number" required ${item.min !== undefined && html`min="${item.min}"`} ${item.max !== undefined && html`max="${item.max}"`}>`;
    case 'url':
      return html`<input id="${id}" name="value" type="url" required placeholder="https://…">`;
    case 'attestation':
      return html`<input id="${id}" name="value" type="checkbox" data-type="boolean" required>`;
    case 'document':
      return html`<input id="${id}" name="value.name" required placeholder="document name">
        <label for="${id}-file" class="sub">Or pick the file: its name and SHA-256 are computed here, in your browser; nothing is uploaded</label>
        <input id="${id}-file" type="file" data-hash-into="${id}">
        <label for="${id}-sha" class="sub">SHA-256 (hex)</label>
        <input id="${id}-sha" name="value.sha256" required pattern="[A-Fa-f0-9]{64}" data-type="hex" title="64 hexadecimal characters (0-9, a-f), upper or lower case" placeholder="64 hex characters" autocomplete="off">
        <label for="${id}-url" class="sub">Link to the document (optional)</label>
        <input id="${id}-url" name="value.url" type="url" placeholder="https://…">`;
    case 'text':
      return html`<textarea id="${id}" name="value" required rows="3"></textarea>`;
  }
}

function valueLabel(item: ItemView): string {
  if (item.type === 'attestation') return 'I confirm this is true';
  if (item.type === 'document') return 'Document name';
  return `Value (${item.type}${item.min !== undefined ? `, min ${item.min}` : ''}${item.max !== undefined ? `, max ${item.max}` : ''})`;
}

/** Items of an evidence step: from the run's state, which carries them (the runbook's file may be gone). */
function itemsOf(v: RunView, step: StepView): ItemView[] {
  if (step.items) return step.items;
  const def = stepsById(v.runbook).get(step.id);
  return def?.kind === 'evidence' ? def.items.map((i) => ({ ...i, optional: i.optional ?? false })) : [];
}

function submittedFor(v: RunView, stepId: string, itemId: string) {
  return v.state.evidence.filter((e) => e.stepId === stepId && e.itemId === itemId).at(-1);
}

function maySubmitItem(v: RunView, step: StepView, item: ItemView): boolean {
  return may(v, { kind: 'submit', stepId: step.id, itemId: item.id });
}

function evidenceForm(v: RunView, step: StepView, item: ItemView): SafeHtml {
  const id = fid(v, `ev-${step.id}-${item.id}`);
  const def = stepsById(v.runbook).get(step.id);
  const description = def?.kind === 'evidence' ? def.items.find((i) => i.id === item.id)?.description : undefined;
  const previous = submittedFor(v, step.id, item.id);
  return html`<form class="card" id="${id}-form" data-api="${api(v, `/steps/${encodeURIComponent(step.id)}/evidence`)}" data-refresh data-success="Evidence “${item.title}” sent.">
      <h3>${previous ? 'Replace: ' : ''}${item.title} <small>(${step.title}${item.optional ? ', optional' : ''})</small></h3>
      ${whoMay(v, 'Submitted', item.submittedBy)}
      ${description && html`<p class="hint">${description}</p>`}
      ${previous && html`<p class="hint">Already submitted by ${person(v, previous.submittedBy.id, previous.submittedBy.name)} ${time(previous.at)}: ${evidenceValue(previous.value)}. Sending again replaces it.</p>`}
      <input type="hidden" name="itemId" value="${item.id}">
      <div class="field ${item.type === 'attestation' && 'check'}"><label for="${id}">${valueLabel(item)}</label>${evidenceInput(item, id)}</div>
      <div class="field"><label for="${id}-note">Note (optional)</label><input id="${id}-note" name="note"></div>
      ${formStatus()}<button type="submit">${previous ? 'Replace the submitted value' : 'Submit'}</button></form>`;
}

/** Evidence forms for the items this person may submit (others see the items in the timeline). */
function evidenceForms(v: RunView, step: StepView): SafeHtml[] {
  const items = itemsOf(v, step);
  if (items.length === 0) {
    // No item list at all (neither state nor runbook): a generic form for the step's submitters.
    if (!(step.mayDecide ?? []).some((m) => m.people.includes(v.me.id))) return [];
    const id = fid(v, `ev-${step.id}`);
    return [
      html`<form class="card" id="${id}-form" data-api="${api(v, `/steps/${encodeURIComponent(step.id)}/evidence`)}" data-refresh>
      <h3>Evidence for ${step.title}</h3>
      ${whoMay(
        v,
        'Submitted',
        (step.mayDecide ?? []).map((m) => m.role),
      )}
      <div class="field"><label for="${id}-item">Item id</label><input id="${id}-item" name="itemId" required></div>
      <div class="field"><label for="${id}-value">Value (JSON)</label><input id="${id}-value" name="value" data-type="json" required></div>
      ${formStatus()}<button type="submit">Submit evidence</button></form>`,
    ];
  }
  return items
    .filter((item) => maySubmitItem(v, step, item) && !submittedFor(v, step.id, item.id))
    .map((item) => evidenceForm(v, step, item));
}

/** Values this person sent (or may send) on a still-waiting step can be replaced: offered folded, in the step. */
function replaceForms(v: RunView, step: StepView): SafeHtml | false {
  if (step.status !== 'waiting' || step.kind !== 'evidence' || isClosed(v.state)) return false;
  const items = itemsOf(v, step).filter((item) => maySubmitItem(v, step, item) && submittedFor(v, step.id, item.id));
  return (
    items.length > 0 &&
    html`<details class="replace" id="${fid(v, `replace-${step.id}`)}"><summary>Replace a submitted value (${items.length})</summary>${items.map((item) => evidenceForm(v, step, item))}</details>`
  );
}

/** The decision form, with the buttons the policy allows this person (a reject may be heard when an approval is not). */
export function decisionForm(v: RunView, step: StepView, allowed = { approve: true, reject: true }): SafeHtml {
  const id = fid(v, `decide-${step.id}`);
  const roles = (step.mayDecide ?? []).map((m) => m.role);
  const passkey = step.passkey === true;
  return html`<form class="card decision" id="${id}-form" data-api="${api(v, `/steps/${encodeURIComponent(step.id)}/decisions`)}" ${passkey && html`data-passkey="${api(v, `/steps/${encodeURIComponent(step.id)}/passkey-challenge`)}"`} data-refresh data-success-approve="Approved “${step.title}”." data-success-reject="Rejected “${step.title}”: the run rolls back.">
  <h3>Decide: ${step.title}</h3>
  ${approversNeeded(v, step, roles)}
  ${decisionContext(v, step)}
  ${passkey && html`<p class="passkey-note">Signed with your passkey: your browser asks your device to sign exactly this decision, your comment and the evidence below. No passkey yet? <a href="/passkeys">Add one</a>.</p>`}
  ${evidenceList(v, (step.approvals ?? []).length ? coveredSteps(v, step) : [])}
  <div class="field"><label for="${id}-comment">Comment <small>(required to reject)</small></label><textarea id="${id}-comment" name="comment" rows="3" data-blank-for="reject"></textarea></div>
  ${formStatus()}
  <div class="buttons">${allowed.approve && html`<button type="submit" name="decision" value="approve">Approve</button>`}${allowed.reject && html`<button type="submit" name="decision" value="reject" class="danger" data-confirm>Reject…</button>`}</div>
  ${allowed.reject && confirmPanel('Rejecting rolls back every step this run has completed. Reject it?', 'Yes, reject and roll back', { name: 'decision', value: 'reject' })}
</form>`;
}

function coveredSteps(v: RunView, step: StepView): string[] {
  if (step.covers) return step.covers;
  const def = stepsById(v.runbook).get(step.id);
  return def?.kind === 'approval' ? def.covers : [];
}

function evidenceList(v: RunView, stepIds: string[]): SafeHtml | false {
  const items = v.state.evidence.filter((e) => stepIds.includes(e.stepId));
  return (
    items.length > 0 &&
    html`<details open><summary>Evidence this decision covers (${items.length})</summary><ul class="records">${items.map(
      (e) =>
        html`<li><strong>${e.stepId} / ${e.itemId}</strong>: ${evidenceValue(e.value)} by ${person(v, e.submittedBy.id, e.submittedBy.name)} ${time(e.at)}${e.note && html` — ${note(e.note)}`}</li>`,
    )}</ul></details>`
  );
}

/** The steps that wait for this person now, with the form for each. */
export function actionsForMe(v: RunView): SafeHtml[] {
  if (isClosed(v.state)) return [];
  return v.state.steps
    .filter((s) => s.status === 'waiting')
    .flatMap((s) => {
      if (s.kind === 'approval') {
        const allowed = {
          approve: may(v, { kind: 'decide', stepId: s.id, decision: 'approve' }),
          reject: may(v, { kind: 'decide', stepId: s.id, decision: 'reject' }),
        };
        return allowed.approve || allowed.reject ? [decisionForm(v, s, allowed)] : [];
      }
      if (s.kind === 'evidence') return evidenceForms(v, s);
      return [];
    });
}

/** An evidence step's open items for everyone: who each waits for (sent ones are listed below it). */
function openItems(v: RunView, s: StepView): SafeHtml | false {
  const open = itemsOf(v, s).filter((item) => !submittedFor(v, s.id, item.id));
  return (
    s.status === 'waiting' &&
    open.length > 0 &&
    html`<ul class="records items">${open.map((item) => {
      const ids = [
        ...new Set(
          Object.entries(v.state.assignments).flatMap(([role, p]) => (item.submittedBy.includes(role) ? p : [])),
        ),
      ];
      return html`<li><strong>${item.title}</strong>${item.optional ? ' (optional)' : ''}: waits for ${joined(
        [...new Set(item.submittedBy)].map((r) => role(v, r)),
        ' or ',
      )}${ids.length > 0 && html` (${people(v, ids)})`}</li>`;
    })}</ul>`
  );
}

/** A step the run ended before never ran: "not reached", not "pending" (it will not be). */
function shownStatus(state: RunStateView, s: StepView): string {
  return s.status === 'pending' && isClosed(state) ? 'not reached' : s.status;
}

function stepItem(v: RunView, s: StepView): SafeHtml {
  const decisions = v.state.decisions.filter((d) => d.stepId === s.id);
  const evidence = v.state.evidence.filter((e) => e.stepId === s.id);
  const comps = v.state.compensations.filter((c) => c.stepId === s.id);
  return html`<li class="step status-${s.status}" id="${fid(v, `step-${s.id}`)}" data-step="${s.id}" data-status="${s.status}">
  <div class="step-head"><h3 class="step-title" id="${fid(v, `step-${s.id}-h`)}" tabindex="-1">${s.title}</h3> ${badge(shownStatus(v.state, s))} <small class="muted">${s.kind}${s.phase && ` · ${s.phase}`}</small></div>
  <div class="step-meta">
    ${s.startedAt && html`<span>started ${time(s.startedAt)}</span> <span>· ${duration(s.startedAt, s.endedAt)}</span>`}
    ${s.deadlineAt && s.status === 'waiting' && html` <span>· deadline ${time(s.deadlineAt)}</span>`}
    ${s.escalationLevel ? html` <span>· escalation level ${s.escalationLevel}</span>` : ''}
  </div>
  ${s.approvals && html`<ul class="records">${s.approvals.map((a) => html`<li>${role(v, a.role)}: ${a.approvedBy.length}/${a.quorum} approved${a.approvedBy.length > 0 && html` (${people(v, a.approvedBy)})`}</li>`)}</ul>`}
  ${s.kind === 'evidence' && openItems(v, s)}
  ${
    s.status === 'waiting' &&
    s.kind !== 'evidence' &&
    s.mayDecide &&
    html`<p class="muted">Waiting for ${joined(
      s.mayDecide.map(
        (m) => html`${role(v, m.role)} (${m.people.length ? people(v, m.people) : 'nobody left to ask'})`,
      ),
      '; ',
    )}</p>`
  }
  ${s.undelivered ? undeliveredNotice(v, s) : s.error && html`<p class="error">${activityErrorWords(s.error)}</p>`}
  ${s.result !== undefined && html`<details><summary>Result</summary><pre>${json(s.result)}</pre></details>`}
  ${evidence.length > 0 && html`<ul class="records evidence">${evidence.map((e) => html`<li>evidence <strong>${e.itemId}</strong>: ${evidenceValue(e.value)} by ${person(v, e.submittedBy.id, e.submittedBy.name)} ${time(e.at)}${e.note && html` — ${note(e.note)}`}</li>`)}</ul>`}
  ${decisions.length > 0 && html`<ul class="records decisions">${decisions.map((d) => html`<li class="decision-${d.decision}"><strong>${d.decision}</strong> by ${person(v, d.actor.id, d.actor.name)} as ${role(v, d.role)}${d.roleSource === 'delegation' && html` <span class="delegated">(delegated substitute: ${d.delegationReason ?? 'no reason given'})</span>`}${d.onBehalfOf && html` for ${role(v, d.onBehalfOf)}`}${d.passkey && html` <span class="passkey-signed" title="credential ${d.passkey.credentialId}">signed with their passkey</span>`} ${time(d.at)}${d.comment && html`<blockquote class="comment">${d.comment}</blockquote>`}</li>`)}</ul>`}
  ${replaceForms(v, s)}
  ${comps.length > 0 && html`<ul class="records">${comps.map((c) => html`<li>compensation ${c.action}: ${badge(c.status)} ${time(c.at)}${c.error && html` <span class="error">${activityErrorWords(c.error)}</span>`}</li>`)}</ul>`}
</li>`;
}

/** A notification the runbook let fail: said plainly, with the resend button for those it escalated to. */
function undeliveredNotice(v: RunView, s: StepView): SafeHtml {
  const roles = s.resendRoles ?? [];
  return html`<div class="warning" role="status"><p><strong>Not delivered.</strong> ${undeliveredWords(s.warning ?? '')} The run went on; ${roleNames(v, roles)} were told.</p>
  ${may(v, { kind: 'resend', stepId: s.id }) && html`<form id="${fid(v, `resend-${s.id}`)}-form" data-api="${api(v, `/steps/${encodeURIComponent(s.id)}/resend`)}" data-refresh data-success="Sent again: see the step for whether it got through.">${whoMay(v, 'Resent', roles)}${formStatus()}<button type="submit" class="secondary">Resend</button></form>`}</div>`;
}

function redButton(v: RunView): SafeHtml {
  if (v.state.status !== 'hypercare') {
    return html`<section class="red-button" aria-labelledby="rb-h"><h2 id="rb-h">Red Button</h2><p class="muted">Reports of AI errors are taken during hypercare, after go-live${isClosed(v.state) ? '; this run has ended' : ''}.</p></section>`;
  }
  if (!may(v, { kind: 'report', anonymous: false })) {
    return html`<section class="red-button" id="red-button" aria-labelledby="rb-h"><h2 id="rb-h" tabindex="-1">Red Button</h2><p class="muted">Reports are taken from the people involved in this run (everyone assigned a role in it); you read it without a role in it.</p></section>`;
  }
  return html`<section class="red-button" id="red-button" aria-labelledby="rb-h">
  <h2 id="rb-h" tabindex="-1">Red Button: report an AI error</h2>
  <form id="rb-form" data-api="${api(v, '/reports')}" data-refresh data-success="Report sent. Thank you." data-receipt="rb-receipt">
    <p class="who-may">Submitted by: anyone involved in this run, end users included; tick "anonymously" to keep your name out of the record.</p>
    <div class="field"><label for="rb-severity">Severity</label><select id="rb-severity" name="severity">
      <option value="low">low</option><option value="medium" selected>medium</option><option value="high">high</option><option value="critical">critical</option></select></div>
    <div class="field"><label for="rb-description">What did the AI get wrong?</label><textarea id="rb-description" name="description" rows="4" required></textarea></div>
    <div class="field check"><input type="checkbox" id="rb-anon" name="anonymous" data-type="boolean"><label for="rb-anon">Report anonymously</label></div>
    ${formStatus()}
    <button type="submit" class="danger big">Report AI error</button>
  </form>
  <div id="rb-receipt" class="receipt" data-keep tabindex="-1" hidden></div>
</section>`;
}

/**
 * The second question of a two-step form (apiForms.mjs): the form's submit, or a button marked
 * `data-confirm`, opens it; its "Yes" sends, as `submit` (name and value) where the form has
 * several buttons.
 */
function confirmPanel(question: string, yes: string, submit?: { name: string; value: string }): SafeHtml {
  return html`<div class="confirm" hidden><p><strong>${question}</strong></p><div class="buttons"><button type="submit" class="danger" data-confirmed ${submit && html`name="${submit.name}" value="${submit.value}"`}>${yes}</button><button type="button" class="secondary" data-cancel>Cancel</button></div></div>`;
}

function lineControls(v: RunView): SafeHtml | false {
  if (isClosed(v.state)) return false;
  const stop = stopRoles(facts(v));
  const rollback = facts(v).authority.rollback;
  const mayStop = may(v, { kind: 'stop' });
  const mayRollback = may(v, { kind: 'rollback' });
  const form = (
    path: string,
    id: string,
    label: string,
    button: string,
    roles: string[],
    confirm: SafeHtml,
    success: string,
  ) =>
    html`<form id="${fid(v, `${id}-form`)}" data-api="${api(v, path)}" data-refresh data-confirm data-success="${success}" novalidate class="card">${whoMay(v, 'Sent', roles)}<div class="field"><label for="${fid(v, id)}">${label}</label><input id="${fid(v, id)}" name="reason" required></div>${formStatus()}<button type="submit" class="danger">${button}…</button>${confirm}</form>`;
  return (
    (mayStop || mayRollback) &&
    html`<section aria-labelledby="stop-h"><h2 id="stop-h">Stop or roll back</h2>
    ${mayStop && form('/stop', 'stop-reason', 'Why stop the line?', 'Stop the line', stop, confirmPanel('Stopping the line rolls production back now. Stop it?', 'Yes, stop the line and roll back'), 'Line stopped: rolling back.')}
    ${mayRollback && form('/rollback', 'rollback-reason', 'Why roll back?', 'Request rollback', rollback, confirmPanel('This asks for production to be rolled back. Go on?', 'Yes, request the rollback'), 'Rollback requested: rolling back.')}</section>`
  );
}

type ReportView = RunStateView['reports'][number];

/** May this person resolve the run's open reports? */
export function mayResolveReports(v: RunView): boolean {
  return !isClosed(v.state) && openReports(v.state).some((r) => may(v, { kind: 'resolve', reportId: r.id }));
}

const resolveRoles = (v: RunView): string[] => facts(v).authority.resolve;

export function openReports(state: RunStateView): ReportView[] {
  return state.reports.filter((r) => r.status === 'open');
}

const isOverdue = (r: ReportView, now: number) => r.status === 'open' && Date.parse(r.responseDueAt) < now;

/** "2 open reports — 1 overdue", or nothing when none is open. */
export function openReportsSummary(state: RunStateView, now = Date.now()): string | undefined {
  const open = openReports(state);
  if (open.length === 0) return undefined;
  const overdue = open.filter((r) => isOverdue(r, now)).length;
  return `${open.length} open report${open.length > 1 ? 's' : ''}${overdue ? ` — ${overdue} overdue` : ''}`;
}

/** The form to answer one report (ids keyed, so several runs can share My approvals). */
function resolveForm(v: RunView, r: ReportView): SafeHtml {
  return html`<form id="${fid(v, `res-${r.id}-form`)}" data-api="${api(v, `/reports/${encodeURIComponent(r.id)}/resolution`)}" data-refresh data-success="Report resolved (${r.severity}: “${r.description.length > 60 ? `${r.description.slice(0, 60)}…` : r.description}”).">${whoMay(v, 'Resolved', resolveRoles(v))}<div class="field"><label for="${fid(v, `res-${r.id}`)}">Resolution</label><input id="${fid(v, `res-${r.id}`)}" name="resolution" required></div>${formStatus()}<button type="submit" class="secondary">Resolve</button></form>`;
}

/** The first response before the resolution: the reporter hears someone is on it (same people as resolve). */
function acknowledgeForm(v: RunView, r: ReportView): SafeHtml {
  return html`<form id="${fid(v, `ack-${r.id}-form`)}" data-api="${api(v, `/reports/${encodeURIComponent(r.id)}/acknowledgement`)}" data-refresh data-success="Report ${r.id} acknowledged."><div class="field"><label for="${fid(v, `ack-${r.id}`)}">First response</label><input id="${fid(v, `ack-${r.id}`)}" name="text" required value="Seen, we are on it."></div>${formStatus()}<button type="submit" class="secondary">Acknowledge</button></form>`;
}

/** When a report came in and when it must be answered; overdue said in words, not colour only. */
function reportTiming(r: ReportView, now: number): SafeHtml {
  const overdue = isOverdue(r, now);
  return html`<p class="report-timing ${overdue && 'overdue'}">Reported ${duration(r.at, undefined, now)} ago · response due ${time(r.responseDueAt)}${overdue && html` · <strong>overdue</strong>`}</p>`;
}

function reportItem(v: RunView, r: ReportView, mayResolve: boolean, now: number): SafeHtml {
  const resolvers = resolveRoles(v);
  return html`<li class="report severity-${r.severity} ${isOverdue(r, now) && 'overdue'}" data-report="${r.id}"><strong>${r.severity}</strong> ${badge(r.status)} by ${r.reporterName ?? r.reporter} ${time(r.at)}
      <blockquote class="comment">${r.description}</blockquote>
      ${r.acknowledgement && html`<p class="acknowledged">Acknowledged by ${r.acknowledgement.by.name ?? r.acknowledgement.by.id} ${time(r.acknowledgement.at)}: ${r.acknowledgement.text}</p>`}
      ${r.resolution ? html`<p>Resolved by ${r.resolution.by.name ?? r.resolution.by.id} ${time(r.resolution.at)}: ${r.resolution.text}</p>` : html`${reportTiming(r, now)}${!mayResolve && resolvers.length > 0 && html`<p class="muted">Resolved by ${roleNames(v, resolvers)}</p>`}`}
      ${r.thanks && html`<p class="thanks">${r.thanks.text}</p>`}
      ${!r.resolution && mayResolve && !r.acknowledgement && acknowledgeForm(v, r)}
      ${!r.resolution && mayResolve && resolveForm(v, r)}
    </li>`;
}

/** Open reports for someone who may resolve them (My approvals): one card each, with the form. */
export function reportActionsForMe(v: RunView, now = Date.now()): SafeHtml[] {
  if (!mayResolveReports(v)) return [];
  return openReports(v.state).map(
    (r) =>
      html`<div class="card report-card ${isOverdue(r, now) && 'overdue'}" data-report="${r.id}"><h3>Red Button report: ${r.severity}</h3><ul class="records reports">${reportItem(v, r, true, now)}</ul></div>`,
  );
}

function reports(v: RunView, now = Date.now()): SafeHtml | false {
  const mayResolve = mayResolveReports(v);
  // Open ones first, so the ones to answer are not under the resolved ones.
  const sorted = [...openReports(v.state), ...v.state.reports.filter((r) => r.status !== 'open')];
  const left = v.state.omitted?.reports ?? 0;
  return (
    v.state.reports.length > 0 &&
    html`<section id="${fid(v, 'reports')}" aria-labelledby="reports-h"><h2 id="reports-h" tabindex="-1">Red Button reports <small>(${openReportsSummary(v.state, now) ?? 'none open'})</small></h2>${left > 0 && html`<p class="muted" data-omitted-reports>${left} older reports are not shown here (${v.state.omitted?.openReports ?? 0} of them open); the audit trail lists every one.</p>`}<ul class="records reports">${sorted.map((r) => reportItem(v, r, mayResolve, now))}</ul></section>`
  );
}

function header(v: RunView): SafeHtml {
  const s = v.state;
  return html`<div class="run-head">
  <h1>${s.system} <small>· ${s.runbook.title}</small></h1>
  <dl class="facts">
    <div><dt>Status</dt><dd>${badge(s.status)}</dd></div>
    <div><dt>Run</dt><dd><code>${v.runId}</code></dd></div>
    <div><dt>Runbook</dt><dd>${s.runbook.id} v${s.runbook.version}</dd></div>
    <div><dt>Collaboration Mode</dt><dd>${modeLabel(s.collaborationMode)}</dd></div>
    <div><dt>Started by</dt><dd>${s.initiator.name ?? s.initiator.id}</dd></div>
    <div><dt>Signing key</dt><dd>${(s.pinnedKeys ?? []).length ? html`<code title="every message to this run must be signed with it">${s.pinnedKeys.join(', ')}</code>` : 'none (started before golive signed messages)'}</dd></div>
    <div><dt>Started</dt><dd>${time(s.startedAt)}</dd></div>
    <div><dt>${s.endedAt ? 'Duration' : 'Running for'}</dt><dd data-duration>${duration(s.startedAt, s.endedAt)}</dd></div>
  </dl>
  <p class="links">
    ${s.status === 'hypercare' && may(v, { kind: 'report', anonymous: false }) && html`<a href="#rb-h" class="report-link">Report an AI error</a>`}
    <a href="/runs/${encodeURIComponent(v.runId)}/audit">Audit trail</a>
    ${s.oversight && html`<a href="/runs/${encodeURIComponent(v.runId)}/oversight">Oversight</a>`}
    <a href="${api(v, '/dossier')}" download data-anchor="dossier-anchor">Download dossier</a>
    ${v.temporalUrl && html`<a href="${v.temporalUrl}" rel="noopener" target="_blank">Open in Temporal Web UI</a>`}
  </p>
  <p id="dossier-anchor" class="hint anchor" role="status" data-keep hidden></p>
  <p class="hint">The five deliverables, built from this run as it stands:</p>
  ${documentsNav(v.runId)}
</div>`;
}

/**
 * Everything on the run page that changes as the run moves: app.mjs (live.mjs) replaces it whole on each
 * poll, keeping forms someone is using (typed text, focus, errors) as they are.
 */
export function liveRegion(v: RunView): SafeHtml {
  const s = v.state;
  const mine = actionsForMe(v);
  const hypercare = s.status === 'hypercare';
  const summary = isClosed(s) ? undefined : openReportsSummary(s);
  // People who answer reports see them before the long timeline while any is open.
  const reportsFirst = summary !== undefined && mayResolveReports(v);
  return html`${header(v)}
  <div class="run-status" data-run-status="${s.status}" data-run-status-words="${RUN_STATUS_WORDS[s.status]}">${
    s.waitingRoles.length > 0 &&
    html`<span class="muted">Waiting for ${joined(
      s.waitingRoles.map((r) => role(v, r)),
      ', ',
    )}</span>`
  }</div>
  ${ENDED_IN_TEMPORAL_STATUSES.includes(s.status) && html`<div class="failure" role="status"><strong>${RUN_STATUS_WORDS[s.status]}</strong>, not by golive: ${ENDED_IN_TEMPORAL_NOTE}.</div>`}
  ${s.failure && html`<div class="failure" role="status"><strong>${s.failure.kind}</strong>${s.failure.stepId && ` at ${s.failure.stepId}`}: ${failureCause(s.failure)}${s.failure.by && html` (by ${person(v, s.failure.by.id, s.failure.by.name)})`}</div>`}
  ${summary && html`<p class="reports-banner ${summary.includes('overdue') && 'overdue'}" role="status"><a href="#reports-h">${summary}</a></p>`}
  ${reportsFirst && reports(v)}
  ${hypercare && redButton(v)}
  ${mine.length > 0 && html`<section class="for-me" aria-labelledby="forme-h"><h2 id="forme-h">Waiting for you</h2>${mine}</section>`}
  ${diagram(s)}
  <div class="columns">
    <section aria-labelledby="timeline-h"><h2 id="timeline-h">Timeline</h2><ol class="timeline">${s.steps.map((step) => stepItem(v, step))}</ol></section>
    <div>
      ${!hypercare && redButton(v)}
      ${!reportsFirst && reports(v)}
      ${lineControls(v)}
      ${s.escalations.length > 0 && html`<section aria-labelledby="esc-h"><h2 id="esc-h">Escalations</h2><ul class="records">${s.escalations.map((e) => html`<li>${e.subject}: level ${e.level} ${time(e.at)} notified ${e.notified.join(', ')}${e.delegatedTo && ` · delegated to ${e.delegatedTo}`}</li>`)}</ul></section>`}
    </div>
  </div>`;
}

export function runPage(v: RunView): SafeHtml {
  return html`<p id="live-note" class="visually-hidden" role="status" aria-live="polite"></p>
<div id="live" data-live="/runs/${encodeURIComponent(v.runId)}/live" data-status="${v.state.status}">${liveRegion(v)}</div>`;
}
