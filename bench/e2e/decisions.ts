import { randomUUID } from 'node:crypto';
import { APPROVALS, newErrors, untilWaiting, type Way } from './drivers';
import { millis, ratioGoal, type Goal } from './goals';
import { limited, percentile, ratioStat, rotated } from './stats';
import type { Stack } from './stack';

/**
 * One decision at a time, each side in turn: the first approval of a run that waits for it,
 * timed from the request to its answer (the step completed). Every side has its own runs, all
 * waiting before the clock starts, so only the decision is timed.
 */

export interface DecisionOptions {
  /** Decisions per side. */
  count: number;
  rounds: number;
  pollMs: number;
  log: (line: string) => void;
}

async function waitingRuns(stack: Stack, way: Way, count: number, o: DecisionOptions): Promise<string[]> {
  const errors = newErrors();
  const runs = await limited(count, 16, (i) => way.start(`decide-${i}-${randomUUID().slice(0, 6)}`));
  await limited(runs.length, 16, (i) => untilWaiting(way, runs[i]!, APPROVALS[0].stepId, o.pollMs, errors));
  if (errors.count) o.log(`  ${errors.count} errors while preparing ${way.label} runs: ${errors.samples.join(' | ')}`);
  return runs;
}

async function timed(act: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await act();
  return performance.now() - t0;
}

export async function decisions(
  stack: Stack,
  ways: { http: Way; client: Way; bare: Way },
  o: DecisionOptions,
): Promise<Goal[]> {
  const sides = [ways.http, ways.client, ways.bare];
  const runs = new Map<Way, string[]>();
  for (const way of sides) runs.set(way, await waitingRuns(stack, way, o.count, o));
  const samples = new Map<Way, number[][]>(sides.map((w) => [w, []]));
  const perRound = Math.ceil(o.count / o.rounds);
  for (let round = 0; round < o.rounds; round++) {
    for (const way of sides) samples.get(way)!.push([]);
    for (let j = round * perRound; j < Math.min(o.count, (round + 1) * perRound); j++) {
      for (const way of rotated(sides, j)) {
        const ms = await timed(() => way.approve(runs.get(way)![j]!, APPROVALS[0], randomUUID()));
        samples.get(way)![round]!.push(ms);
      }
    }
    o.log(
      `  decisions round ${round + 1}/${o.rounds}: p50 ${sides.map((w) => `${w.label} ${millis(percentile(samples.get(w)![round]!, 50))}`).join(', ')}`,
    );
  }
  await Promise.all(
    sides.flatMap((w) => runs.get(w)!.map((id) => stack.client.workflow.getHandle(id).terminate('benchmark done'))),
  );
  const all = (w: Way) => samples.get(w)!.flat();
  const goal = (p: number, way: Way, max: number | undefined) =>
    ratioGoal(
      `one decision p${p}, ${way === ways.http ? 'HTTP API' : 'Temporal client'} vs bare executeUpdate`,
      millis(percentile(all(way), p)),
      millis(percentile(all(ways.bare), p)),
      ratioStat(samples.get(way)!.map((s, r) => percentile(s, p) / percentile(samples.get(ways.bare)![r]!, p))),
      max,
    );
  // The web server's own share: the same decision through the HTTP API vs straight through the client.
  const webShare = (p: number) =>
    ratioGoal(
      `one decision p${p}, HTTP API vs Temporal client (the web server's share)`,
      millis(percentile(all(ways.http), p)),
      millis(percentile(all(ways.client), p)),
      ratioStat(samples.get(ways.http)!.map((s, r) => percentile(s, p) / percentile(samples.get(ways.client)![r]!, p))),
      undefined,
    );
  return [
    goal(50, ways.http, 1.3),
    goal(99, ways.http, 1.3),
    goal(50, ways.client, undefined),
    goal(99, ways.client, undefined),
    webShare(50),
    webShare(99),
  ];
}
