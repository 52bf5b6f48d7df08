import { modeLabel } from '../../audit/documents/people';
import { type RunStateView } from '../../contract/definitions';
import { failureWords } from '../../contract/failureWords';
import { ENDED_IN_TEMPORAL_NOTE, endedInTemporalWords, isFinalStatus } from '../../contract/runStatus';
import type { Person } from '../../auth/users';
import type { LoadedRunbook } from '../../runbook/load';
import { RUN_STATUSES } from '../api';
import type { RunSummary } from '../temporalRuns';
import { html, type SafeHtml } from './html';
import { badge, formStatus, time } from './layout';
import { joined, named } from './names';
import { openReportsSummary } from './runPage';

/** Runs: the list (state, system, current step, who it waits for) and the start form. */

export interface RunRow {
  summary: RunSummary;
  /** From the run's query; absent when the run could not be asked in time. */
  state?: RunStateView;
  /** Role titles (id → title) from the run's runbook, for the Waits for column. */
  roleTitles?: ReadonlyMap<string, string>;
}

/**
 * Why an ended run failed, in the CLI's words (kind, step, who, reason), from the list's memo; the
 * run's own state, when the page read it (its memo has no failure, or cut the reason), gives the
 * whole reason: in a tooltip where the memo's cut words are shown.
 */
function whyItEnded(r: RunRow): SafeHtml | string {
  const ran = r.state?.failure && { ...r.state.failure, by: r.state.failure.by?.id };
  const memo = r.summary.failure;
  if (!ran && !memo) return '';
  const shown = failureWords((memo ?? ran)!);
  const whole = ran ? failureWords(ran) : shown;
  return whole === shown ? shown : html`<span class="why" title="${whole}">${shown}</span>`;
}

/** Ended in Temporal: the list's state says how, and that golive did not finish the run. */
function endedInTemporal(r: RunRow): string | undefined {
  const how = endedInTemporalWords(r.state?.status ?? r.summary.state ?? '');
  if (!how) return undefined;
  // Ended while rolling back: golive's reason for the rollback first.
  const f = r.summary.failure;
  const before = f ? `${failureWords(f)}; then ` : '';
  return `${before}${how}: ${ENDED_IN_TEMPORAL_NOTE}`;
}

function currentSteps(r: RunRow): SafeHtml | string {
  const ended = endedInTemporal(r);
  if (ended !== undefined) return ended;
  // A run that ended badly says why, where its current step would be.
  if (isFinalStatus(r.state?.status ?? r.summary.state ?? '')) return whyItEnded(r);
  const active = (r.state?.steps ?? []).filter(
    (s) => s.status === 'running' || s.status === 'waiting' || s.status === 'compensating',
  );
  return active.map((s) => s.title).join(', ');
}

/** Who each waiting step waits for (as the run page says it); the list's roles when the run was not read. */
function waitsFor(row: RunRow, people: ReadonlyMap<string, string>): SafeHtml {
  const role = (id: string) => named(id, row.roleTitles?.get(id));
  const waiting = row.state?.steps.filter((s) => s.status === 'waiting') ?? [];
  const who = waiting.flatMap((s) =>
    (s.mayDecide ?? []).map(
      (m) =>
        html`${role(m.role)}: ${
          m.people.length
            ? joined(
                m.people.map((p) => named(p, people.get(p))),
                ', ',
              )
            : 'nobody left to ask'
        }`,
    ),
  );
  return html`${who.length ? joined(who, '; ') : joined(row.summary.waitingRoles.map(role), ', ')}`;
}

/** Open Red Button reports of a running run, from the state the list already read. */
function reportsCell(r: RunRow): SafeHtml | false {
  const summary = r.state && openReportsSummary(r.state);
  return (
    !!summary &&
    html` <a class="open-reports ${summary.includes('overdue') && 'overdue'}" href="/runs/${encodeURIComponent(r.summary.runId)}#reports-h">${summary}</a>`
  );
}

/** `people`: display names by person id, for the Waits for column. */
export function runsTable(
  rows: RunRow[],
  nextPageToken: string | undefined,
  filterQuery: string,
  people: ReadonlyMap<string, string> = new Map(),
): SafeHtml {
  if (rows.length === 0) return html`<p class="empty">No runs match.</p>`;
  return html`<div class="table-wrap"><table class="runs">
  <caption class="visually-hidden">Go-live runs</caption>
  <thead><tr><th scope="col">Run</th><th scope="col">State</th><th scope="col">System</th><th scope="col">Runbook</th><th scope="col">Current step or why it ended</th><th scope="col">Waits for</th><th scope="col">Started</th></tr></thead>
  <tbody>
  ${rows.map(
    (r) => html`<tr>
    <td data-label="Run"><a href="/runs/${encodeURIComponent(r.summary.runId)}">${r.summary.runId}</a></td>
    <td data-label="State">${badge(r.state?.status ?? r.summary.state ?? r.summary.executionStatus.toLowerCase())}${reportsCell(r)}</td>
    <td data-label="System">${r.summary.system ?? r.state?.system}</td>
    <td data-label="Runbook">${r.summary.runbook ?? r.state?.runbook.id}</td>
    <td data-label="Current step">${currentSteps(r)}</td>
    <td data-label="Waits for">${waitsFor(r, people)}</td>
    <td data-label="Started">${time(r.summary.startedAt)}</td>
  </tr>`,
  )}
  </tbody></table></div>
  ${nextPageToken && html`<p><a class="button secondary" href="/runs?${filterQuery}${filterQuery ? '&' : ''}pageToken=${encodeURIComponent(nextPageToken)}">Next page</a></p>`}`;
}

