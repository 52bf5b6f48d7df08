import { median } from '../harness';
import { driveRun, newErrors, type Errors, type Way } from './drivers';
import { ratioGoal, seconds, type Goal } from './goals';
import { CpuShare } from './cpuShare';
import { PhaseTimes } from './phaseTimes';
import { ratioStat, rotated } from './stats';
import type { Stack } from './stack';

/**
 * N runs at once on each side, first start → last close, in rounds whose order rotates so every
 * way goes first as often as the others. Ratios are golive / bare per round.
 */

export interface ConcurrencyOptions {
  n: number;
  rounds: number;
  pollMs: number;
  log: (line: string) => void;
}

async function batch(
  stack: Stack,
  way: Way,
  tag: string,
  o: ConcurrencyOptions,
  errors: Errors,
): Promise<{ ms: number; runIds: string[] }> {
  const t0 = performance.now();
  const runIds = await Promise.all(
    Array.from({ length: o.n }, (_, i) => driveRun(way, stack, `${tag}-${i}`, o.pollMs, errors)),
  );
  return { ms: performance.now() - t0, runIds };
}

/** History events of a run (median of a few of the last round's): what each side writes to Temporal. */
async function eventsPerRun(stack: Stack, runIds: readonly string[]): Promise<number> {
  const counts = await Promise.all(
    runIds
      .slice(0, 5)
      .map(async (id) => (await stack.client.workflow.getHandle(id).fetchHistory()).events?.length ?? 0),
  );
  return median(counts);
}

export async function concurrency(
  stack: Stack,
  ways: { http: Way; client: Way; bare: Way },
  o: ConcurrencyOptions,
): Promise<Goal[]> {
  const sides = [ways.http, ways.client, ways.bare];
  const times = new Map<Way, number[]>(sides.map((w) => [w, []]));
  const errors = new Map<Way, Errors>(sides.map((w) => [w, newErrors()]));
  const lastRuns = new Map<Way, string[]>();
  const phases = new Map<Way, PhaseTimes>(sides.map((w) => [w, new PhaseTimes()]));
  const cpu = new CpuShare(stack.processes);
  for (let round = 0; round < o.rounds; round++) {
    for (const way of rotated(sides, round)) {
      const timedWay = phases.get(way)!.timed(way);
      const tag = `n${o.n}-r${round}-${sides.indexOf(way)}`;
      const { ms, runIds } = await cpu.measure(way.label, o.n, () => batch(stack, timedWay, tag, o, errors.get(way)!));
      times.get(way)!.push(ms);
      lastRuns.set(way, runIds);
      o.log(`  N=${o.n} round ${round + 1}/${o.rounds}: ${way.label} ${seconds(ms)}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  for (const way of sides) o.log(`  N=${o.n} ${way.label}, each call: ${phases.get(way)!.summary()}`);
  for (const way of sides) o.log(`  N=${o.n} ${way.label}, ${cpu.summary(way.label)}`);
  const ratios = (way: Way) => times.get(way)!.map((t, i) => t / times.get(ways.bare)![i]!);
  const errorText = (way: Way) => {
    const e = errors.get(way)!;
    return e.count === 0 ? '0 errors' : `${e.count} errors, e.g. ${e.samples.join(' | ')}`;
  };
  const bareTime = seconds(median(times.get(ways.bare)!));
  const http = ratioGoal(
    `${o.n} concurrent runs, HTTP API`,
    seconds(median(times.get(ways.http)!)),
    bareTime,
    ratioStat(ratios(ways.http)),
    1.15,
    `HTTP ${errorText(ways.http)}; bare ${errorText(ways.bare)}`,
  );
  // The goal asks for the time and for no error on the way (a timeout surfacing as a 500 is one).
  http.target = '≤ 1.15×, 0 errors';
  http.met = http.met === true && errors.get(ways.http)!.count === 0;
  const events = new Map(
    await Promise.all(sides.map(async (w) => [w, await eventsPerRun(stack, lastRuns.get(w) ?? [])] as const)),
  );
  const bareEvents = events.get(ways.bare)!;
  return [
    http,
    ratioGoal(
      'history events per run, HTTP API',
      String(events.get(ways.http)),
      String(bareEvents),
      ratioStat([events.get(ways.http)! / bareEvents]),
      undefined,
      `Temporal client: ${events.get(ways.client)} events`,
    ),
    ratioGoal(
      `${o.n} concurrent runs, Temporal client`,
      seconds(median(times.get(ways.client)!)),
      bareTime,
      ratioStat(ratios(ways.client)),
      undefined,
      errorText(ways.client),
    ),
  ];
}
