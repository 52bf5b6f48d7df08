import { setTimeout as sleep } from 'node:timers/promises';
import type { RunStateView } from '../contract/definitions';
import type { ApiClient } from './api';
import type { CommandContext } from './context';
import { EXIT, type ExitCode } from './errors';
import { LiveView, painter, say } from './output';
import { hasFailed, isSettled, liveSteps, nextCommands } from './runView';

/**
 * `--follow`: polls the run and shows its steps live until it waits for people or ends. Polling
 * the same endpoint the UI reads keeps the CLI on the API's authorization; a second or so of
 * lag is fine for steps that take seconds to hours.
 */

const POLL_MS = 1000;

export async function followRun(
  ctx: CommandContext,
  api: ApiClient,
  runId: string,
  until: (state: RunStateView) => boolean = isSettled,
): Promise<{ state: RunStateView; exitCode: ExitCode }> {
  const view = new LiveView(ctx.io.stderr);
  const paint = painter(ctx.io.stderr, ctx.io.env);
  let state: RunStateView;
  try {
    for (;;) {
      state = await api.getRun(runId);
      view.update(liveSteps(state, paint));
      if (until(state)) break;
      await sleep(POLL_MS);
    }
  } finally {
    view.stop();
  }
  const failed = hasFailed(state);
  say(ctx.io, `run ${runId} is ${state.status}${state.failure ? `: ${state.failure.reason}` : ''}`);
  for (const line of nextCommands(runId, state)) say(ctx.io, `  ${line}`);
  return { state, exitCode: failed ? EXIT.failed : EXIT.ok };
}
