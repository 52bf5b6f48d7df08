import { median } from '../harness';

/** Small statistics for the end-to-end benchmark: percentiles, per-round ratios, their spread. */

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** A ratio measured once per round: its median and range over the rounds. */
export interface RatioStat {
  median: number;
  low: number;
  high: number;
}

export function ratioStat(ratios: readonly number[]): RatioStat {
  return { median: median(ratios), low: Math.min(...ratios), high: Math.max(...ratios) };
}

/** Runs `tasks` with at most `limit` in flight, results in order. */
export async function limited<T>(count: number, limit: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, lane));
  return results;
}

/** The order of `items` for round `r`: rotated each round, so no side always goes first. */
export function rotated<T>(items: readonly T[], round: number): T[] {
  const k = round % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}
