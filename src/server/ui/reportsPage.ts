import type { RedButtonQuery } from '../api';
import { counted, durationText, type Percentiles, type RedButtonFigures } from '../redButtonFigures';
import { html, type SafeHtml } from './html';
import { badge, time } from './layout';

/** The Red Button across runs: the figures, the reports (overdue first), recognition. */

/** A person by name, the id kept as the reference (anonymous reporters have neither). */
const person = (id: string | undefined, name: string | undefined) =>
  id === undefined ? '' : name ? html`${name} <span class="muted">(${id})</span>` : id;

const pct = (share: number | null) => (share === null ? '—' : `${Math.round(share * 1000) / 10} %`);

const timing = (p: Percentiles) =>
  html`<td data-ms="${p.medianMs ?? ''}">${durationText(p.medianMs)}</td><td data-ms="${p.p90Ms ?? ''}">${durationText(p.p90Ms)}</td><td>${p.count}</td>`;

export function reportsPage(f: RedButtonFigures, query: RedButtonQuery): SafeHtml {
  const system = query.system;
  const pairs: [string, string][] = [
    ...(system ? [['system', system] as [string, string]] : []),
    ...[query.runbook ?? []].flat().map((r): [string, string] => ['runbook', r]),
  ];
  const params = new URLSearchParams(pairs).toString();
  const csv = `/api/reports.csv${params ? `?${params}` : ''}`;
  const monitoring = `/api/reports.html${params ? `?${params}` : ''}`;
  return html`<h1>Red Button across runs</h1>
  <form method="get" action="/reports" class="filters"><div class="field"><label for="rb-system">System</label><input id="rb-system" name="system" value="${system ?? ''}"></div><button type="submit" class="secondary">Filter</button></form>
  <p>${counted(f.reports, 'report')} in ${counted(f.runsWithReports, 'run')} · ${counted(f.runs, 'run')} you may read that went live · computed ${time(f.generatedAt)} · <a href="${csv}" download>Export CSV</a> · <a href="${monitoring}" download id="rb-html">Export for the Monitoring phase (HTML)</a></p>
  ${f.unread > 0 && html`<p class="notice" id="rb-unread" data-unread="${f.unread}">${f.unread} run${f.unread === 1 ? '' : 's'} could not be read now (no worker answered) and ${f.unread === 1 ? 'is' : 'are'} not in these figures.</p>`}
  ${f.omittedReports > 0 && html`<p class="notice" id="rb-omitted" data-omitted="${f.omittedReports}">${f.omittedReports} older report${f.omittedReports === 1 ? '' : 's'} of long-running runs ${f.omittedReports === 1 ? 'is' : 'are'} not in these figures (each run shows its latest ones; its audit trail holds every one).</p>`}
  <dl class="figures" id="rb-figures">
    <div><dt>Answered within the committed time</dt><dd id="share-in-time">${pct(f.shareAnsweredInTime)}</dd></div>
    <div><dt>Still within their deadline (not counted above)</dt><dd id="within-deadline">${f.withinDeadline}</dd></div>
    <div><dt>Closed with the reporter</dt><dd id="share-closed">${pct(f.shareClosedWithReporter)}</dd></div>
    <div><dt>Anonymous reports</dt><dd id="anonymous-count">${f.anonymousReports}</dd></div>
  </dl>
  <table id="rb-timing"><thead><tr><th>Time to</th><th>Median</th><th>p90</th><th>Answered</th></tr></thead><tbody>
    <tr data-row="first-response"><th>first response</th>${timing(f.timeToFirstResponse)}</tr>
    <tr data-row="resolution"><th>resolution</th>${timing(f.timeToResolution)}</tr>
  </tbody></table>
  <section aria-labelledby="by-h"><h2 id="by-h">Reports per system and severity</h2>
  <table id="rb-by-system"><thead><tr><th>System</th><th>Severity</th><th>Reports</th><th>Open</th><th>Overdue</th></tr></thead><tbody>
  ${f.bySystemAndSeverity.map((g) => html`<tr data-system="${g.system}" data-severity="${g.severity}"><td>${g.system}</td><td>${g.severity}</td><td>${g.reports}</td><td>${g.open}</td><td>${g.overdue}</td></tr>`)}
  </tbody></table></section>
  <section aria-labelledby="list-h"><h2 id="list-h">Reports, overdue first</h2>
  ${f.list.length === 0 ? html`<p class="empty">No reports.</p>` : reportList(f)}</section>
  <section aria-labelledby="rec-h"><h2 id="rec-h">Reporters recognised</h2>
  <p class="hint">Named reporters: their reports, how many were answered, and the thank-yous golive recorded and sent them on resolution; anonymous reporters are counted above, never named.</p>
  <table id="rb-recognition"><thead><tr><th>Reporter</th><th>Reports</th><th>Answered</th><th>Thanked</th></tr></thead><tbody>
  ${f.recognition.map((r) => html`<tr data-reporter="${r.reporter}"><td>${person(r.reporter, r.name)}</td><td>${r.reports}</td><td>${r.answered}</td><td>${r.thanked}</td></tr>`)}
  </tbody></table></section>`;
}

function reportList(f: RedButtonFigures): SafeHtml {
  return html`<table id="rb-list"><thead><tr><th>System</th><th>Report</th><th>Severity</th><th>Reported</th><th>Respond by</th><th>State</th><th>Reporter</th><th>What</th></tr></thead><tbody>
  ${f.list.map(
    (r) =>
      html`<tr data-report="${r.runId}/${r.id}" ${r.overdue ? html`class="overdue"` : ''}><td>${r.system}</td><td><a href="/runs/${encodeURIComponent(r.runId)}">${r.id}</a></td><td>${r.severity}</td><td>${time(r.at)}</td><td>${time(r.responseDueAt)}</td><td>${r.overdue ? badge('overdue') : badge(r.status)}</td><td>${r.reporter === 'anonymous' ? 'anonymous' : person(r.reporter, r.reporterName)}</td><td>${r.description}</td></tr>`,
  )}</tbody></table>`;
}
