/**
 * The only place workflow code reads the time. Inside the workflow sandbox `Date` is Temporal's
 * deterministic clock (the time of the current workflow task, the same on every replay), never
 * the host's; keeping all reads here makes that one reviewed fact instead of many.
 */
// eslint-disable-next-line no-restricted-properties -- the sandbox's deterministic clock
export const nowMs = (): number => Date.now();
export const nowIso = (): string => new Date(nowMs()).toISOString();
