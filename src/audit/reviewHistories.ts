import type { Client } from '@temporalio/client';
import { OVERSIGHT_REVIEW_WORKFLOW } from '../contract/reviewDefinitions';
import { fetchRunChain, type RunHistory } from './history';

/**
 * The Temporal histories of a go-live's scheduled oversight reviews, found by their
 * deterministic ids (`<run id>.review.<duty id>-<fire time>`, reviewDefinitions.ts): the trail
 * reads each review's own record rather than a copy the go-live run would have to keep — the
 * schedules keep firing after the run has ended, when it can record nothing more.
 */

export interface ReviewHistory {
  reviewId: string;
  history: RunHistory;
}

/** Reviews fired by the run's schedules, oldest id first (fire times sort as text). */
export async function fetchReviewHistories(client: Client, runId: string): Promise<ReviewHistory[]> {
  const ids: string[] = [];
  const query = `WorkflowType = '${OVERSIGHT_REVIEW_WORKFLOW}' AND WorkflowId STARTS_WITH '${runId.replace(/'/g, "\\'")}.review.'`;
  for await (const wf of client.workflow.list({ query })) ids.push(wf.workflowId);
  const unique = [...new Set(ids)].sort();
  const histories = await Promise.all(
    unique.map(async (reviewId) => ({ reviewId, history: (await fetchRunChain(client, reviewId)).at(-1) })),
  );
  return histories.filter((h): h is ReviewHistory => h.history !== undefined);
}
