import { FAILURE_MEMO_REASON_MAX } from './searchAttributes';

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
  return `${f.kind}${f.stepId ? ` at ${f.stepId}` : ''}${f.by ? ` by ${f.by}` : ''}: ${f.reason}`;
}

/** Whether a failure memo's reason is the run's whole reason, or was cut to fit the memo. */
export const memoReasonIsWhole = (reason: string): boolean =>
  reason.length < FAILURE_MEMO_REASON_MAX || !reason.endsWith('…');
