import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { buildAuditTrail } from '../../src/audit';
import { parseConfig } from '../../src/config';
import { resolveTemporalCli } from '../../src/temporal/cliBinary';
import type { Keyring } from '../../src/signing/keyring';
import {
  approveStepUpdate,
  getRunStateQuery,
  reportErrorSignal,
  reportErrorUpdate,
  requestRollbackSignal,
  resolveReportSignal,
  stopLineSignal,
  stopLineUpdate,
  submitEvidenceUpdate,
  approveStepSignal,
  rejectStepSignal,
  submitEvidenceSignal,
} from '../../src/contract/definitions';
import {
  inputFor,
  people,
  signedActor,
  signedFor,
  startSignedRun,
  stepStatus,
  testKeyring,
  waitForState,
} from '../support/runs';
import { testClient, testWorker } from '../support/temporal';

/**
 * Temporal is not an access boundary: anyone who reaches the namespace can send an Update naming
 * any actor. A run started by golive pins golive's key and refuses every message golive did not
 * sign — from the Temporal CLI, from a bare SDK client, replayed, for another run, or stale —
 * before anything reaches history; operators hear of each attempt from the worker. Signals that
 * the run refuses are told as refused in the trail, never as done.
 */

const run = promisify(execFile);

const smallRunbook = {
  steps: [
    {
      id: 'validation',
      kind: 'evidence' as const,
      title: 'Validation',
      items: [{ id: 'report', title: 'Report', type: 'text' as const, submittedBy: ['implementation-engineer'] }],
    },
    {
      id: 'sign-off',
      kind: 'approval' as const,
      title: 'Guardian sign-off',
      approvers: [{ role: 'guardian' }],
      covers: ['validation'],
      deadline: '1h',
    },
    {
      id: 'hypercare',
      kind: 'hypercare' as const,
      title: 'Hypercare',
      duration: '1h',
      responseDeadline: '1h',
      notifyOnReport: ['operations'],
      stopAuthority: ['guardian'],
    },
  ],
};

const refusalType = (err: unknown) =>
  err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure ? err.cause.type : String(err);
const historyLength = async (h: WorkflowHandle) => (await h.fetchHistory()).events?.length ?? 0;

/** The history once the run has nothing in flight (the approval's notification done): what a refusal must not add to. */
async function settledHistoryLength(h: WorkflowHandle): Promise<number> {
  let last = -1;
  for (;;) {
    const now = await historyLength(h);
    if (now === last) return now;
    last = now;
    await new Promise((r) => setTimeout(r, 750));
  }
}

