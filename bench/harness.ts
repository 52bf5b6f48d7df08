import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * The one way the benchmarks here measure. These machines are shared and noisy, so no absolute
 * number is the result: each comparison warms both sides up, sizes a round to about ROUND_MS,
 * then runs baseline and candidate rounds alternately (which goes first swaps every round) and
 * reports the median of the per-round candidate/baseline ratios. A noisy neighbour then slows
 * both halves of a pair alike. Times per operation are printed for orientation only.
 *
 * BENCH_ROUNDS and BENCH_ROUND_MS override the defaults (5 rounds of ~60 ms per side).
 */

const ROUNDS = positive(process.env.BENCH_ROUNDS, 5);
const ROUND_MS = positive(process.env.BENCH_ROUND_MS, 60);

function positive(text: string | undefined, fallback: number): number {
  const n = Number(text);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/** One operation; a returned promise is awaited. */
export type Work = () => unknown;

export interface Side {
  label: string;
  run: Work;
}

export interface Comparison {
  /** What is measured, e.g. "view() @ 1 000 records". */
  what: string;
  baseline: Side;
  candidate: Side;
  /** Shown with the row, e.g. the heap a state of this size holds. */
  memory?: string;
}

export interface Row {
  bench: string;
  what: string;
  baseline: string;
  candidate: string;
  /** Median ms per operation over the rounds. */
  baselineMs: number;
  candidateMs: number;
  /** Median of the per-round candidate/baseline ratios, and their range. */
  ratio: number;
  low: number;
  high: number;
  memory?: string;
}

/** Keeps results alive so the JIT cannot drop the work that made them. */
export let sink: unknown;

async function timeOf(work: Work, iterations: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < iterations; i++) {
    const result = work();
    sink = result instanceof Promise ? await result : result;
  }
  return (performance.now() - start) / iterations;
}

/** Iterations for a round of about ROUND_MS; growing towards it is also the warm-up. */
async function calibrate(work: Work): Promise<number> {
  for (let n = 1; ; n *= 4) {
    const total = (await timeOf(work, n)) * n;
    if (total >= ROUND_MS / 4) return Math.max(1, Math.round((n * ROUND_MS) / total));
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function compare(bench: string, c: Comparison): Promise<Row> {
  const sides = [c.baseline, c.candidate] as const;
  const counts = [await calibrate(c.baseline.run), await calibrate(c.candidate.run)] as const;
  for (const [i, side] of sides.entries()) await timeOf(side.run, counts[i]!);
  const times: [number[], number[]] = [[], []];
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? [0, 1] : [1, 0];
    const ms: number[] = [];
    for (const i of order) ms[i] = await timeOf(sides[i]!.run, counts[i]!);
    times[0].push(ms[0]!);
    times[1].push(ms[1]!);
    ratios.push(ms[1]! / ms[0]!);
  }
  const row: Row = {
    bench,
    what: c.what,
    baseline: c.baseline.label,
    candidate: c.candidate.label,
    baselineMs: median(times[0]),
    candidateMs: median(times[1]),
    ratio: median(ratios),
    low: Math.min(...ratios),
    high: Math.max(...ratios),
    ...(c.memory !== undefined ? { memory: c.memory } : {}),
  };
  console.log(formatRow(row));
  return row;
}

/** The comparisons one after another (never in parallel: they would time each other). */
export async function compareAll(bench: string, comparisons: readonly Comparison[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (const c of comparisons) rows.push(await compare(bench, c));
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Memory

let collector: (() => void) | undefined;

/** A full GC, with or without --expose-gc (the flag can be set at run time, then read from a fresh context). */
export function gc(): void {
  if (!collector) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (exposed) collector = exposed;
    else {
      setFlagsFromString('--expose-gc');
      collector = runInNewContext('gc') as () => void;
    }
  }
  collector();
  collector();
}

export interface MemoryDelta<T> {
  value: T;
  heapBytes: number;
  rssBytes: number;
}

/** Heap and RSS still held after `make` (GC before and after), with what it made kept alive. */
export async function retained<T>(make: () => T | Promise<T>): Promise<MemoryDelta<T>> {
  gc();
  const before = process.memoryUsage();
  const value = await make();
  gc();
  const after = process.memoryUsage();
  return { value, heapBytes: after.heapUsed - before.heapUsed, rssBytes: after.rss - before.rss };
}

export function mb(bytes: number): string {
  return `${bytes >= 0 ? '+' : ''}${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

// ---------------------------------------------------------------------------------------------
// Output

function ms(value: number): string {
  return value >= 100
    ? `${value.toFixed(0)} ms`
    : value >= 1
      ? `${value.toFixed(2)} ms`
      : `${(value * 1000).toFixed(2)} µs`;
}

function perSecond(msPerOp: number): string {
  const ops = 1000 / msPerOp;
  return ops >= 1e6
    ? `${(ops / 1e6).toFixed(2)}M/s`
    : ops >= 1e3
      ? `${(ops / 1e3).toFixed(1)}k/s`
      : `${ops.toFixed(1)}/s`;
}

export function ratio(value: number): string {
  return value >= 100
    ? `${value.toFixed(0)}×`
    : value >= 10
      ? `${value.toFixed(1)}×`
      : value >= 0.1
        ? `${value.toFixed(2)}×`
        : `${value.toPrecision(2)}×`;
}

function formatRow(r: Row): string {
  return (
    `[${r.bench}] ${r.what}\n` +
    `    baseline  ${r.baseline}: ${ms(r.baselineMs)} (${perSecond(r.baselineMs)})\n` +
    `    candidate ${r.candidate}: ${ms(r.candidateMs)} (${perSecond(r.candidateMs)})\n` +
    `    RATIO ${ratio(r.ratio)} (rounds ${ratio(r.low)}–${ratio(r.high)})${r.memory ? `   memory: ${r.memory}` : ''}`
  );
}

/** The summary: one line per comparison, columns aligned. */
export function formatTable(rows: readonly Row[]): string {
  const header = ['bench', 'what', 'candidate / baseline', 'ratio', 'rounds', 'memory'];
  const lines = rows.map((r) => [
    r.bench,
    r.what,
    `${r.candidate} / ${r.baseline}`,
    ratio(r.ratio),
    `${ratio(r.low)}–${ratio(r.high)}`,
    r.memory ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const pad = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [pad(header), pad(widths.map((w) => '-'.repeat(w))), ...lines.map(pad)].join('\n');
}

/** What each bench/*.bench.ts exports. */
export interface Bench {
  name: string;
  run(): Promise<Row[]>;
}
