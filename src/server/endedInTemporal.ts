import { ENDED_IN_TEMPORAL_STATUSES, OPEN_STATUSES, type RunStatus } from '../contract/runStatus';
import { runStateKey } from '../contract/searchAttributes';

/**
 * Runs that ended in Temporal before golive finished them (src/contract/runStatus.ts
 * `endedInTemporal`, src/contract/endedRun.ts), as the server lists and filters them: by
 * Temporal's execution status, never by the last state they recorded. Visibility gives that status with every listed run, and a query rejected
 * for a run that did not complete cleanly carries it, so open runs cost nothing more to read.
 */

/** Visibility's spelling of the execution statuses a run can end with in Temporal. */
const VISIBILITY_STATUS: Partial<Record<RunStatus, string>> = {
  terminated: 'Terminated',
  'timed-out': 'TimedOut',
  failed: 'Failed',
  cancelled: 'Canceled',
};

/** Only runs open in Temporal: what "waiting for me" and the open states list. */
export const OPEN_IN_TEMPORAL = `ExecutionStatus = 'Running'`;

/**
 * The visibility clause for runs that show `state` (a RunStatus: the request schema checked it):
 * an open state only while the run is open; a state from Temporal's execution status by that
 * status (`cancelled` is golive's word too). Only operators Temporal documents for every
 * visibility store (=, AND, OR): a run Temporal ended in the moment after golive recorded its
 * final state, before it completed, shows that state in the list and is found by both filters.
 */
export function stateClause(state: RunStatus): string {
  const recorded = `${runStateKey.name} = '${state}'`;
  if (OPEN_STATUSES.includes(state)) return `(${recorded} AND ${OPEN_IN_TEMPORAL})`;
  const status = VISIBILITY_STATUS[state];
  if (!status) return recorded;
  const byTemporal = `ExecutionStatus = '${status}'`;
  return ENDED_IN_TEMPORAL_STATUSES.includes(state) ? byTemporal : `(${recorded} OR ${byTemporal})`;
}
