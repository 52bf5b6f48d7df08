import type { Way } from './drivers';
import { percentile } from './stats';

/**
 * How long each call of a way took (start, a look whether an approval waits, a decision),
 * so the concurrency measure says where a side's time went, not only how much there was:
 * at 50 runs at once, golive's HTTP start (its target lock's first task) was most of the gap.
 */
export type Phase = 'start' | 'look' | 'decide';

export class PhaseTimes {
  private readonly ms: Record<Phase, number[]> = { start: [], look: [], decide: [] };

  /** The same way, each call timed (failures too: a refused call costs its time). */
  timed(way: Way): Way {
    const time =
      <A extends unknown[], R>(phase: Phase, call: (...a: A) => Promise<R>) =>
      async (...a: A): Promise<R> => {
        const t0 = performance.now();
        try {
          return await call(...a);
        } finally {
          this.ms[phase].push(performance.now() - t0);
        }
      };
    return {
      label: way.label,
      start: time('start', way.start),
      waiting: time('look', way.waiting),
      approve: time('decide', way.approve),
    };
  }

  /** `start p50 120 ms, max 480 · look …`, over every call of every round. */
  summary(): string {
    return (Object.keys(this.ms) as Phase[])
      .map((p) => {
        const v = this.ms[p];
        return `${p} p50 ${percentile(v, 50).toFixed(0)} ms, p90 ${percentile(v, 90).toFixed(0)}, max ${Math.max(...v).toFixed(0)} (${v.length})`;
      })
      .join(' · ');
  }
}
