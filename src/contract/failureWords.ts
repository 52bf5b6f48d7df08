import { FAILURE_MEMO_REASON_MAX } from './searchAttributes';

/**
 * Temporal's words around an activity's own failure ("Activity task failed: <the activity's
 * message>", as workflows/runContext.ts `failureMessage` records it): they say nothing the kind
 * `action-failed` does not, and would fill the cut WHY column.
 */
const ACTIVITY_WRAPPER = /^(?:Activity task (?:failed|timed out)|Child Workflow execution failed): /;

/** An action's failure as its innermost message; any other reason (people's words) as it is. */
export function failureCause(f: { kind: string; reason: string }): string {
  if (f.kind !== 'action-failed') return f.reason;
  let reason = f.reason;
  while (ACTIVITY_WRAPPER.test(reason)) reason = reason.replace(ACTIVITY_WRAPPER, '');
  return reason;
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
