import type { RunStateView, StepView } from './definitions';
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
  return { ...view, status, waitingRoles: [], steps: view.steps.map(close), ...(at ? { endedAt: at } : {}) };
}
