import { proxySinks, type Sinks } from '@temporalio/workflow';

/**
 * What the workflow tells the worker process without touching history. A message an Update
 * validator refuses leaves no trace in Temporal, so operators learn of it here: the worker logs
 * who was refused and why, and counts it in its metrics (an unsigned attempt is someone
 * talking to the run around golive).
 */
export interface RefusalNotice {
  runId: string;
  messageName: string;
  /** The actor the message claimed (unverified when the message was not signed by golive). */
  actorId?: string;
  type: string;
  reason: string;
  signed: boolean;
}

export interface GoLiveSinks extends Sinks {
  refusals: { refused(notice: RefusalNotice): void };
}

export const { refusals } = proxySinks<GoLiveSinks>();
