import { FAILURE_MEMO_REASON_MAX } from './searchAttributes';

/**
 * Temporal's words around an activity's own failure ("Activity task failed: <the activity's
 * message>", as workflows/runContext.ts `failureMessage` records it): they say nothing the kind
 * `action-failed` does not, and would fill the cut WHY column.
 */
const ACTIVITY_WRAPPER = /^(?:Activity task (?:failed|timed out)|Child Workflow execution failed): /;

/**
 * An activity's error as people read it: its innermost message, without Temporal's wrapper. For
 * display only: the run's state and its trail keep the words as recorded (the trail's hashes
 * cover them). A step's or a compensation's `error` is always an activity's.
 */
export function activityErrorWords(message: string): string {
  let words = message;
  while (ACTIVITY_WRAPPER.test(words)) words = words.replace(ACTIVITY_WRAPPER, '');
  return words;
}

const NOT_DELIVERED = 'not delivered: ';

/**
 * An undelivered notification's warning (the workflow records "not delivered: <its error>") with
 * its error in the same words as above.
 */
export function undeliveredWords(warning: string): string {
  return warning.startsWith(NOT_DELIVERED)
    ? `${NOT_DELIVERED}${activityErrorWords(warning.slice(NOT_DELIVERED.length))}`
    : activityErrorWords(warning);
}

/** An action's failure as its innermost message; any other reason (people's words) as it is. */
export function failureCause(f: { kind: string; reason: string }): string {
  return f.kind === 'action-failed' ? activityErrorWords(f.reason) : f.reason;
}

/**
 * Why a run failed, in one set of words for the CLI and the web UI: the kind, the step, who, the
 * reason ("rejected at gate-4 by sam: latency budget not met"). `by` is the person's id.
 */
export function failureWords(f: {
  kind: string;
  stepId?: string | undefined;
  by?: string | undefined;
  reason: string;
}) {
  return `${f.kind}${f.stepId ? ` at ${f.stepId}` : ''}${f.by ? ` by ${f.by}` : ''}: ${failureCause(f)}`;
}

/** Whether a failure memo's reason is the run's whole reason, or was cut to fit the memo. */
export const memoReasonIsWhole = (reason: string): boolean =>
  reason.length < FAILURE_MEMO_REASON_MAX || !reason.endsWith('…');
