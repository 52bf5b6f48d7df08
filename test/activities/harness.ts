import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure, type Logger } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { expect } from 'vitest';
import type { ActivityDeps } from '../../activities/deps';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server';
import { TEST_OUTBOUND } from '../support/temporal';

/** Shared by the activity tests: deps, a real activity context, loopback servers. */
export function makeDeps(over: Partial<ActivityDeps> = {}, secrets: Record<string, string> = {}): ActivityDeps {
  return { allowCommands: false, outbound: TEST_OUTBOUND, secrets: (n) => secrets[n], notifyConfig: {}, ...over };
}

// The SDK logs every failed activity; failures are what these tests are about.
const noop = () => undefined;
const quiet: Logger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };

let seq = 0;
/** Each env has its own workflow/activity id, as distinct runbook steps would. */
export function activityEnv(ids: { workflowId?: string; activityId?: string } = {}): MockActivityEnvironment {
  seq += 1;
  return new MockActivityEnvironment(
    {
      activityId: ids.activityId ?? `step-${seq}`,
      workflowExecution: { workflowId: ids.workflowId ?? `wf-test-${process.pid}-${seq}`, runId: 'run' },
      heartbeatTimeoutMs: 60_000,
    },
    { logger: quiet },
  );
}

export function sandbox(opts: Parameters<typeof startSandbox>[0] = { port: 0 }): Promise<RunningSandbox> {
  return startSandbox(opts);
}

/** A throwaway loopback server for failure modes the sandbox does not have (slow, wrong status). */
export async function tinyServer(handler: http.RequestListener): Promise<{ url: string; close(): void }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** A port nothing listens on: bind, note the port, close. */
export async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Asserts an ApplicationFailure of `type` with the given retryability; returns it for more checks. */
export async function expectFailure(
  p: Promise<unknown>,
  type: string,
  nonRetryable: boolean,
): Promise<ApplicationFailure> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  const failure = error as ApplicationFailure;
  expect({ type: failure.type, nonRetryable: failure.nonRetryable }).toEqual({ type, nonRetryable });
  return failure;
}

export async function json<T = unknown>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  return (await res.json()) as T;
}

export function post(url: string, body: unknown, method = 'POST'): Promise<Response> {
  return fetch(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** Runs an activity in a real activity Context, keeping its result type. */
export function exec<R>(
  fn: (input: unknown) => Promise<R>,
  params: unknown,
  env: MockActivityEnvironment = activityEnv(),
): Promise<R> {
  return env.run(fn, params) as Promise<R>;
}
