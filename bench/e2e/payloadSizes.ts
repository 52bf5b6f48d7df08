import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';

/**
 * The largest payload the long run's chain stored (each run's start input: the record carried by
 * continue-as-new; and its result), as stored, i.e. after golive's codec: what Temporal's 2 MB
 * limit per payload is checked against.
 */
export async function largestStoredPayload(
  client: Client,
  workflowId: string,
): Promise<{ bytes: number; encoding: string }> {
  let runId: string | undefined = (await client.workflow.getHandle(workflowId).describe()).runId;
  let largest = { bytes: 0, encoding: '' };
  while (runId) {
    const events: temporal.api.history.v1.IHistoryEvent[] =
      (await client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [];
    const started = events[0]?.workflowExecutionStartedEventAttributes;
    const completed = events.at(-1)?.workflowExecutionCompletedEventAttributes;
    for (const p of [...(started?.input?.payloads ?? []), ...(completed?.result?.payloads ?? [])]) {
      const bytes = p.data?.length ?? 0;
      if (bytes > largest.bytes) largest = { bytes, encoding: Buffer.from(p.metadata?.encoding ?? []).toString() };
    }
    runId = started?.continuedExecutionRunId || undefined;
  }
  return largest;
}
