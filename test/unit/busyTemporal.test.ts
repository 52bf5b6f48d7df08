import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ServiceError, WorkflowUpdateRPCTimeoutOrCancelledError, type Client } from '@temporalio/client';
import { defaultPayloadConverter, TypedSearchAttributes, WorkflowNotFoundError } from '@temporalio/common';
import { loadDataConverter } from '@temporalio/common/lib/internal-non-workflow';
import { afterAll, describe, expect, it } from 'vitest';
import { HttpError } from '../../src/server/errors';
import { startHeldRun } from '../../src/server/runStart';
import { PageTokens, TemporalRuns } from '../../src/server/temporalRuns';
import { outageError } from '../../src/server/unavailable';
import { Keyring } from '../../src/signing/keyring';
import { defineUpdate } from '@temporalio/workflow';
import { inputFor, oneApproval } from '../support/runs';

/**
 * Temporal answering but its workers too busy to answer in time (issue 16: 200 runs at once): a
 * start or a message whose answer did not come is a 503 that says so and names the run, never a
 * 500 and never "Temporal is unreachable". A stand-in client plays Temporal; nothing is timed.
 */

const keysDir = fs.mkdtempSync(path.join(os.tmpdir(), 'golive-busy-'));
afterAll(() => fs.rmSync(keysDir, { recursive: true, force: true }));

/** What a call cut by its deadline throws (a gRPC DEADLINE_EXCEEDED). */
function grpcDeadline(): Error {
  return Object.assign(new Error('4 DEADLINE_EXCEEDED: Deadline exceeded'), {
    code: 4,
    details: 'Deadline exceeded',
    metadata: {},
  });
}

/** The same, as the SDK wraps it for Updates. */
function deadline(): Error {
  return new WorkflowUpdateRPCTimeoutOrCancelledError('Timeout or cancellation waiting for update', {
    cause: grpcDeadline(),
  });
}

const notFound = (id: string) => new WorkflowNotFoundError('workflow not found', id, undefined);

/** A stand-in for the SDK client: every Update times out; `runs` says which runs exist and how. */
function busyClient(runs: Record<string, 'RUNNING' | 'COMPLETED'>): Client {
  const describe = (id: string) =>
    runs[id]
      ? Promise.resolve({ status: { name: runs[id] }, typedSearchAttributes: new TypedSearchAttributes() })
      : Promise.reject(notFound(id));
  return {
    withDeadline: <T>(_: number, fn: () => Promise<T>) => fn(),
    options: { loadedDataConverter: loadDataConverter() },
    workflowService: {
      // The run's start event: an input that pinned no signing key (messages go unsigned).
      getWorkflowExecutionHistory: async () => ({
        history: {
          events: [
            {
              workflowExecutionStartedEventAttributes: { input: { payloads: [defaultPayloadConverter.toPayload({})] } },
            },
          ],
        },
      }),
    },
    workflow: {
      // The target's hold is taken; the run's own start is not answered in time.
      start: (type: string) =>
        type === 'targetHold'
          ? Promise.resolve({ firstExecutionRunId: 'hold-run' })
          : Promise.reject(new ServiceError('Failed to start Workflow', { cause: grpcDeadline() })),
      getHandle: (id: string) => ({
        describe: () => describe(id),
        executeUpdate: () => Promise.reject(deadline()),
        getUpdateHandle: () => ({ result: () => Promise.reject(notFound(id)) }),
      }),
    },
  } as unknown as Client;
}

const input = inputFor(oneApproval(), { system: 'pay' });

describe('a start not answered in time', () => {
  it('succeeds when Temporal says the run started meanwhile', async () => {
    await expect(
      startHeldRun(busyClient({ 'golive-pay-1': 'RUNNING' }), 'q', 'golive-pay-1', input),
    ).resolves.toBeUndefined();
  });

  it('is a 503 naming the run, which may still start, when it has not started yet', async () => {
    const err = await startHeldRun(busyClient({}), 'q', 'golive-pay-1', input).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    const http = err as HttpError;
    expect(http.status).toBe(503);
    expect(http.code).toBe('start_unconfirmed');
    expect(http.body().error.runId).toBe('golive-pay-1');
    expect(http.message).toMatch(/did not confirm the start of run golive-pay-1.*may still start/);
    expect(http.extra.headers?.['Retry-After']).toBeDefined();
  });
});

