import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { AppDeps } from '../../src/server/deps';
import { startTestApp, type TestApp } from '../support/app';
import { testClient, testWorker } from '../support/temporal';

/**
 * The CLI as people run it: `node bin/golive.cjs ...` in a child process, against the real web
 * app (on a free port) with real workflows on the suite's dev server. Each call gets a fresh
 * HOME, so no one's real ~/.config/golive leaks in, and only the environment the test names.
 */

export const BIN = path.resolve(__dirname, '../../bin/golive.cjs');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** A demo person whose token goes into GOLIVE_TOKEN. */
  as?: string;
  env?: Record<string, string>;
  /** Written to stdin (then closed). */
  input?: string;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function runCli(args: readonly string[], env: Record<string, string>, input?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

export interface CliStack {
  app: TestApp;
  /** Runs the CLI as `opts.as` (or with no token) against the app. */
  cli(args: readonly string[], opts?: CliOptions): Promise<CliResult>;
  tokenOf(personId: string): string;
}

/** beforeAll/afterAll for a test file: worker, app, and a CLI runner. */
export function useCliStack(
  hooks: {
    beforeAll: (fn: () => Promise<void>) => void;
    afterAll: (fn: () => Promise<void>) => void;
  },
  /** Called in beforeAll, so it may use what earlier beforeAll hooks set up (e.g. a runbooks dir). */
  deps: () => Partial<AppDeps> = () => ({}),
): () => CliStack {
  let client: Client | undefined;
  let stopWorker: (() => Promise<void>) | undefined;
  let stack: CliStack | undefined;
  const home = tempDir('golive-cli-home-');
  hooks.beforeAll(async () => {
    client = await testClient();
    const worker = await testWorker();
    const done = worker.worker.run();
    stopWorker = async () => {
      worker.worker.shutdown();
      await done;
    };
    const app = await startTestApp({ client, taskQueue: worker.taskQueue, ...deps() });
    const tokenOf = (id: string): string => {
      const token = app.credentials[id]?.token;
      if (!token) throw new Error(`no demo person ${id}`);
      return token;
    };
    stack = {
      app,
      tokenOf,
      cli: (args, opts = {}) =>
        runCli(
          args,
          { HOME: home, GOLIVE_URL: app.url, ...(opts.as ? { GOLIVE_TOKEN: tokenOf(opts.as) } : {}), ...opts.env },
          opts.input,
        ),
    };
  });
  hooks.afterAll(async () => {
    await stack?.app.close();
    await stopWorker?.();
    await client?.connection.close();
    fs.rmSync(home, { recursive: true, force: true });
  });
  return () => {
    if (!stack) throw new Error('the CLI stack is not started yet');
    return stack;
  };
}

/** Runs `attempt` until `accept` holds for its result (visibility lags a little behind starts). */
export async function retryCli(
  attempt: () => Promise<CliResult>,
  accept: (r: CliResult) => boolean,
  timeoutMs = 15_000,
): Promise<CliResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await attempt();
    if (accept(result) || Date.now() > deadline) return result;
    await new Promise((r) => setTimeout(r, 300));
  }
}
