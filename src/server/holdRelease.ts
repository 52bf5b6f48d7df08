import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { GO_LIVE_WORKFLOW } from '../contract/definitions';
import { HOLD_MEMO } from './runStart';
import { endHold, howEnded, type HoldRef } from './targetHold';

/**
 * Ends the holds of runs that have ended (targetHold.ts), so Temporal's list of running
 * workflows shows targets that are held and no others. Not what frees a target: a claim that
 * meets a hold whose run ended ends it itself, so a release that comes late (this process was
 * down, visibility lags) delays nothing. It asks Temporal's visibility for runs closed since its
 * last look, a little before it (visibility lags closes), and ends each one's hold, unless the
 * run goes on under the same id (a reset): its hold is still its own.
 */

export interface HoldReleaseOptions {
  /** How often it looks; 5 s. */
  everyMs?: number;
  /** How far back the first look goes (runs that ended while no golive web ran); 1 hour. */
  lookbackMs?: number;
  onError?: (err: unknown) => void;
}

/**
 * Visibility may record a close this much after it happened (milliseconds on the dev server's
 * SQLite, about a second on Elasticsearch). Each look lists the runs closed in this much before
 * its last look again, so it is kept short: at 200 runs closing at once, a minute of overlap
 * listed each of them a dozen times.
 */
const OVERLAP_MS = 15_000;
/** Holds remembered as ended, so the overlap does not end them twice. */
const ENDED_KEPT = 10_000;

export class HoldRelease {
  private since: number;
  private readonly ended = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly client: Client,
    private readonly options: HoldReleaseOptions = {},
  ) {
    this.since = Date.now() - (options.lookbackMs ?? 3_600_000);
  }

  start(): void {
    const next = () => {
      if (this.stopped) return;
      this.timer = setTimeout(() => {
        this.sweeping = this.sweep()
          .catch((err: unknown) => this.options.onError?.(err))
          .finally(next);
      }, this.options.everyMs ?? 5000);
      this.timer.unref();
    };
    next();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.sweeping;
  }

  /** One look: ends the hold of every run closed since the last look. */
  async sweep(): Promise<void> {
    const lookedAt = Date.now();
    const query =
      `WorkflowType = '${GO_LIVE_WORKFLOW}' AND ExecutionStatus != 'Running' AND ` +
      `ExecutionStatus != 'ContinuedAsNew' AND CloseTime > '${new Date(this.since - OVERLAP_MS).toISOString()}'`;
    for await (const run of this.client.workflow.list({ query })) {
      const hold = run.memo?.[HOLD_MEMO] as HoldRef | undefined;
      if (hold && !this.ended.has(hold.runId)) await this.release(run, hold);
    }
    this.since = lookedAt;
  }

  private async release(run: WorkflowExecutionInfo, hold: HoldRef): Promise<void> {
    const latest = await this.client.workflow.getHandle(run.workflowId).describe();
    if (latest.status.name === 'RUNNING') return; // reset: the run goes on, and holds its target
    await endHold(this.client, hold, `released: run ${run.workflowId} ended (${howEnded(latest)})`);
    this.ended.add(hold.runId);
    if (this.ended.size > ENDED_KEPT) this.ended.delete(this.ended.values().next().value!);
  }
}