describe('signed messages: what Temporal access alone cannot do', () => {
  let client: Client;
  let ring: Keyring;
  let attacker: Keyring;
  beforeAll(async () => {
    client = await testClient();
    ring = testKeyring();
    attacker = testKeyring();
  });
  afterAll(async () => client.connection.close());

  it('refuses unsigned, foreign-key, replayed, other-run and stale decisions before history; accepts golive’s', async () => {
    const worker = await testWorker();
    await worker.run(async () => {
      const handle = await startSignedRun(client, worker.taskQueue, inputFor(smallRunbook), ring.current);
      const other = await startSignedRun(client, worker.taskQueue, inputFor(smallRunbook), ring.current);
      const evidence = {
        actor: signedActor(people.engineer),
        stepId: 'validation',
        itemId: 'report',
        value: 'all green',
      };
      await waitForState(handle, (s) => stepStatus(s, 'validation') === 'waiting');
      await handle.executeUpdate(submitEvidenceUpdate, {
        args: [signedFor(ring.current, handle, 'submitEvidence', evidence)],
      });
      await waitForState(handle, (s) => stepStatus(s, 'sign-off') === 'waiting');
      const before = await settledHistoryLength(handle);
      const approval = { actor: signedActor(people.guardian), stepId: 'sign-off', comment: 'fits' };
      const attempt = (arg: unknown) =>
        handle.executeUpdate(approveStepUpdate, { args: [arg as never] }).then(() => 'accepted', refusalType);

      expect(await attempt(approval)).toBe('BadSignature'); // a bare SDK client naming the Guardian
      expect(await attempt(signedFor(attacker.current, handle, 'approveStep', approval))).toBe('BadSignature'); // someone's own key
      expect(await attempt(signedFor(ring.current, other, 'approveStep', approval))).toBe('BadSignature'); // signed for another run
      expect(await attempt(signedFor(ring.current, handle, 'rejectStep', approval))).toBe('BadSignature'); // signed as another message
      expect(
        await attempt(signedFor(ring.current, handle, 'approveStep', approval, new Date(Date.now() - 11 * 60_000))),
      ).toBe('BadSignature'); // stale
      expect(
        await attempt({ ...signedFor(ring.current, handle, 'approveStep', approval), comment: 'edited on the way' }),
      ).toBe('BadSignature');
      // Signed, but the directory no longer grants the Guardian role.
      expect(
        await attempt(
          signedFor(ring.current, handle, 'approveStep', {
            ...approval,
            actor: { id: people.guardian, roles: ['end-user'] },
          }),
        ),
      ).toBe('NotAuthorized');
      expect(await historyLength(handle)).toBe(before);
      expect(worker.refusals.filter((r) => r.runId === handle.workflowId && !r.signed)).toHaveLength(1);
      expect(worker.refusals.find((r) => !r.signed)).toMatchObject({
        messageName: 'approveStep',
        actorId: people.guardian,
        type: 'BadSignature',
      });

      const genuine = signedFor(ring.current, handle, 'approveStep', approval);
      expect(await attempt(genuine)).toBe('accepted');
      expect(await attempt(genuine)).toBe('ReplayedMessage');
      const state = await handle.query(getRunStateQuery);
      expect(state.decisions).toEqual([
        expect.objectContaining({
          actor: signedActor(people.guardian),
          role: 'guardian',
          roleSource: 'directory',
          signedBy: ring.current.keyId,
        }),
      ]);
      expect(state.pinnedKeys).toEqual([ring.current.keyId]);
      await handle.executeUpdate(stopLineUpdate, {
        args: [
          signedFor(ring.current, handle, 'stopLine', { actor: signedActor(people.guardian), reason: 'end of test' }),
        ],
      });
      await other.terminate('end of test');
      await handle.result();
    });
  });

  it('refuses an approval sent with `temporal workflow update execute`, adding nothing to history', async () => {
    const config = parseConfig();
    const cli = await resolveTemporalCli({
      explicitPath: config.TEMPORAL_CLI_PATH,
      cacheDir: config.GOLIVE_CACHE_DIR,
      onProgress: () => undefined,
    });
    const worker = await testWorker();
    await worker.run(async () => {
      const handle = await startSignedRun(client, worker.taskQueue, inputFor(smallRunbook), ring.current);
      const evidence = {
        actor: signedActor(people.engineer),
        stepId: 'validation',
        itemId: 'report',
        value: 'all green',
      };
      await waitForState(handle, (s) => stepStatus(s, 'validation') === 'waiting');
      await handle.executeUpdate(submitEvidenceUpdate, {
        args: [signedFor(ring.current, handle, 'submitEvidence', evidence)],
      });
      await waitForState(handle, (s) => stepStatus(s, 'sign-off') === 'waiting');
      const before = await settledHistoryLength(handle);
      const input = JSON.stringify({
        actor: { id: people.guardian, roles: ['guardian'] },
        stepId: 'sign-off',
        comment: 'via the Temporal CLI',
      });
      const args = [
        'workflow',
        'update',
        'execute',
        '--address',
        inject('temporalAddress'),
        '--namespace',
        'default',
        '--workflow-id',
        handle.workflowId,
        '--name',
        'approveStep',
        '--input',
        input,
      ];
      const outcome = await run(cli, args, { timeout: 60_000 }).then(
        (r) => ({ code: 0, out: r.stdout + r.stderr }),
        (e: { code?: number; stdout?: string; stderr?: string }) => ({
          code: e.code ?? 1,
          out: `${e.stdout ?? ''}${e.stderr ?? ''}`,
        }),
      );
      expect(outcome.code).not.toBe(0);
      expect(outcome.out).toContain('not signed by golive');
      expect(await historyLength(handle)).toBe(before);
      expect(stepStatus(await handle.query(getRunStateQuery), 'sign-off')).toBe('waiting');
      await handle.terminate('end of test');
    });
  });

  it('shows every refused Signal kind as refused in the trail, and the accepted one as done', async () => {
    const worker = await testWorker();
    await worker.run(async () => {
      const handle = await startSignedRun(client, worker.taskQueue, inputFor(smallRunbook), ring.current);
      const send = <T extends object>(name: string, payload: T) => signedFor(ring.current, handle, name, payload);
      await waitForState(handle, (s) => stepStatus(s, 'validation') === 'waiting');
      await handle.executeUpdate(submitEvidenceUpdate, {
        args: [
          send('submitEvidence', {
            actor: signedActor(people.engineer),
            stepId: 'validation',
            itemId: 'report',
            value: 'ok',
          }),
        ],
      });
      await waitForState(handle, (s) => stepStatus(s, 'sign-off') === 'waiting');
      await handle.executeUpdate(approveStepUpdate, {
        args: [send('approveStep', { actor: signedActor(people.guardian), stepId: 'sign-off' })],
      });
      await waitForState(handle, (s) => s.status === 'hypercare');
      const report = await handle.executeUpdate(reportErrorUpdate, {
        args: [
          send('reportError', {
            actor: signedActor(people.user),
            severity: 'high' as const,
            description: 'cited a retired policy',
          }),
        ],
      });

      // Unsigned (straight through Temporal), and signed but not allowed (an end user stopping the line).
      const user = { id: people.user, roles: ['end-user'] };
      await handle.signal(stopLineSignal, { actor: { id: people.guardian }, reason: 'unsigned stop' });
      await handle.signal(requestRollbackSignal, { actor: { id: people.ops }, reason: 'unsigned rollback' });
      await handle.signal(reportErrorSignal, { actor: user, severity: 'low', description: 'unsigned report' });
      await handle.signal(resolveReportSignal, {
        actor: { id: people.ops },
        reportId: report.id,
        resolution: 'unsigned fix',
      });
      await handle.signal(approveStepSignal, { actor: { id: people.guardian }, stepId: 'sign-off' });
      await handle.signal(rejectStepSignal, {
        actor: { id: people.guardian },
        stepId: 'sign-off',
        comment: 'unsigned',
      });
      await handle.signal(submitEvidenceSignal, {
        actor: { id: people.engineer },
        stepId: 'validation',
        itemId: 'report',
        value: 'x',
      });
      await handle.signal(stopLineSignal, send('stopLine', { actor: user, reason: 'I may not' }));
      await handle.signal(
        reportErrorSignal,
        send('reportError', { actor: user, severity: 'medium', description: 'signed report by signal' }),
      );
      const state = await waitForState(handle, (s) => (s.signals ?? []).length === 9);
      expect(state.status).toBe('hypercare');
      expect(state.reports.map((r) => r.description)).toEqual(['cited a retired policy', 'signed report by signal']);

      const trail = await buildAuditTrail({ client, workflowId: handle.workflowId, refusals: [] });
      const signalled = trail.entries.filter((e) => e.details.via === 'signal');
      expect(signalled.map((e) => [e.kind, e.details.message ?? e.kind])).toEqual([
        ['message-refused', 'stopLine'],
        ['message-refused', 'requestRollback'],
        ['message-refused', 'reportError'],
        ['message-refused', 'resolveReport'],
        ['message-refused', 'approveStep'],
        ['message-refused', 'rejectStep'],
        ['message-refused', 'submitEvidence'],
        ['message-refused', 'stopLine'],
        ['report', 'report'],
      ]);
      expect(signalled[0]!.summary).toContain('not signed by golive');
      expect(signalled[7]!.summary).toContain('may not stop the line');
      expect(trail.entries.some((e) => e.kind === 'stop')).toBe(false);
      await handle.executeUpdate(stopLineUpdate, {
        args: [send('stopLine', { actor: signedActor(people.guardian), reason: 'end of test' })],
      });
      expect((await handle.result()).status).toBe('rolled-back');
    });
  });
});
