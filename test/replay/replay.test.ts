import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import {
  bundleWorkflowCode,
  DefaultLogger,
  Runtime,
  Worker,
  type ReplayResult,
  type WorkflowBundle,
} from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { defaultPayloadConverter } from '@temporalio/common';
import type { InjectedSinks } from '@temporalio/worker';
import type { RunStateView } from '../../src/contract/definitions';
import { CONTROL_CHARACTERS_MESSAGE } from '../../src/contract/freeText';
import { NOT_IN_HYPERCARE_YET, REPORTS_IN_HYPERCARE } from '../../src/contract/policy';
import { WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH } from '../../src/worker';
import type { ResultSinks } from './variants/resultCapture';

/**
 * Replay: the committed histories of real runs (test/fixtures/histories, recorded with
 * `npm run record-histories`) must replay against today's workflow code. A change that in-flight
 * runs would replay differently fails here unless it is behind patched().
 */
const HISTORIES = path.resolve(__dirname, '../fixtures/histories');
// bench-shape-fewer-events.json: the end-to-end benchmark's shape (bench/e2e/runbooks/bench-shape.yaml,
// no notification channel) taken live on the code just before `golive-deadline-alarm`: the
// `golive-fewer-events` marker and a timer per approval's wait, cancelled by each decision.
// Recorded once by hand (not a scenario of `npm run record-histories`), like the lock histories.
/**
 * Target-lock histories (workflows/targetLock.ts): one granted and one refused claim, then the
 * run terminated, recorded before `golive-lock-early-answer` (the claim answered after the child
 * started) and after it.
 */
const LOCK_HISTORIES = path.resolve(__dirname, '../fixtures/lock-histories');
/**
 * Runs whose record (not only their commands) must replay as it was: a Red Button report Signal
 * refused before hypercare, recorded as `RunClosed` on the code before `golive-not-in-hypercare`
 * (one approval, then hypercare; the Signal sent while the approval waited, then the line
 * stopped); and one from someone not involved, recorded as `NotInHypercare` on the code before
 * `golive-report-authority-first` (the same runbook; the approval then rejected); and a stop and a
 * report Signal from someone not involved, sent while the run rolled back (a go-live webhook whose
 * undo answers slowly, stopped in hypercare), recorded as `RunClosed` on the code before
 * `golive-authority-before-state`. Recorded once by hand, like the lock histories.
 */
const SIGNAL_HISTORIES = path.resolve(__dirname, '../fixtures/signal-histories');
/**
 * A run recorded before `golive-plain-text-full` (one approval): an approve Signal with a NUL in
 * its comment, refused under `golive-plain-text`; then one with a C1 control character and a lone
 * surrogate in its comment and a BEL in the actor's name, which that rule took and which
 * approved the step. Recorded once by hand, like the lock histories.
 */
const PLAIN_TEXT_HISTORIES = path.resolve(__dirname, '../fixtures/plain-text-histories');

/** The parts of a recorded history (JSON) that carry an accepted Update's input. */
interface RecordedHistory {
  events: {
    workflowExecutionUpdateAcceptedEventAttributes?: {
      acceptedRequest: { input: { args: { payloads: { data: string }[] } } };
    };
  }[];
}

function histories(dir = HISTORIES) {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({
      workflowId: f.replace(/\.json$/, ''),
      history: historyFromJSON(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'))),
    }));
}

async function replayAll(
  workflowBundle: WorkflowBundle | { codePath: string },
  dir = HISTORIES,
): Promise<ReplayResult[]> {
  const results: ReplayResult[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle }, histories(dir))) results.push(result);
  return results;
}

const quiet = { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} };

/** Today's workflows with the result-capturing interceptor (variants/resultCapture.ts), built once. */
let capturing: Promise<WorkflowBundle> | undefined;
const resultCapturing = () =>
  (capturing ??= bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: [...WORKFLOW_INTERCEPTOR_MODULES, path.join(__dirname, 'variants/resultCapture.ts')],
    logger: quiet,
  }));

/** The record a recorded run returned. */
function recordedResult(history: ReturnType<typeof historyFromJSON>): RunStateView {
  const completed = history.events?.at(-1)?.workflowExecutionCompletedEventAttributes;
  return defaultPayloadConverter.fromPayload<RunStateView>(completed!.result!.payloads![0]!);
}

/** The record a replay of `history` on today's code rebuilds (replay fails on a command it would not send). */
async function replayedRecord(
  workflowBundle: WorkflowBundle,
  history: ReturnType<typeof historyFromJSON>,
  workflowId: string,
): Promise<RunStateView> {
  const results: unknown[] = [];
  const sinks: InjectedSinks<ResultSinks> = {
    replayed: { result: { fn: (_info, value) => void results.push(value), callDuringReplay: true } },
  };
  await Worker.runReplayHistory({ workflowBundle, sinks }, history, workflowId);
  expect(results, workflowId).toHaveLength(1);
  return results[0] as RunStateView;
}

