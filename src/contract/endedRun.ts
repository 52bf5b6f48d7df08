import type { ReportView, RunStateView, StepView } from './definitions';
import { RUN_STATUS_WORDS, type RunStatus } from './runStatus';

/**
 * A run Temporal ended before golive finished it (runStatus.ts `endedInTemporal`), as its readers
 * show it: the server's reads and pages, the audit record's state and dossier. What the run
 * itself recorded stays as it was (the trail is built from that); this is the view of it.
 */

/**
 * The run as it stands once Temporal ended it: its state says how, nobody is waited for, and no
 * step is still waiting or running (each is cancelled at the close, as golive's own end cancels
 * them; one being undone is marked as not known to be undone).
 */
export function shownAsEnded(view: RunStateView, status: RunStatus, closedAt: Date | undefined): RunStateView {
  const at = closedAt?.toISOString();
  const words = RUN_STATUS_WORDS[status];
  const close = (s: StepView): StepView => {
    if (s.status === 'compensating')
      return { ...s, status: 'compensation-failed', error: `the run was ${words} while this step was being undone` };
    if (s.status !== 'waiting' && s.status !== 'running') return s;
    const { mayDecide: _who, deadlineAt: _until, ...rest } = s;
    return { ...rest, status: 'cancelled', ...(at ? { endedAt: at } : {}) };
  };
  return {
    ...view,
    status,
    waitingRoles: [],
    steps: view.steps.map(close),
    reports: view.reports.map((r) => closedReport(r, words, at)),
    ...(at ? { endedAt: at } : {}),
  };
}

/**
 * A report still open when Temporal ended the run is closed with it, as golive closes the open
 * reports of a run it ends itself: no one can answer it any more (the run refuses every message),
 * so it is neither open nor ever overdue.
 */
function closedReport(report: ReportView, words: string, at: string | undefined): ReportView {
  if (report.status !== 'open') return report;
  const text = `closed without a response: the run ended (${words}, not by golive)`;
  return {
    ...report,
    status: 'closed',
    resolution: { by: { id: 'golive', name: 'golive' }, at: at ?? report.at, text },
  };
}
