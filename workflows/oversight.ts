import { patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { OversightActivities } from '../activities/oversightSchedules';
import { nowIso } from './clock';
import { failureMessage, type RunContext } from './runContext';
import type { ReviewInput } from '../src/contract/reviewDefinitions';

/**
 * The go-live's side of scheduled oversight: at go-live (hypercare starts) the duties of the
 * run's Collaboration Mode become Temporal Schedules firing review.ts; when the line is stopped
 * they are paused (kept for the record), when the run rolls back otherwise they are deleted.
 * A run that ends live keeps them: oversight goes on after go-live. Behind
 * patched('golive-oversight-schedules'): runs recorded before it created none.
 */

const schedules = proxyActivities<OversightActivities>({
  startToCloseTimeout: '1m',
  retry: { maximumAttempts: 5, initialInterval: '1s' },
  summary: 'oversight schedules',
});

function reviewInputs(ctx: RunContext): ReviewInput[] {
  const { input } = ctx;
  const duties = input.runbook.oversight?.duties ?? [];
  return duties
    .filter((duty) => duty.modes.includes(input.collaborationMode))
    .map((duty) => ({
      parentRunId: workflowInfo().workflowId,
      system: input.system,
      collaborationMode: input.collaborationMode,
      duty,
      initiatorId: input.initiator.id,
      assignments: input.assignments,
      delegations: input.delegations ?? [],
      directoryBound: input.directory !== undefined,
      ...(input.signing ? { signingKeys: input.signing.keys } : {}),
      ...(input.notifyChannels ? { notifyChannels: input.notifyChannels } : {}),
    }));
}

/** Creates the run's oversight schedules once (carried across continue-as-new). Never fails the run. */
export async function scheduleOversight(ctx: RunContext): Promise<void> {
  const reviews = reviewInputs(ctx);
  if (reviews.length === 0 || ctx.state.data.oversight || !patched('golive-oversight-schedules')) return;
  try {
    const made = await schedules.createOversightSchedules({
      runId: workflowInfo().workflowId,
      taskQueue: workflowInfo().taskQueue,
      reviews,
    });
    ctx.state.data.oversight = { schedules: made, createdAt: nowIso(), state: 'active' };
  } catch (err) {
    const error = failureMessage(err);
    ctx.state.data.oversight = { schedules: [], createdAt: nowIso(), state: 'failed', error };
    const roles = [...new Set([...ctx.input.runbook.stopAuthority, ...ctx.input.runbook.rollbackAuthority])];
    await ctx.escalate(
      'oversight-schedules',
      1,
      { after: '0s', notify: roles },
      `The oversight schedules could not be created (${error}); the duties are not scheduled.`,
    );
  }
}

/** After the run rolled back: a stopped line pauses the schedules, any other rollback deletes them. */
export async function settleOversight(ctx: RunContext): Promise<void> {
  const oversight = ctx.state.data.oversight;
  const failure = ctx.state.data.failure;
  if (!oversight || oversight.schedules.length === 0 || !failure || oversight.state !== 'active') return;
  const action = failure.kind === 'stopped' ? 'pause' : 'delete';
  const note =
    failure.kind === 'stopped'
      ? `line stopped by ${failure.by?.id ?? 'golive'}: ${failure.reason}`
      : `go-live rolled back (${failure.kind})`;
  try {
    await schedules.settleOversightSchedules({
      scheduleIds: oversight.schedules.map((s) => s.scheduleId),
      action,
      note,
    });
    oversight.state = action === 'pause' ? 'paused' : 'deleted';
    oversight.note = note;
  } catch (err) {
    oversight.error = failureMessage(err);
  }
}
