import { AUDIT_KINDS, type AuditTrail, type ChainedEntry, type TrailView } from '../../audit';
import type { RefusalEntry } from '../../audit/refusalLog';
import type { HistoryQuery } from '../api';
import { html, type SafeHtml } from './html';
import { badFiltersNotice, badge, formStatus, time } from './layout';

/**
 * The audit trail of a run for people: facts in order with who did them and the hashes that
 * chain them, filters (a plain GET form), refused attempts apart, the dossier download and a
 * form that verifies a dossier zip. Everything shown comes from the trail and is escaped by
 * `html`; comments are text, whatever they contain.
 */

export interface AuditPageView {
  runId: string;
  trail: TrailView<AuditTrail>;
  query: HistoryQuery;
  /** Filters that did not parse and were ignored, as "field: why". */
  badFilters: string[];
  /** Temporal Web UI history page of each run of the chain. */
  temporalUi: { runId: string; url: string }[];
  /** Every entry (unfiltered), for the filter choices. */
  all: readonly ChainedEntry[];
}

const SHORT = 12;
const HEX_64 = /^[0-9a-f]{64}$/;

/** A hash shown short; the full value is in the tooltip and one click away on the clipboard. */
function hash(value: string, label: string): SafeHtml {
  return html`<span class="hash"><code title="${value}">${value.slice(0, SHORT)}…</code><button type="button" class="link copy" data-copy="${value}" aria-label="Copy the full ${label}">copy</button></span>`;
}

/** The details of an entry that are digests (evidence, receipts), by name. */
function detailHashes(e: ChainedEntry): [string, string][] {
  return Object.entries(e.details).filter(
    (kv): kv is [string, string] => typeof kv[1] === 'string' && HEX_64.test(kv[1]),
  );
}

const apiPath = (v: AuditPageView, rest: string) => `/api/runs/${encodeURIComponent(v.runId)}${rest}`;

function options(values: readonly string[], selected: string | undefined, any: string): SafeHtml {
  return html`<option value="">${any}</option>${values.map((x) => html`<option ${selected === x && html`selected`}>${x}</option>`)}`;
}

function filters(v: AuditPageView): SafeHtml {
  const { input } = v.trail;
  const people = new Set<string>([input.initiator.id, ...Object.values(input.assignments).flat()]);
  for (const e of v.all) if (e.actor) people.add(e.actor);
  for (const r of v.trail.refusals) people.add(r.actor);
  const steps = new Set<string>(v.all.flatMap((e) => (e.stepId ? [e.stepId] : [])));
  for (const s of input.runbook.steps) steps.add(s.id);
  const present = AUDIT_KINDS.filter((k) => v.all.some((e) => e.kind === k));
  const kind = Array.isArray(v.query.kind) ? v.query.kind[0] : v.query.kind;
  return html`<form class="filters" method="get" action="/runs/${encodeURIComponent(v.runId)}/audit" role="search" aria-label="Filter the audit trail">
  <div class="field"><label for="a-kind">Kind</label><select id="a-kind" name="kind">${options(present, kind, 'every kind')}</select></div>
  <div class="field"><label for="a-person">Person</label><select id="a-person" name="person">${options([...people].sort(), v.query.person, 'anyone')}</select></div>
  <div class="field"><label for="a-step">Step</label><select id="a-step" name="step">${options([...steps], v.query.step, 'every step')}</select></div>
  <button type="submit" class="secondary">Filter</button>
  <a href="/runs/${encodeURIComponent(v.runId)}/audit">Clear filters</a>
</form>`;
}

/** Facts without a person (the engine's own steps, timers) are golive's, said the same way everywhere. */
function actorOf(actor: string | undefined): SafeHtml | string {
  return actor ? actor : html`<span class="muted">golive</span>`;
}

function entryRow(e: ChainedEntry): SafeHtml {
  const comment = typeof e.details.comment === 'string' && e.details.comment ? e.details.comment : undefined;
  return html`<tr id="entry-${e.seq}" data-kind="${e.kind}">
  <td data-label="#">${e.seq}</td>
  <td data-label="Time">${time(e.at, { seconds: true })}</td>
  <td data-label="Kind"><span class="badge kind">${e.kind}</span></td>
  <td data-label="Who">${actorOf(e.actor)}${e.role && html` <small class="muted">as ${e.role}</small>`}</td>
  <td data-label="Step">${e.stepId}</td>
  <td data-label="What" class="what"><div>${e.summary}${comment && html`<blockquote class="comment">${comment}</blockquote>`}</div></td>
  <td data-label="Hashes" class="hashes"><ul class="plain">
    <li>${hash(e.hash, `hash of entry ${e.seq}`)}</li>
    ${detailHashes(e).map(([name, value]) => html`<li><small>${name}</small> ${hash(value, `${name} of entry ${e.seq}`)}</li>`)}
  </ul></td>
</tr>`;
}

