import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { eventually } from '../support/eventually';

/**
 * golive as real processes for the process tests: the one entry point (src/main.ts) with a
 * role and settings from the environment, its output kept for the failure message.
 */

export const MAIN = path.resolve(__dirname, '../../src/main.ts');
const REPO = path.resolve(__dirname, '../..');

export interface GoliveProcess {
  name: string;
  child: ChildProcess;
  pid: number;
  output(): string;
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited: Promise<number | string | null>;
  kill(signal: NodeJS.Signals): Promise<number | string | null>;
}

export function spawnGolive(name: string, env: Record<string, string>): GoliveProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', GOLIVE_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | string | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  return {
    name,
    child,
    pid: child.pid!,
    output: () => out,
    exited,
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Waits until `url` answers 200 (readiness), naming the process and its last output on timeout. */
export async function waitReady(p: GoliveProcess, url: string, timeoutMs = 120_000): Promise<void> {
  await eventually(
    async () => {
      if (p.child.exitCode !== null) throw new Error(`${p.name} exited (${p.child.exitCode}):\n${p.output()}`);
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
      return res?.status === 200 ? true : undefined;
    },
    () => `${p.name} to be ready at ${url}; its output:\n${p.output().slice(-3000)}`,
    timeoutMs,
    250,
  );
}
