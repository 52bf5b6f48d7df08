import type { Bench, Row } from './harness';
import { concurrency } from './e2e/concurrency';
import { decisions } from './e2e/decisions';
import { bareClient, goliveClient, goliveHttp, shapeRunbook } from './e2e/drivers';
import { formatGoals, type Goal } from './e2e/goals';
import { memory } from './e2e/memory';
import { startStack } from './e2e/stack';
import { trail } from './e2e/trail';

/**
 * `npm run bench -- e2e`: golive end to end against a bare Temporal workflow of the same shape,
 * on one Temporal dev server, each side in its own worker process (bench/e2e/stack.ts). Prints
 * every goal of issue 16 with its target. A few minutes by default; scale it with:
 *   E2E_N=50,200          concurrent runs per batch (one measure per value)
 *   E2E_ROUNDS=3          rounds of the concurrency measure (each way once per round)
 *   E2E_POLL_MS=500       longest pause between a driver's looks whether an approval waits
 *   E2E_DECISIONS=150     decisions timed per side; E2E_DECISION_ROUNDS=5
 *   E2E_TRAIL_EVENTS=20000 history events of the long run; E2E_TRAIL_ROUNDS=5
 *   E2E_OPEN_RUNS=1000    open runs for memory per run
 *   E2E_ONLY=concurrency,decisions,trail,memory   a subset of the measures
 *   E2E_CPU_PROF=<folder>  golive's web and worker write CPU profiles there (bench/e2e/profile.ts reads them)
 */

const num = (name: string, fallback: number) => {
  const n = Number(process.env[name]);
  return Number.isFinite(n) && n > 0 ? n : fallback;
};

const log = (line: string) => console.log(line);

export const bench: Bench = {
  name: 'e2e',
  async run() {
    const only = (process.env.E2E_ONLY ?? 'concurrency,decisions,trail,memory').split(',');
    const sizes = (process.env.E2E_N ?? '50,200')
      .split(',')
      .map(Number)
      .filter((n) => n > 0);
    const pollMs = num('E2E_POLL_MS', 500);
    const openRuns = num('E2E_OPEN_RUNS', 1000);
    const stack = await startStack({ maxCachedWorkflows: openRuns + 500, log });
    const goals: Goal[] = [];
    try {
      const ways = {
        http: goliveHttp(stack),
        client: goliveClient(stack, await shapeRunbook()),
        bare: bareClient(stack),
      };
      if (only.includes('concurrency')) {
        for (const n of sizes) {
          log(`[e2e] ${n} concurrent runs per way, ${num('E2E_ROUNDS', 3)} rounds`);
          goals.push(...(await concurrency(stack, ways, { n, rounds: num('E2E_ROUNDS', 3), pollMs, log })));
        }
      }
      if (only.includes('decisions')) {
        log('[e2e] one decision at a time');
        goals.push(
          ...(await decisions(stack, ways, {
            count: num('E2E_DECISIONS', 150),
            rounds: num('E2E_DECISION_ROUNDS', 5),
            pollMs,
            log,
          })),
        );
      }
      if (only.includes('trail')) {
        log('[e2e] audit trail and dossier of a long run');
        goals.push(
          ...(await trail(stack, { events: num('E2E_TRAIL_EVENTS', 20_000), rounds: num('E2E_TRAIL_ROUNDS', 5), log })),
        );
      }
      if (only.includes('memory')) {
        log(`[e2e] memory per open run (${openRuns} per side)`);
        goals.push(
          ...(await memory(
            stack,
            { golive: ways.client, bare: ways.bare },
            { count: openRuns, pollMs: Math.max(pollMs, 500), log },
          )),
        );
      }
    } finally {
      await stack.stop();
    }
    console.log(
      `\n[e2e] golive against bare Temporal (ratios: median of the rounds, range in brackets)\n${formatGoals(goals)}\n`,
    );
    return goals
      .filter((g) => g.ratio)
      .map((g): Row => ({
        bench: 'e2e',
        what: g.measure,
        baseline: 'bare',
        candidate: 'golive',
        baselineMs: NaN,
        candidateMs: NaN,
        ratio: g.ratio!.median,
        low: g.ratio!.low,
        high: g.ratio!.high,
      }));
  },
};
