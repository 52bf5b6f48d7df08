/**
 * Every state a run can be in, said once: the workflow sets them, list filters and forms offer
 * them, the CLI and the run page read them, and the browser's live note speaks their words
 * (rendered into the page, so the browser script keeps no list of its own).
 */
const OPEN = ['running', 'waiting', 'hypercare', 'compensating'] as const;
const ENDED = [
  'live',
  'rolled-back',
  'rollback-incomplete',
  'cancelled',
  // Never set by the workflow: the server's words for a run that ended in Temporal (see below).
  'terminated',
  'timed-out',
  'failed',
] as const;
/** Every state: the open ones, then the final ones (each said once, so the lists cannot drift). */
export const RUN_STATUSES = [...OPEN, ...ENDED] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** The run is under way (a state its search attribute may outlive if Temporal ends it). */
export const OPEN_STATUSES: readonly RunStatus[] = OPEN;
/** The run has ended: nothing more will happen to it. */
export const FINAL_STATUSES: readonly RunStatus[] = ENDED;

/** The run ended without going live (the runs list keeps them in sight): every end but `live`. */
export const UNSUCCESSFUL_STATUSES: readonly RunStatus[] = FINAL_STATUSES.filter((s) => s !== 'live');

export const isFinalStatus = (status: string): boolean => (FINAL_STATUSES as readonly string[]).includes(status);
export const isUnsuccessfulStatus = (status: string): boolean =>
  (UNSUCCESSFUL_STATUSES as readonly string[]).includes(status);

/** The status in words, for people (the live note, the CLI). */
export const RUN_STATUS_WORDS: Readonly<Record<RunStatus, string>> = {
  running: 'running',
  waiting: 'waiting for input',
  hypercare: 'in hypercare',
  compensating: 'rolling back',
  live: 'live',
  'rolled-back': 'rolled back',
  'rollback-incomplete': 'rolled back only in part',
  cancelled: 'cancelled',
  terminated: 'terminated in Temporal',
  'timed-out': 'timed out in Temporal',
  failed: 'failed in Temporal',
};

/**
 * A run can end in Temporal before golive finishes it: an operator terminates it (`temporal
 * workflow terminate`), its execution timeout passes, or it fails there. The run writes nothing
 * more, so its last state ("waiting"…) and waiting roles stay in its search attributes and in
 * what a query replays. Clients show it by Temporal's execution status instead (golive's own
 * `cancelled` for a cancellation), keyed by the SDK's status names.
 */
const ENDED_IN_TEMPORAL: Readonly<Record<string, RunStatus>> = {
  TERMINATED: 'terminated',
  TIMED_OUT: 'timed-out',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
};

/** The states only Temporal's execution status gives a run (golive never records them). */
export const ENDED_IN_TEMPORAL_STATUSES: readonly RunStatus[] = ['terminated', 'timed-out', 'failed'];

export const isEndedInTemporalStatus = (status: string): status is RunStatus =>
  (ENDED_IN_TEMPORAL_STATUSES as readonly string[]).includes(status);

/** "terminated in Temporal, not by golive" for a state only Temporal gives a run; undefined for golive's own. */
export function endedInTemporalWords(status: string): string | undefined {
  return isEndedInTemporalStatus(status) ? `${RUN_STATUS_WORDS[status]}, not by golive` : undefined;
}

/**
 * The state of a run that ended in Temporal while golive's last word (`recorded`) was not a final
 * state; undefined for a run that is open, continued as new, or that golive ended itself (a run
 * completes only once golive said live, rolled-back…, which then stands).
 */
export function endedInTemporal(recorded: string | undefined, executionStatus: string): RunStatus | undefined {
  if (recorded !== undefined && isFinalStatus(recorded)) return undefined;
  return ENDED_IN_TEMPORAL[executionStatus];
}

/** What people are told beside such a state ("terminated in Temporal, not by golive: …"). */
export const ENDED_IN_TEMPORAL_NOTE =
  'its rollback did not run (or not to its end); the audit trail says who ended it and why';
