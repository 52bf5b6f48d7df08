/**
 * Every state a run can be in, said once: the workflow sets them, list filters and forms offer
 * them, the CLI and the run page read them, and the browser's live note speaks their words
 * (rendered into the page, so the browser script keeps no list of its own).
 */
export const RUN_STATUSES = [
  'running',
  'waiting',
  'hypercare',
  'compensating',
  'live',
  'rolled-back',
  'rollback-incomplete',
  'cancelled',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** The run has ended: nothing more will happen to it. */
export const FINAL_STATUSES: readonly RunStatus[] = ['live', 'rolled-back', 'rollback-incomplete', 'cancelled'];

/** The run ended without going live (the runs list keeps them in sight). */
export const UNSUCCESSFUL_STATUSES: readonly RunStatus[] = ['rolled-back', 'rollback-incomplete', 'cancelled'];

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
};