function paramInput(runbookId: string, name: string, spec: LoadedRunbook['runbook']['parameters'][string]): SafeHtml {
  const id = `p-${runbookId}-${name}`;
  const label = html`<label for="${id}">${name}${spec.description && html` <small>${spec.description}</small>`}</label>`;
  if (spec.type === 'boolean') {
    return html`<div class="field check"><input type="checkbox" id="${id}" name="params.${name}" data-type="boolean" ${spec.default === true && html`checked`}>${label}</div>`;
  }
  const type = spec.type === 'number' ? 'number' : spec.type === 'url' ? 'url' : 'text';
  return html`<div class="field">${label}<input id="${id}" name="params.${name}" type="${type}" ${type === 'number' && html`step="any" data-type="number"`} value="${spec.default ?? ''}"></div>`;
}

function runbookFieldset(l: LoadedRunbook, people: Person[], first: boolean): SafeHtml {
  const rb = l.runbook;
  return html`<fieldset class="runbook-fields" data-runbook="${rb.id}" ${!first && html`disabled hidden`}>
  <legend>${rb.title} <small>v${rb.version}</small></legend>
  ${rb.description && html`<p class="hint">${rb.description}</p>`}
  <div class="field"><label for="mode-${rb.id}">Collaboration Mode</label>
    <select id="mode-${rb.id}" name="collaborationMode" data-type="number">
      ${rb.collaborationModes.map((m) => html`<option value="${m}">${modeLabel(m)}</option>`)}
    </select></div>
  <h3>Role assignments</h3>
  <p class="hint">Person ids, separated by commas. Prefilled with everyone who holds the role.</p>
  ${rb.roles.map((role) => {
    const id = `a-${rb.id}-${role.id}`;
    const holders = people.filter((p) => p.roles.includes(role.id)).map((p) => p.id);
    return html`<div class="field"><label for="${id}">${role.title} <small>(${role.id})</small></label>
      <input id="${id}" name="assignments.${role.id}" data-type="list" value="${holders.join(', ')}" autocomplete="off"></div>`;
  })}
  ${Object.keys(rb.parameters).length > 0 && html`<h3>Parameters</h3>`}
  ${Object.entries(rb.parameters).map(([name, spec]) => paramInput(rb.id, name, spec))}
</fieldset>`;
}

export function startForm(runbooks: LoadedRunbook[], people: Person[]): SafeHtml {
  if (runbooks.length === 0) return html`<p class="empty">No valid runbooks in the runbooks folder.</p>`;
  return html`<form class="card start-form" id="start-form" data-api="/api/runs" data-redirect="/runs/{runId}" data-summary novalidate>
  <h2 id="start">Start a run</h2>
  <div class="field"><label for="runbook">Runbook</label>
    <select id="runbook" name="runbook" data-switch="runbook-fields">
      ${runbooks.map((l) => html`<option value="${l.runbook.id}" title="${l.runbook.id} v${l.runbook.version}">${l.runbook.title} v${l.runbook.version}</option>`)}
    </select></div>
  <p class="who-may">Submitted by: AI Product Manager or Implementation Engineer</p>
  <div class="field"><label for="system">System</label>
    <input id="system" name="system" required placeholder="e.g. claims-assistant" autocomplete="off"></div>
  ${runbooks.map((l, i) => runbookFieldset(l, people, i === 0))}
  ${formStatus()}
  <button type="submit">Start the run</button>
</form>`;
}

export function filtersForm(q: {
  state?: string | undefined;
  system?: string | undefined;
  runbook?: string | undefined;
  waitingFor?: string | undefined;
}): SafeHtml {
  return html`<form class="filters" method="get" action="/runs" role="search">
  <div class="field"><label for="f-state">Filter by state</label><select id="f-state" name="state"><option value="">any</option>
    ${RUN_STATUSES.map((s) => html`<option ${q.state === s && html`selected`}>${s}</option>`)}</select></div>
  <div class="field"><label for="f-system">Filter by system</label><input id="f-system" name="system" value="${q.system ?? ''}"></div>
  <div class="field"><label for="f-runbook">Filter by runbook</label><input id="f-runbook" name="runbook" value="${q.runbook ?? ''}"></div>
  <div class="field check"><input type="checkbox" id="f-me" name="waitingFor" value="me" ${q.waitingFor === 'me' && html`checked`}><label for="f-me">Waiting for my roles</label></div>
  <button type="submit" class="secondary">Filter</button>
</form>`;
}
