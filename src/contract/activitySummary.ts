/**
 * The summary the workflow sets on each activity it schedules is how the audit trail, reading the
 * history back, tells a step's action from its compensation and from a notification. The wording
 * is in recorded histories, so it is built and parsed here only, and never reworded.
 */

/** A step's action: `<stepId>: <title>`, or a resend of an undelivered notification step. */
export function stepSummary(stepId: string, title: string, resentBy?: string): string {
  return `${stepId}: ${title}${resentBy === undefined ? '' : ` (resent by ${resentBy})`}`;
}

/** A completed step's compensation, run by the saga. */
export const undoSummary = (stepId: string, action: string): string => `undo ${stepId}: ${action}`;

/** A notification to people (never fails the run). */
export const NOTIFY_SUMMARY = 'notify';

/** An analysis's metrics check (read by the trail as an unnamed step). */
export const analysisSummary = (analysisId: string): string => `analysis ${analysisId}`;

/** The hypercare watch's probe of the production target. */
export const TARGET_WATCH_SUMMARY = 'hypercare watch of the target';

const STEP_SUMMARY = /^([a-z0-9][a-z0-9-]*): /;
const UNDO_SUMMARY = /^undo ([a-z0-9][a-z0-9-]*): /;

export type ActivityRole = { as: 'step' | 'compensation'; stepId?: string } | { as: 'notification' };

/** What an activity was for, from its summary (histories before summaries: from its type). */
export function activityRoleOf(summary: string | undefined, activityType: string | undefined): ActivityRole {
  const text = summary ?? '';
  const undo = UNDO_SUMMARY.exec(text);
  if (undo) return { as: 'compensation', stepId: undo[1]! };
  if (text === NOTIFY_SUMMARY || (text === '' && activityType === 'notify')) return { as: 'notification' };
  const step = STEP_SUMMARY.exec(text);
  return step ? { as: 'step', stepId: step[1]! } : { as: 'step' };
}
