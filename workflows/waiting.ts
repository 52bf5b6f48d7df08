import { condition } from '@temporalio/workflow';
import { durationToMs } from '../src/contract/duration';
import type { ApprovalStep, EvidenceStep } from '../src/contract/schemas/runbook';
import { nowIso, nowMs } from './clock';
import { waitTimeline } from '../src/contract/policy';
import type { DeadlineAlarm } from './deadlineAlarm';
import { RunAborted, type RunContext } from './runContext';

/**
 * Waits until `settled()` while firing the step's escalation levels on time. At the deadline
 * an approval either rejects (the run rolls back) or holds, reminding again every deadline.
 */
export async function waitWithEscalation(
  ctx: RunContext,
  step: ApprovalStep | EvidenceStep,
  settled: () => boolean,
  onDeadline: 'reject' | 'hold',
  fallbackRoles: string[],
): Promise<void> {
  const { state } = ctx;
  const waitingSince = nowMs();
  const timeline = waitTimeline(step.escalation, step.deadline);
  const deadlineMs = step.deadline !== undefined ? durationToMs(step.deadline) : undefined;
  if (deadlineMs !== undefined) state.stepView(step.id).deadlineAt = new Date(waitingSince + deadlineMs).toISOString();
  let level = state.stepView(step.id).escalationLevel ?? 0;
  const alarm = ctx.deadlineAlarm();
  // The timeline is a queue walked by index, and the loop may add to it as it goes: an approval
  // that holds at its deadline appends the next deadline (one deadline later), so it reminds
  // again and again until someone decides. `i` is the next event to wait for; past the last
  // event (no deadline, every escalation fired) the wait has no timeout and ends only when the
  // step settles. `level` counts every escalation and reminder sent, for the step's view.
  for (let i = 0; ;) {
    const event = timeline[i];
    const done = await settledBefore(event && waitingSince + event.atMs, settled, alarm);
    if (done) return;
    i++;
    if (!event) return;
    level++;
    state.stepView(step.id).escalationLevel = level;
    if (event.kind === 'escalate') {
      if (event.escalation.delegateTo && step.kind === 'approval') {
        state.delegatedRoles(step.id).push(event.escalation.delegateTo);
      }
      await ctx.escalate(step.id, level, event.escalation, `"${step.title}" is still waiting (level ${level}).`);
      ctx.syncSearchAttributes();
      continue;
    }
    if (onDeadline === 'reject') {
      ctx.abort({
        kind: 'deadline',
        stepId: step.id,
        reason: `no decision on "${step.title}" before its deadline (${step.deadline})`,
        at: nowIso(),
      });
      throw new RunAborted();
    }
    // Hold: remind everyone who could act (and the escalation roles), then wait another deadline.
    const roles = [...new Set([...fallbackRoles, ...step.escalation.flatMap((e) => e.notify)])];
    await ctx.escalate(
      step.id,
      level,
      { after: step.deadline!, notify: roles },
      `"${step.title}" is past its deadline and holds.`,
    );
    timeline.push({ kind: 'deadline', atMs: event.atMs + deadlineMs! });
  }
}

/** Whether the step settled before the time `at` (never, without one); on the run's alarm when patched. */
async function settledBefore(at: number | undefined, settled: () => boolean, alarm: DeadlineAlarm | undefined) {
  if (at === undefined) return (await condition(settled), true);
  if (alarm) return alarm.until(at, settled);
  return condition(settled, Math.max(0, at - nowMs()));
}
