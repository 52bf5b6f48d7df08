import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes that make go-live runs findable in golive and the Temporal Web UI.
 * One definition, used by the workflow (upserts), the server (list filters) and the dev server
 * launcher (registration).
 */
export const systemKey = defineSearchAttributeKey('GoLiveSystem', SearchAttributeType.KEYWORD);
export const runbookKey = defineSearchAttributeKey('GoLiveRunbook', SearchAttributeType.KEYWORD);
export const runStateKey = defineSearchAttributeKey('GoLiveState', SearchAttributeType.KEYWORD);
export const waitingRolesKey = defineSearchAttributeKey('GoLiveWaitingRoles', SearchAttributeType.KEYWORD_LIST);
export const initiatorKey = defineSearchAttributeKey('GoLiveInitiator', SearchAttributeType.KEYWORD);
/** Everyone involved (initiator and assigned people) and the directory roles that may read the
 *  run: the run list shows a person only the runs the policy lets them read. Set at start. */
export const membersKey = defineSearchAttributeKey('GoLiveMembers', SearchAttributeType.KEYWORD_LIST);
export const readerRolesKey = defineSearchAttributeKey('GoLiveReaderRoles', SearchAttributeType.KEYWORD_LIST);
/** "yes" once the run went live (its hypercare started): only such runs can hold Red Button reports. */
export const reachedHypercareKey = defineSearchAttributeKey('GoLiveReachedHypercare', SearchAttributeType.KEYWORD);

export const goLiveSearchAttributes = [
  systemKey,
  runbookKey,
  runStateKey,
  waitingRolesKey,
  initiatorKey,
  membersKey,
  readerRolesKey,
  reachedHypercareKey,
] as const;

/**
 * The run's memo key for why it failed (set as its rollback starts; absent in runs that went live
 * and in runs recorded before the `golive-failure-memo` patch). Lists read it from visibility, as
 * they read the state, without asking each run.
 */
export const FAILURE_MEMO_KEY = 'failure';

/** Reasons in the memo are cut to this many characters (the run keeps the whole reason). */
export const FAILURE_MEMO_REASON_MAX = 200;

/** What the memo holds: the run's failure, the actor by id only. */
export interface FailureMemo {
  kind: string;
  stepId?: string;
  by?: string;
  reason: string;
}
