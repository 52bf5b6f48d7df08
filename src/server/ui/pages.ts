import { html, type SafeHtml } from './html';
import { formStatus } from './layout';
import { actionsForMe, openReportsSummary, reportActionsForMe, type RunView } from './runPage';

/** The small pages: login and "My approvals". */

export function loginPage(next: string, singleSignOn: SafeHtml | false = false): SafeHtml {
  return html`<section class="login card">
  <h1>Log in to golive</h1>
  ${singleSignOn}
  <form data-api="/api/session" data-redirect="${next}" novalidate>
    <div class="field"><label for="username">User id</label><input id="username" name="username" autocomplete="username" required autofocus></div>
    <div class="field"><label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required></div>
    ${formStatus()}
    <button type="submit">Log in</button>
  </form>
  <p class="hint">Demo users and their passwords are in <code>demo-credentials.txt</code> in the data folder.</p>
</section>`;
}

export interface WorkItem {
  v: RunView;
  forms: SafeHtml[];
}

/** Runs with at least one form for me: open Red Button reports I may resolve first, then steps. */
export function workItems(views: RunView[]): WorkItem[] {
  return views
    .map((view) => ({ ...view, key: `${view.runId}-` }))
    .map((v) => ({ v, forms: [...reportActionsForMe(v), ...actionsForMe(v)] }))
    .filter((x) => x.forms.length > 0);
}

export function approvalsPage(items: WorkItem[]): SafeHtml {
  return html`<h1>My approvals</h1>
  <p class="hint">Open Red Button reports you may resolve, and steps that wait for your decision or evidence, with the evidence to read first. The list refreshes as runs move.</p>
  <div id="live" data-live="/approvals/live" aria-live="polite">${approvalsList(items)}</div>`;
}

function reportsNote(v: RunView): string {
  const summary = openReportsSummary(v.state);
  return summary ? ` · ${summary}` : '';
}

export function approvalsList(items: WorkItem[]): SafeHtml {
  if (items.length === 0) return html`<p class="empty">Nothing waits for you right now.</p>`;
  return html`${items.map(
    ({ v, forms }) => html`<section class="approval-run" aria-label="${v.state.system}">
    <h2><a href="/runs/${encodeURIComponent(v.runId)}">${v.state.system}</a> <small>· ${v.state.runbook.title} · started by ${v.state.initiator.name ?? v.state.initiator.id}${reportsNote(v)}</small></h2>
    ${forms}
  </section>`,
  )}`;
}