function entriesTable(v: AuditPageView): SafeHtml {
  const { entries, total } = v.trail;
  if (entries.length === 0) return html`<p class="empty">No entries match these filters (the trail has ${total}).</p>`;
  return html`<p class="muted" role="status">Showing ${entries.length} of ${total} entries${entries.length < total && ' (filtered)'}.</p>
<div class="table-wrap"><table class="runs audit">
  <caption class="visually-hidden">Audit trail entries, oldest first</caption>
  <thead><tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">Kind</th><th scope="col">Who</th><th scope="col">Step</th><th scope="col">What</th><th scope="col">Hashes</th></tr></thead>
  <tbody>${entries.map(entryRow)}</tbody>
</table></div>`;
}

function refusalRow(r: RefusalEntry): SafeHtml {
  return html`<tr>
  <td data-label="Time">${time(r.at, { seconds: true })}</td>
  <td data-label="Who">${actorOf(r.actor)}</td>
  <td data-label="Tried">${r.action}${r.reportId && ` (report ${r.reportId})`}</td>
  <td data-label="Step">${r.stepId}</td>
  <td data-label="Refused by">${r.by === 'workflow' ? 'the workflow' : 'the server'} <small class="muted">${r.type}, ${r.status}</small></td>
  <td data-label="Why">${r.reason}</td>
</tr>`;
}

function refusals(v: AuditPageView): SafeHtml {
  const list = v.trail.refusals;
  return html`<section aria-labelledby="refused-h" class="refused">
  <h2 id="refused-h">Refused attempts <small>(${list.length})</small></h2>
  <p class="hint">From golive's own log: Temporal keeps no trace of what a validator refused, so these are not part of the hash chain.</p>
  ${
    list.length === 0
      ? html`<p class="empty">None${v.trail.filter.person || v.trail.filter.stepId ? ' for these filters' : ''}.</p>`
      : html`<div class="table-wrap"><table class="runs audit">
    <caption class="visually-hidden">Refused attempts</caption>
    <thead><tr><th scope="col">Time</th><th scope="col">Who</th><th scope="col">Tried</th><th scope="col">Step</th><th scope="col">Refused by</th><th scope="col">Why</th></tr></thead>
    <tbody>${list.map(refusalRow)}</tbody></table></div>`
  }
</section>`;
}

function verifyForm(): SafeHtml {
  return html`<section aria-labelledby="verify-h" class="card">
  <h2 id="verify-h">Verify a dossier</h2>
  <p class="hint">Checks a dossier zip offline: every file against its manifest, then the trail's hash chain. Names the first file or entry that was altered.</p>
  <form data-upload="/api/dossiers/verify" data-type="application/zip">
    <div class="field"><label for="verify-file">Dossier zip</label><input id="verify-file" name="file" type="file" accept=".zip,application/zip" required></div>
    ${formStatus()}
    <button type="submit">Verify</button>
  </form>
</section>`;
}

export function auditPage(v: AuditPageView): SafeHtml {
  const t = v.trail;
  const status = t.state?.status;
  return html`<div class="run-head">
  <h1>Audit trail <small>· ${t.input.system} · ${t.input.runbook.title}</small></h1>
  <dl class="facts">
    <div><dt>Run</dt><dd><a href="/runs/${encodeURIComponent(v.runId)}"><code>${v.runId}</code></a></dd></div>
    <div><dt>Status</dt><dd>${status ? badge(status) : html`<span class="muted">unknown (worker not answering)</span>`} ${!t.finished && html`<small>still open</small>`}</dd></div>
    <div><dt>Runbook</dt><dd>${t.input.runbookRef.id} v${t.input.runbookRef.version} ${hash(t.input.runbookRef.sha256, 'runbook hash')}</dd></div>
    <div><dt>Entries</dt><dd>${t.total}</dd></div>
    <div><dt>Chain head</dt><dd>${hash(t.head, 'chain head')}</dd></div>
  </dl>
  <p class="links">
    <a class="button" href="${apiPath(v, '/dossier')}" download data-anchor="dossier-anchor">Download dossier</a>
    <a href="/runs/${encodeURIComponent(v.runId)}">Back to the run</a>
    ${v.temporalUi.map((l, i) => html`<a href="${l.url}" rel="noopener" target="_blank">Raw events in Temporal${v.temporalUi.length > 1 ? ` (run ${i + 1} of ${v.temporalUi.length})` : ''}</a>`)}
  </p>
</div>
<p id="dossier-anchor" class="hint anchor" role="status" hidden></p>
${!t.finished && html`<p class="notice" role="note">The run is not finished: the trail is still growing, and a dossier downloaded now is marked as a draft on every page.</p>`}
${badFiltersNotice(v.badFilters)}
${filters(v)}
<section aria-labelledby="entries-h"><h2 id="entries-h" class="visually-hidden">Entries</h2>${entriesTable(v)}</section>
<div class="columns audit-more">
  ${refusals(v)}
  ${verifyForm()}
</div>`;
}