describe('replay of recorded histories', () => {
  beforeAll(() => {
    try {
      Runtime.install({ logger: new DefaultLogger('ERROR') });
    } catch {
      /* installed already in this process */
    }
  });

  it('has histories of the default runbook to replay', () => {
    expect(
      histories()
        .map((h) => h.workflowId)
        .sort(),
    ).toEqual([
      'bench-shape-fewer-events',
      'default-runbook-gate4-rejected',
      'default-runbook-live',
      'hypercare-report-flood',
    ]);
  });

  it('replays every recorded history against the current workflow code', async () => {
    const results = await replayAll({ codePath: inject('workflowBundlePath') });
    expect(results).toHaveLength(4);
    for (const r of results) expect(r.error, `${r.workflowId}: ${String(r.error)}`).toBeUndefined();
  });

  it('replays messages that an older validator let in with control characters in their text', async () => {
    // Before golive refused control characters in free text, a comment or a document name could hold them.
    const json = JSON.parse(
      fs.readFileSync(path.join(HISTORIES, 'default-runbook-gate4-rejected.json'), 'utf8'),
    ) as RecordedHistory;
    let edited = 0;
    for (const e of json.events) {
      const payload = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest.input.args.payloads[0];
      if (!payload) continue;
      const message = JSON.parse(Buffer.from(payload.data, 'base64').toString('utf8')) as {
        comment?: string;
        value?: { name?: string };
      };
      if (message.comment) message.comment += '\u0000';
      else if (typeof message.value?.name === 'string') message.value.name += '\u001b[2J';
      else continue;
      payload.data = Buffer.from(JSON.stringify(message)).toString('base64');
      edited++;
    }
    expect(edited).toBeGreaterThan(5);
    const results: ReplayResult[] = [];
    const older = [{ workflowId: 'control-characters', history: historyFromJSON(json) }];
    for await (const r of Worker.runReplayHistories(
      { workflowBundle: { codePath: inject('workflowBundlePath') } },
      older,
    ))
      results.push(r);
    expect(results[0]?.error, String(results[0]?.error)).toBeUndefined();
  });

  it('replays target-lock histories from before and after the lock answered claims early', async () => {
    const results = await replayAll({ codePath: inject('workflowBundlePath') }, LOCK_HISTORIES);
    expect(results.map((r) => r.workflowId).sort()).toEqual([
      'target-lock-before-early-answer',
      'target-lock-early-answer',
    ]);
    for (const r of results) expect(r.error, `${r.workflowId}: ${String(r.error)}`).toBeUndefined();
  });

  it(
    'rebuilds the refusals a recorded run kept for a report Signal before hypercare, and for Signals while it rolled back',
    { timeout: 120_000 },
    async () => {
      const workflowBundle = await resultCapturing();
      // Today's code refuses the first as NotInHypercare, the second (an outsider) as NotAuthorized;
      // each recorded run keeps what it recorded.
      // The third: an outsider's stop and report Signals while the run rolled back, RunClosed on the
      // code before `golive-authority-before-state` (today: NotAuthorized, authority first).
      const recordedAs: Record<string, { signal: string; type: string; reason: string }[]> = {
        'line-signals-outsider-while-rolling-back': [
          {
            signal: 'stopLine',
            type: 'RunClosed',
            reason: 'the run is not taking messages: it has ended or is rolling back',
          },
          { signal: 'reportError', type: 'RunClosed', reason: REPORTS_IN_HYPERCARE },
        ],
        'report-signal-before-hypercare': [{ signal: 'reportError', type: 'RunClosed', reason: REPORTS_IN_HYPERCARE }],
        'report-signal-outsider-before-hypercare': [
          { signal: 'reportError', type: 'NotInHypercare', reason: NOT_IN_HYPERCARE_YET },
        ],
      };
      const recorded = histories(SIGNAL_HISTORIES);
      expect(recorded.map((r) => r.workflowId).sort()).toEqual(Object.keys(recordedAs));
      for (const { workflowId, history } of recorded) {
        const before = recordedResult(history);
        expect(before.refusedSignals).toEqual(recordedAs[workflowId]!.map((r) => expect.objectContaining(r)));
        const replayed = await replayedRecord(workflowBundle, history, workflowId);
        expect(replayed.refusedSignals, workflowId).toEqual(before.refusedSignals);
      }
    },
  );

  it(
    'takes the free text of a recorded Signal as the rule of its day did, refusing only what it refused',
    { timeout: 120_000 },
    async () => {
      const workflowBundle = await resultCapturing();
      const recorded = histories(PLAIN_TEXT_HISTORIES);
      expect(recorded.map((r) => r.workflowId)).toEqual(['signal-text-before-full-rule']);
      const { workflowId, history } = recorded[0]!;
      const before = recordedResult(history);
      expect(before.status).toBe('live');
      expect(before.refusedSignals).toEqual([
        expect.objectContaining({ reason: `comment: ${CONTROL_CHARACTERS_MESSAGE}` }),
      ]);
      expect(before.decisions[0]).toMatchObject({
        actor: { name: 'Gina\u0007' },
        comment: 'C1 \u009b and a lone \ud800',
      });
      // Today's rule refuses all three; the recorded run approved with them and must replay so.
      const replayed = await replayedRecord(workflowBundle, history, workflowId);
      expect(replayed.refusedSignals).toEqual(before.refusedSignals);
      expect(replayed.decisions).toEqual(before.decisions);
      expect(replayed.status).toBe('live');
    },
  );

  it('fails when the workflow changes without patched(), and passes with it', { timeout: 120_000 }, async () => {
    const unpatched = await bundleWorkflowCode({
      workflowsPath: path.join(__dirname, 'variants/unpatchedChange.ts'),
      logger: quiet,
    });
    const broken = await replayAll(unpatched);
    expect(broken).toHaveLength(4);
    for (const r of broken) expect(r.error).toBeInstanceOf(DeterminismViolationError);

    const patched = await bundleWorkflowCode({
      workflowsPath: path.join(__dirname, 'variants/patchedChange.ts'),
      logger: quiet,
    });
    for (const r of await replayAll(patched)) expect(r.error, `${r.workflowId}: ${String(r.error)}`).toBeUndefined();
  });
});
