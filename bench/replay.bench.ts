import fs from 'node:fs';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundle } from '@temporalio/worker';
import { compareAll, gc, mb, type Bench } from './harness';
import { repoPath } from './fixtures';

/**
 * Replaying the committed history of the default runbook going live (what a worker does to bring
 * a run back into its cache: after a restart, an eviction, or a query on an uncached run).
 *
 * Baseline: the same history cut after its first WorkflowTaskStarted (events 1–3), i.e. a run
 * that has just started and is on its first task. Replaying that pays everything a replay pays
 * whatever the run's length — a replay worker, a workflow context, the bundle, decoding the
 * input, one activation — and nothing else, so the ratio is how much the run's own ~250 events
 * add to that fixed cost. (A separately recorded trivial workflow would differ in bundle and
 * input too; a cut anywhere later must end on a task boundary and still replay, which the first
 * task does by construction.)
 */
const HISTORY = 'test/fixtures/histories/default-runbook-live.json';

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} };

export const bench: Bench = {
  name: 'replay',
  async run() {
    try {
      Runtime.install({ logger: new DefaultLogger('ERROR') });
    } catch {
      /* installed already in this process */
    }
    const json = JSON.parse(fs.readFileSync(repoPath(HISTORY), 'utf8')) as { events: { eventType: string }[] };
    const firstTask = json.events.findIndex((e) => e.eventType === 'EVENT_TYPE_WORKFLOW_TASK_STARTED') + 1;
    const full = historyFromJSON(json);
    const start = historyFromJSON({ ...json, events: json.events.slice(0, firstTask) });

    const workflowBundle: WorkflowBundle = await bundleWorkflowCode({
      workflowsPath: repoPath('workflows/index.ts'),
      logger: quiet,
    });
    // One replay worker per replay, as Worker.runReplayHistory does (the baseline pays it too).
    let replays = 0;
    const replay = (history: typeof full) => async () => {
      replays++;
      await Worker.runReplayHistory({ workflowBundle }, history, 'bench-replay');
    };
    await replay(full)(); // throws if the history no longer replays: a wrong number is worse than none

    gc();
    const before = process.memoryUsage();
    const rows = await compareAll('replay', [
      {
        what: `replay ${HISTORY.split('/').at(-1)} (${json.events.length} events)`,
        baseline: { label: `first task (${firstTask} events)`, run: replay(start) },
        candidate: { label: 'whole history', run: replay(full) },
      },
    ]);
    gc();
    const after = process.memoryUsage();
    // External memory is watched too: each replay worker compiles its own copy of the bundle.
    const delta = (key: 'heapUsed' | 'external' | 'rss') => mb(after[key] - before[key]);
    const memory = `after ${replays} replays: heap ${delta('heapUsed')}, external ${delta('external')}, RSS ${delta('rss')}`;
    console.log(`    memory ${memory}`);
    return rows.map((row) => ({ ...row, memory }));
  },
};
