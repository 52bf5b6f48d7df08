import type { Client, WithStartWorkflowOperation } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HttpError } from '../../src/server/errors';
import { claimTarget } from '../../src/server/targetLock';
import type { ClaimTargetInput } from '../../src/contract/targetLockDefinitions';

/**
 * A lock that answers a claim once it asked Temporal to start the run (workflows/targetLock.ts,
 * `golive-lock-early-answer`): the server confirms the run exists as the lock's child before it
 * says the start succeeded. A stand-in client plays Temporal; nothing is timed.
 */

const claim = { runId: 'golive-pay-1', input: { system: 'pay', runbook: { id: 'r' } } } as unknown as ClaimTargetInput;

/** `looks`: what each describe of the run finds — nothing yet, or a run whose parent is the lock or another workflow. */
function client(looks: ('none' | 'lock' | 'other')[], outcome: object = { granted: true, startRequested: true }) {
  let lockId = '';
  const described: number[] = [];
  const fake = {
    withDeadline: <T>(_: number, fn: () => Promise<T>) => fn(),
    workflow: {
      executeUpdateWithStart: (_: unknown, o: { startWorkflowOperation: WithStartWorkflowOperation<never> }) => {
        lockId = o.startWorkflowOperation.options.workflowId;
        return Promise.resolve(outcome);
      },
      getHandle: (id: string) => ({
        describe: () => {
          const look = looks[Math.min(described.length, looks.length - 1)]!;
          described.push(Date.now());
          if (look === 'none') return Promise.reject(new WorkflowNotFoundError('not found', id, undefined));
          return Promise.resolve({ parentExecution: { workflowId: look === 'lock' ? lockId : 'someone-else' } });
        },
      }),
    },
  } as unknown as Client;
  return { fake, described };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('a claim answered before its run started', () => {
  it('succeeds once Temporal describes the run as the lock child', async () => {
    const { fake, described } = client(['none', 'none', 'lock']);
    await expect(claimTarget(fake, 'q', claim)).resolves.toBeUndefined();
    expect(described).toHaveLength(3);
  });

  it('asks nothing more when the lock answered after the run started (a lock from before the change)', async () => {
    const { fake, described } = client(['none'], { granted: true });
    await expect(claimTarget(fake, 'q', claim)).resolves.toBeUndefined();
    expect(described).toHaveLength(0);
  });

  it('fails when the run id belongs to another workflow (the start could not happen)', async () => {
    const { fake } = client(['other']);
    await expect(claimTarget(fake, 'q', claim)).rejects.toThrow(/could not be started.*golive-pay-1 is taken/);
  });

  it('is a 503 naming the run when the run does not appear before the claim deadline', async () => {
    vi.useFakeTimers();
    const { fake } = client(['none']);
    const settled = claimTarget(fake, 'q', claim).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(25_000);
    const err = await settled;
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(503);
    expect((err as HttpError).code).toBe('start_unconfirmed');
    expect((err as HttpError).body().error.runId).toBe('golive-pay-1');
  });
});
