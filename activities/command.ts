import { spawn } from 'node:child_process';
import type { ActivityDeps } from './deps';
import { activitySignal, rethrowIfCancelled } from './context';
import { parseParams, permanent, transient } from './errors';
import { commandParams, type CommandResult } from '../src/contract/schemas/actions/command';
import { redactSecrets, resolveSecrets } from './secrets';

/**
 * Runs a program the runbook names, without a shell, on the worker host; refused unless the
 * operator enabled commands. Output is capped and scrubbed of the secrets passed in.
 */
export function command(deps: ActivityDeps) {
  return async function command(input: unknown): Promise<CommandResult> {
    if (!deps.allowCommands)
      permanent('CommandsDisabled', 'the command action is disabled on this worker (GOLIVE_ALLOW_COMMANDS)');
    const p = parseParams(commandParams, input);
    const used = new Set<string>();
    const [program, ...args] = resolveSecrets(p.argv, deps, used);
    const env = resolveSecrets(p.env, deps, used);
    const signal = activitySignal();
    const started = performance.now();
    const out = { stdout: '', stderr: '', truncated: false };
    const capture = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      const room = p.maxOutputChars - out[stream].length;
      const text = chunk.toString('utf8');
      if (text.length > room) out.truncated = true;
      if (room > 0) out[stream] += text.slice(0, room);
    };
    const { exitCode, signalName, timedOut } = await runProgram(program ?? '', args, {
      cwd: p.cwd,
      env: { ...process.env, ...env },
      signal,
      timeoutMs: p.timeoutMs,
      started,
      capture,
    }).catch((err: NodeJS.ErrnoException) =>
      permanent('CommandFailed', `cannot run ${p.argv[0]}: ${err.code ?? err.message}`),
    );
    rethrowIfCancelled(signal);
    const result: CommandResult = {
      argv: p.argv,
      exitCode,
      signal: signalName,
      durationMs: Math.round(performance.now() - started),
      stdout: redactSecrets(out.stdout, used),
      stderr: redactSecrets(out.stderr, used),
      truncated: out.truncated,
    };
    if (timedOut) transient('CommandTimedOut', `${p.argv[0]} did not finish within ${p.timeoutMs} ms`, result);
    if (exitCode !== p.expectExitCode)
      permanent('CommandFailed', `${p.argv[0]} exited with ${exitCode ?? signalName}`, result);
    return result;
  };
}

interface RunOptions {
  cwd: string | undefined;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  timeoutMs: number;
  /** performance.now() when the activity began: the timeout counts from there. */
  started: number;
  capture: (stream: 'stdout' | 'stderr') => (chunk: Buffer) => void;
}

/** Spawns the program (no shell) and settles when it closes; rejects only when it cannot start. */
function runProgram(
  program: string,
  args: string[],
  o: RunOptions,
): Promise<{ exitCode: number | null; signalName: string | null; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      cwd: o.cwd,
      env: o.env,
      shell: false,
      signal: o.signal,
      timeout: o.timeoutMs,
      killSignal: 'SIGKILL',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', o.capture('stdout'));
    child.stderr.on('data', o.capture('stderr'));
    child.once('error', (err: NodeJS.ErrnoException) => {
      // Abort also surfaces here; the caller's cancellation check wins.
      if (err.name !== 'AbortError') reject(err);
    });
    child.once('close', (code, sig) => {
      resolve({
        exitCode: code,
        signalName: sig,
        timedOut: sig !== null && performance.now() - o.started >= o.timeoutMs,
      });
    });
  });
}
