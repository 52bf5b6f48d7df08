import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useExtraRunbooks } from '../support/app';
import { startRecorder, type Recorder } from '../support/recorder';
import { useCliStack } from './support';

/**
 * `golive stop` follows the rollback it caused: each undone step's progress shows once, in
 * the order the run undid them, and the command ends with how the run ended. Two webhook steps
 * to undo (against a real HTTP recorder on loopback), then an approval the stop arrives at.
 */

// deploy-a's undo answers slowly (recorder.ts): the command sees it "compensating" before "compensated".
const undo = (step: string) =>
  `{ action: webhook, params: { url: "\${params.target}/undo/${step === 'deploy-a' ? 'slow/' : ''}${step}", method: POST, expectStatus: 200 }, timeout: 10s }`;
const deploy = (step: string) =>
  `{ id: ${step}, kind: action, title: Deploy ${step}, action: webhook, params: { url: "\${params.target}/do/${step}", method: POST, expectStatus: 200 }, timeout: 10s, compensate: ${undo(step)} }`;
const RUNBOOK = `id: cli-undo
version: 1.0.0
title: Two steps to undo, then a gate
roles:
  - { id: guardian, title: Guardian }
  - { id: operations, title: Operations }
collaborationModes: [1, 2, 3]
parameters:
  target: { type: url, description: where the steps deploy }
stopAuthority: [guardian, operations]
steps:
  - ${deploy('deploy-a')}
  - ${deploy('deploy-b')}
  - { id: gate, kind: approval, title: Gate, approvers: [{ role: guardian }], deadline: 1h }
`;

// Three quick undos: the run ends them all within one poll of the command, so what it shows of
// that poll must be in the order the run undid them (c, b, a), not the runbook's.
const QUICK = (step: string) =>
  `{ id: ${step}, kind: action, title: Deploy ${step}, action: webhook, params: { url: "\${params.target}/do/${step}", method: POST, expectStatus: 200 }, timeout: 10s, compensate: { action: webhook, params: { url: "\${params.target}/undo/${step}", method: POST, expectStatus: 200 }, timeout: 10s } }`;
const QUICK_RUNBOOK = RUNBOOK.replace('id: cli-undo', 'id: cli-undo-quick').replace(
  / {2}- \{ id: deploy-a[^\n]*\n {2}- \{ id: deploy-b[^\n]*\n/,
  ['quick-a', 'quick-b', 'quick-c'].map((step) => `  - ${QUICK(step)}\n`).join(''),
);

const runbooks = useExtraRunbooks(
  { beforeAll, afterAll },
  { 'cli-undo.yaml': RUNBOOK, 'cli-undo-quick.yaml': QUICK_RUNBOOK },
);
const stack = useCliStack({ beforeAll, afterAll }, runbooks);
let recorder: Recorder;
beforeAll(async () => {
  recorder = await startRecorder();
});
afterAll(() => recorder.close());

describe('golive stop', () => {
  it('shows each undone step once while it waits for the rollback', async () => {
    const args = ['start', '--runbook', 'cli-undo', '--system', `cli-stop-${Date.now().toString(36)}`, '--mode', '2'];
    const assign = ['--assign', 'guardian=guardian', '--assign', 'operations=ops', '--param', `target=${recorder.url}`];
    const start = await stack().cli([...args, ...assign, '--follow'], { as: 'rm' });
    expect(start.code, start.stderr).toBe(0);
    const runId = start.stdout.trim();
    expect(start.stderr).toMatch(/gate\s+⏸ waiting/);

    const stop = await stack().cli(['stop', runId, '--reason', 'wrong build'], { as: 'guardian' });
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stdout).toBe(`${runId}: rolled-back — wrong build\n`);
    // The outcome is the result, on stdout once; stderr has the progress only.
    expect(stop.stderr).not.toContain('rolled-back');
    expect(stop.stderr).toContain(`stopped: ${runId} is rolling back…`);
    expect(recorder.paths().filter((p) => p.startsWith('/undo/'))).toEqual(['/undo/deploy-b', '/undo/slow/deploy-a']);
    // Once each, with its outcome: not "completed" again, nor "compensating" then "compensated".
    const lines = stop.stderr.split('\n');
    for (const step of ['deploy-a', 'deploy-b'])
      expect(
        lines.filter((l) => l.startsWith(`${step} `)),
        stop.stderr,
      ).toEqual([expect.stringMatching(/↺ compensated$/)]);
    expect(
      lines.filter((l) => l.startsWith('gate ')),
      stop.stderr,
    ).toEqual([expect.stringMatching(/– cancelled/)]);
  });

  it('lists the undone steps in the order the run undid them, also when one poll sees them all', async () => {
    const args = [
      'start',
      '--runbook',
      'cli-undo-quick',
      '--system',
      `cli-quick-${Date.now().toString(36)}`,
      '--mode',
      '2',
    ];
    const assign = ['--assign', 'guardian=guardian', '--assign', 'operations=ops', '--param', `target=${recorder.url}`];
    const start = await stack().cli([...args, ...assign, '--follow'], { as: 'rm' });
    expect(start.code, start.stderr).toBe(0);
    const runId = start.stdout.trim();

    const stop = await stack().cli(['stop', runId, '--reason', 'wrong build'], { as: 'ops' });
    expect(stop.code, stop.stderr).toBe(0);
    const undoneByRun = recorder
      .paths()
      .filter((p) => p.startsWith('/undo/quick-'))
      .map((p) => p.slice('/undo/'.length));
    expect(undoneByRun).toEqual(['quick-c', 'quick-b', 'quick-a']);
    const shown = stop.stderr
      .split('\n')
      .filter((l) => /^quick-[abc] /.test(l))
      .map((l) => l.split(' ')[0]);
    expect(shown, stop.stderr).toEqual(undoneByRun);
  });
});
