import { ratio as formatRatio } from '../harness';
import type { RatioStat } from './stats';

/**
 * One line of the end-to-end benchmark's verdict: what was measured on each side, the ratio
 * golive / bare (median of the rounds, with their range), and the target next to it.
 */
export interface Goal {
  measure: string;
  golive: string;
  bare: string;
  ratio?: RatioStat;
  /** e.g. "≤ 1.15×"; absent: shown for orientation only. */
  target?: string;
  met?: boolean;
  note?: string;
}

/** A ratio goal: met when the median is within `max`. */
export function ratioGoal(
  measure: string,
  golive: string,
  bare: string,
  ratio: RatioStat,
  max: number | undefined,
  note?: string,
): Goal {
  return {
    measure,
    golive,
    bare,
    ratio,
    ...(max !== undefined ? { target: `≤ ${max}×`, met: ratio.median <= max } : {}),
    ...(note ? { note } : {}),
  };
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
export const millis = (ms: number) => `${ms.toFixed(1)} ms`;

export function formatGoals(goals: readonly Goal[]): string {
  const header = ['measure', 'golive', 'bare', 'golive / bare (rounds)', 'target', 'met'];
  const rows = goals.map((g) => [
    g.measure,
    g.golive,
    g.bare,
    g.ratio ? `${formatRatio(g.ratio.median)} (${formatRatio(g.ratio.low)}–${formatRatio(g.ratio.high)})` : '',
    g.target ?? '–',
    g.met === undefined ? '' : g.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const notes = goals.filter((g) => g.note).map((g) => `  ${g.measure}: ${g.note}`);
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    ...(notes.length ? ['', ...notes] : []),
  ].join('\n');
}
