import { CancellationScope, log } from '@temporalio/workflow';
import { runAction } from './actions';
import { nowIso as now } from './clock';
import { failureMessage, type RunContext } from './runContext';
import { undoSummary } from '../src/contract/activitySummary';

/**
 * The saga's second half: undo every completed step in reverse order of completion, each undo
 * retried by its own policy, in a scope that cancellation cannot interrupt. An undo that still
 * fails is recorded (the run ends "rollback incomplete"), never dropped, and the rest go on.
 */
export async function compensate(ctx: RunContext): Promise<void> {
  const { state, input } = ctx;
  state.setStatus('compensating');
  ctx.syncSearchAttributes();
  await CancellationScope.nonCancellable(async () => {
    for (const entry of [...state.data.compensationStack].reverse()) {
      state.setStep(entry.stepId, 'compensating', now());
      try {
        const result = await runAction(entry.call, undoSummary(entry.stepId, entry.call.action));
        state.recordCompensation({
          stepId: entry.stepId,
          action: entry.call.action,
          status: 'completed',
          at: now(),
          result,
        });
        state.setStep(entry.stepId, 'compensated', now());
      } catch (err) {
        const error = failureMessage(err);
        state.recordCompensation({
          stepId: entry.stepId,
          action: entry.call.action,
          status: 'failed',
          at: now(),
          error,
        });
        state.setStep(entry.stepId, 'compensation-failed', now(), { error });
        log.error('compensation failed', { stepId: entry.stepId, error });
      }
    }
    state.data.compensationStack = [];
    const failure = state.data.failure;
    await ctx.tell(
      [...input.runbook.stopAuthority, ...input.runbook.rollbackAuthority],
      `go-live rolled back: ${failure?.reason ?? 'unknown reason'}`,
      `The run was rolled back (${failure?.kind}): ${failure?.reason ?? 'unknown reason'}. ${state.data.compensations.filter((c) => c.status === 'failed').length} compensation(s) failed.`,
      'critical',
    );
  });
}