describe('a message whose Update is not answered in time', () => {
  const runs = (client: Client) =>
    new TemporalRuns(client, 'q', 'default', Keyring.loadOrCreate(keysDir), new PageTokens(Buffer.alloc(32)));
  const nudge = defineUpdate<unknown, [{ note: string }]>('nudge');

  it('is a 503 saying the run is busy (send it again with the same key), not "Temporal is unreachable"', async () => {
    const err = await runs(busyClient({ 'golive-pay-1': 'RUNNING' }))
      .update('golive-pay-1', nudge, { note: 'x' }, { updateId: 'p:k' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(503);
    expect((err as HttpError).code).toBe('run_busy');
    expect((err as HttpError).message).toMatch(/did not answer this message in time.*same Idempotency-Key/);
  });

  it('is a 409 when the run ended meanwhile', async () => {
    const err = await runs(busyClient({ 'golive-pay-1': 'COMPLETED' }))
      .update('golive-pay-1', nudge, { note: 'x' })
      .catch((e: unknown) => e);
    expect((err as HttpError).status).toBe(409);
  });

  it('stays the outage 503 when Temporal cannot even say whether the run exists', async () => {
    const client = busyClient({});
    const handle = client.workflow.getHandle('x');
    const getHandle = () => ({ ...handle, describe: () => Promise.reject(new Error('14 UNAVAILABLE')) });
    const err = await runs({ ...client, workflow: { ...client.workflow, getHandle } } as unknown as Client)
      .update('golive-pay-1', nudge, { note: 'x' })
      .catch((e: unknown) => e);
    expect(outageError(err)?.code).toBe('temporal_unavailable');
  });

  /** What the SDK throws when Temporal refuses the Update itself (its limits), with the gRPC code. */
  const refusedByTemporal = (code: number, details: string) =>
    new ServiceError('Workflow Update failed', {
      cause: Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} }),
    });

  it.each([
    [9, 'limit on number of total updates has been reached (2000)'],
    [8, 'limit on number of concurrent in-flight updates has been reached (10)'],
  ])('is a 503 run_busy when Temporal refuses it for its limits (code %i), never a 500', async (code, details) => {
    const client = busyClient({ 'golive-pay-1': 'RUNNING' });
    const handle = client.workflow.getHandle('x');
    const getHandle = () => ({ ...handle, executeUpdate: () => Promise.reject(refusedByTemporal(code, details)) });
    const err = await runs({ ...client, workflow: { ...client.workflow, getHandle } } as unknown as Client)
      .update('golive-pay-1', nudge, { note: 'x' }, { updateId: 'p:k' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(503);
    expect((err as HttpError).code).toBe('run_busy');
    expect((err as HttpError).message).toMatch(/nothing was applied.*same Idempotency-Key/);
  });

  it('leaves other refusals by Temporal to the error mapper', async () => {
    const client = busyClient({ 'golive-pay-1': 'RUNNING' });
    const handle = client.workflow.getHandle('x');
    const other = refusedByTemporal(9, 'something else entirely');
    const getHandle = () => ({ ...handle, executeUpdate: () => Promise.reject(other) });
    const err = await runs({ ...client, workflow: { ...client.workflow, getHandle } } as unknown as Client)
      .update('golive-pay-1', nudge, { note: 'x' })
      .catch((e: unknown) => e);
    expect(err).toBe(other);
  });

  it('is sent again, once, when the run continued as new under it (its next run takes it)', async () => {
    const client = busyClient({ 'golive-pay-1': 'RUNNING' });
    let calls = 0;
    const executeUpdate = () => (++calls === 1 ? Promise.reject(notFound('golive-pay-1')) : Promise.resolve('taken'));
    const getHandle = (id: string) => ({ ...client.workflow.getHandle(id), executeUpdate });
    const answer = await runs({ ...client, workflow: { ...client.workflow, getHandle } } as unknown as Client).update(
      'golive-pay-1',
      nudge,
      { note: 'x' },
    );
    expect(answer).toBe('taken');
    expect(calls).toBe(2);
  });

  it('is refused as closed when the run has really ended', async () => {
    const client = busyClient({ 'golive-pay-1': 'COMPLETED' });
    const getHandle = (id: string) => ({
      ...client.workflow.getHandle(id),
      executeUpdate: () => Promise.reject(notFound(id)),
    });
    const err = await runs({ ...client, workflow: { ...client.workflow, getHandle } } as unknown as Client)
      .update('golive-pay-1', nudge, { note: 'x' })
      .catch((e: unknown) => e);
    expect((err as HttpError).status).toBe(409);
  });
});

describe('a call that timed out, as the caller hears it', () => {
  const unreachable = () =>
    Object.assign(new Error('14 UNAVAILABLE: Temporal is unreachable'), {
      code: 14,
      details: 'Temporal is unreachable',
      metadata: {},
    });

  it('is "Temporal is busy" while golive\'s probe finds Temporal up', () => {
    const answer = outageError(deadline(), { state: 'up' });
    expect(answer?.status).toBe(503);
    expect(answer?.code).toBe('temporal_busy');
    expect(answer?.message).toMatch(/did not answer in time/);
    expect(answer?.extra.headers?.['Retry-After']).toBe('2');
  });

  it('is "Temporal is unreachable" when the probe finds it away, has no verdict yet, or the connection was refused', () => {
    expect(outageError(deadline(), { state: 'down' })?.code).toBe('temporal_unavailable');
    expect(outageError(deadline(), { state: 'unknown' })?.code).toBe('temporal_unavailable');
    expect(outageError(deadline())?.code).toBe('temporal_unavailable');
    expect(outageError(unreachable(), { state: 'up' })?.code).toBe('temporal_unavailable');
  });
});
