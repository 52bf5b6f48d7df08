import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { rejectStepUpdate } from '../../src/contract/definitions';
import { autopilot } from '../support/autopilot';
import { defaultRunbookInput } from '../support/defaultRunbook';
import { people, startRun } from '../support/runs';
import { startTestSandbox, type TestSandbox } from '../support/sandbox';
import { testClient, testWorker } from '../support/temporal';

interface Deployments {
  version: string;
  served: string[];
  history: { kind: string; to: string; at: string }[];
}

const deployments = async (sandbox: TestSandbox, slot: '' | '/staging'): Promise<Deployments> =>
  (await (await fetch(`${sandbox.url}${slot}/deployments`)).json()) as Deployments;

/**
 * The shipped default runbook, end to end on the real stack: real activities against the
 * sandbox production system, every human step sent as an Update.
 */
describe('the default runbook', () => {
  let client: Client;
  let sandbox: TestSandbox;
  beforeAll(async () => {
    client = await testClient();
  });
  afterAll(async () => {
    await client.connection.close();
  });
  // A fresh sandbox per test: each go-live starts from the same deployed version.
  beforeEach(async () => {
    sandbox = await startTestSandbox();
  });
  afterEach(async () => {
    await sandbox.close();
  });

  it('goes live end to end against the sandbox with decisions sent as Updates', { timeout: 180_000 }, async () => {
    // Every address from the runbook's defaults, as the start form offers them: they follow the
    // sandbox's port (here a free one, as with any GOLIVE_SANDBOX_PORT).
    const input = await defaultRunbookInput(sandbox, '2s', {}, { addressesFromDefaults: true });
    expect(input.params).toMatchObject({
      targetUrl: sandbox.url,
      stagingUrl: `${sandbox.url}/staging`,
      targetPort: Number(new URL(sandbox.url).port),
      prometheusUrl: `${sandbox.url}/prometheus`,
    });
    const { taskQueue, run } = await testWorker();
    const result = await run(async () => {
      const handle = await startRun(client, taskQueue, input);
      await autopilot(handle, input, (s) => s.status === 'hypercare' || s.status === 'live', { timeoutMs: 150_000 });
      return handle.result();
    });
    expect(result.status).toBe('live');
    expect(result.steps.every((s) => s.status === 'completed')).toBe(true);
    expect(result.runbook).toMatchObject({
      id: 'ai-go-live',
      version: input.runbookRef.version,
      sha256: input.runbookRef.sha256,
    });
    // Every approval step was decided by someone other than the initiator, with a recorded role.
    const approvalSteps = input.runbook.steps.filter((s) => s.kind === 'approval').map((s) => s.id);
    for (const id of approvalSteps)
      expect(result.decisions.some((d) => d.stepId === id && d.actor.id !== people.initiator)).toBe(true);
    const deployed = (await (await fetch(`${sandbox.url}/version`)).json()) as { version: string };
    expect(deployed.version).toBe(input.params.releaseVersion);
    // Production switched to the candidate once, by the go-live step, after the Gate 4 decision;
    // before that the candidate served only in the staging slot.
    const production = await deployments(sandbox, '');
    expect(production.history.map((h) => [h.kind, h.to])).toEqual([['switch', input.params.releaseVersion]]);
    const gate4 = result.decisions.find((d) => d.stepId === 'gate-4')!;
    expect(Date.parse(production.history[0]!.at)).toBeGreaterThanOrEqual(Date.parse(gate4.at));
    expect((await deployments(sandbox, '/staging')).history[0]).toMatchObject({
      kind: 'deploy',
      to: input.params.releaseVersion,
    });
  });

  it('rolls back everything it did when the Gate 4 decision is a rejection', { timeout: 180_000 }, async () => {
    const input = await defaultRunbookInput(sandbox);
    const { taskQueue, run } = await testWorker();
    const result = await run(async () => {
      const handle = await startRun(client, taskQueue, input);
      await autopilot(handle, input, (s) => s.steps.find((x) => x.id === 'gate-4')?.status === 'waiting', {
        skip: ['gate-4'],
        timeoutMs: 150_000,
      });
      await handle.executeUpdate(rejectStepUpdate, {
        args: [{ actor: { id: people.sponsor }, stepId: 'gate-4', comment: 'not this quarter' }],
      });
      return handle.result();
    });
    expect(result.status).toBe('rolled-back');
    // Every step that declared an undo was undone, in exact reverse order of completion.
    const undoable = new Set(input.runbook.steps.filter((s) => s.kind === 'action' && s.compensate).map((s) => s.id));
    const completedInOrder = result.steps
      .filter((s) => undoable.has(s.id) && s.endedAt)
      .sort((a, b) => Date.parse(a.endedAt!) - Date.parse(b.endedAt!))
      .map((s) => s.id);
    expect(completedInOrder.length).toBeGreaterThanOrEqual(3);
    expect(result.compensations.map((c) => c.stepId)).toEqual([...completedInOrder].reverse());
    expect(result.compensations.every((c) => c.status === 'completed')).toBe(true);
    const deployed = (await (await fetch(`${sandbox.url}/version`)).json()) as { version: string };
    expect(deployed.version).toBe(input.params.previousVersion);
    // Production never served the candidate: no switch, no deploy, only the version it had.
    const production = await deployments(sandbox, '');
    expect(production.served).toEqual([input.params.previousVersion]);
    expect(production.history).toEqual([]);
    // The candidate served in the staging slot only, which the rollback put back.
    const staging = await deployments(sandbox, '/staging');
    expect(staging.served).toContain(input.params.releaseVersion);
    expect(staging.version).toBe(input.params.previousVersion);
    // The run's rule file is gone and Prometheus (here the sandbox's stand-in) reloaded without it.
    const rules = (await (await fetch(`${sandbox.url}/prometheus/api/v1/rules`)).json()) as {
      data: { groups: { file: string }[] };
    };
    expect(rules.data.groups.filter((g) => g.file.includes(input.params.ruleFile as string))).toEqual([]);
    expect(result.steps.find((s) => s.id === 'monitoring-verify')?.result).toMatchObject({
      delivered: true,
      target: { job: 'sandbox', health: 'up' },
    });
  });
});
