import { setTimeout as sleep } from 'node:timers/promises';
import type { RunStateView } from '../contract/definitions';
import { failureCause } from '../contract/failureWords';
import type { ApiClient } from './api';
import type { CommandContext } from './context';
import { EXIT, type ExitCode } from './errors';
import { LiveView, painter, say } from './output';
import { hasFailed, inUndoOrder, isSettled, liveSteps, nextCommands } from './runView';

/**
 * `--follow`: polls the run and shows its steps live until it waits for people or ends. Polling
 * the same endpoint the UI reads keeps the CLI on the API's authorization; a second or so of
 * lag is fine for steps that take seconds to hours.
 */

const POLL_MS = 1000;

export interface FollowOptions {
  /** When to stop following (default: the run waits for people or has ended). */
  until?: (state: RunStateView) => boolean;
  /**
   * The run as a message left it (a stop, a rollback): only the steps that change after it are
   * shown, each once with its outcome, not the whole run again nor "compensating" then "compensated".
   */
  since?: RunStateView;
  /**
   * Whether to say on stderr how the run ended (default yes). A command that prints the outcome
   * itself as its result on stdout (stop, rollback) says no: the line once, where data goes.
   */
  sayEnd?: boolean;
}

export async function followRun(
  ctx: CommandContext,
  api: ApiClient,
  runId: string,
  { until = isSettled, since, sayEnd = true }: FollowOptions = {},
): Promise<{ state: RunStateView; exitCode: ExitCode }> {
  const view = new LiveView(ctx.io.stderr, { settledOnly: since !== undefined });
  const paint = painter(ctx.io.stderr, ctx.io.env);
  const before = new Map(since?.steps.map((s) => [s.id, s.status]));
  let state: RunStateView;
  try {
    for (;;) {
      const now = (state = await api.getRun(runId));
      const changed = (id: string) => before.get(id) !== now.steps.find((s) => s.id === id)?.status;
      const steps = liveSteps(now, paint);
      const shown = since ? steps.filter((item) => changed(item.key)) : steps;
      view.update(since ? inUndoOrder(shown, now) : shown);
      if (until(state)) break;
      await sleep(POLL_MS);
    }
  } finally {
    view.stop();
  }
  const failed = hasFailed(state);
  if (sayEnd) say(ctx.io, `run ${runId} is ${state.status}${state.failure ? `: ${failureCause(state.failure)}` : ''}`);
  for (const line of nextCommands(runId, state)) say(ctx.io, `  ${line}`);
  return { state, exitCode: failed ? EXIT.failed : EXIT.ok };
}
