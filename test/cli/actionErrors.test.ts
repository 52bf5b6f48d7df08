import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunStateView } from '../../src/contract/definitions';
import { apiAs, eventually, useExtraRunbooks } from '../support/app';
import { startRecorder, type Recorder } from '../support/recorder';
import { useCliStack } from './support';

/**
 * A step that fails and an undo that fails, said by the actions' own words on the run page and in
 * `golive status`, without Temporal's "Activity task failed: " (as the WHY column and the failure
 * banner say them); the run's state and its trail keep the words as they were recorded.
 */

const WRAPPER = 'Activity task failed';

// deploy-a works and its undo fails; deploy-b fails, so the run rolls back and the undo's failure stays.
const RUNBOOK = `id: cli-errors
version: 1.0.0
title: A step whose undo fails, then a step that fails
roles:
  - { id: guardian, title: Guardian }
  - { id: operations, title: Operations }
collaborationModes: [1, 2, 3]
parameters:
  target: { type: url, description: where the steps deploy }
stopAuthority: [guardian, operations]
readAuthority: [operations]
steps:
  - id: deploy-a
    kind: action
    title: Deploy a
    action: webhook
    params: { url: "\${params.target}/do/deploy-a", method: POST, expectStatus: 200 }
    timeout: 10s
    retry: { maximumAttempts: 1 }
    compensate: { action: webhook, params: { url: "\${params.target}/fail/undo-a", method: POST, expectStatus: 200 }, timeout: 10s, retry: { maximumAttempts: 1 } }
  - id: deploy-b
    kind: action
    title: Deploy b
    action: webhook
    params: { url: "\${params.target}/fail/deploy-b", method: POST, expectStatus: 200 }
    timeout: 10s
    retry: { maximumAttempts: 1 }
`;

const runbooks = useExtraRunbooks({ beforeAll, afterAll }, { 'cli-errors.yaml': RUNBOOK });
const stack = useCliStack({ beforeAll, afterAll }, runbooks);
let recorder: Recorder;
beforeAll(async () => {
  recorder = await startRecorder();
});
afterAll(() => recorder.close());

describe("a failed step's and a failed undo's error", () => {
  it("is said without Temporal's wrapper on the run page and in golive status; state and trail keep it", async () => {
    const as = apiAs(stack().app, 'rm');
    const started = await as<{ runId: string }>('POST', '/api/runs', {
      runbook: 'cli-errors',
      system: `cli-errors-${Date.now().toString(36)}`,
      collaborationMode: 2,
      params: { target: recorder.url },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const runId = started.body.runId;
    const state = await eventually(async () => {
      const s = (await as<RunStateView>('GET', `/api/runs/${runId}`)).body;
      return s.status === 'rollback-incomplete' ? s : undefined;
    }, 'the run to end with its undo failed');

    // As recorded: the state (and so --json and the API) keeps Temporal's words.
    const failedStep = state.steps.find((s) => s.id === 'deploy-b')?.error ?? '';
    const failedUndo = state.compensations.find((c) => c.stepId === 'deploy-a')?.error ?? '';
    expect(failedStep).toMatch(new RegExp(`^${WRAPPER}: `));
    expect(failedUndo).toMatch(new RegExp(`^${WRAPPER}: `));
    const ownWords = (e: string) => e.replace(/^(Activity task failed: )+/, '');

    // The run page: the step's and the undo's errors by the actions' own words.
    const page = (await as<string>('GET', `/runs/${runId}`, undefined, { accept: 'text/html' })).body;
    expect(page).not.toContain(WRAPPER);
    expect(page).toContain(`<p class="error">${ownWords(failedStep)}</p>`);
    expect(page).toContain(`<span class="error">${ownWords(failedUndo)}</span>`);

    // golive status: the DETAIL column too.
    const status = await stack().cli(['status', runId], { as: 'rm' });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).not.toContain(WRAPPER);
    expect(status.stdout).toMatch(new RegExp(`deploy-b .*${escape(ownWords(failedStep).slice(0, 40))}`));
    expect(status.stdout).toMatch(new RegExp(`deploy-a .*${escape(ownWords(failedUndo).slice(0, 40))}`));
    // --json is the state as the API gives it.
    const json = await stack().cli(['status', runId, '--json'], { as: 'rm' });
    expect(JSON.parse(json.stdout).steps.find((s: { id: string }) => s.id === 'deploy-b').error).toBe(failedStep);

    // The trail, hashed, keeps the words it recorded.
    const trail = await stack().cli(['history', runId, '--json'], { as: 'rm' });
    expect(trail.code, trail.stderr).toBe(0);
    expect(trail.stdout).toContain(WRAPPER);
  });
});

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
