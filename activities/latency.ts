import { build, type Histogram } from 'hdr-histogram-js';
import type { LatencyHistogram } from '../src/contract/schemas/actions/common';

/** Bucket upper bounds (ms): log-spaced so 1 ms and 10 s both read sensibly in a dossier. */
const bounds = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 30_000] as const;

/**
 * HdrHistogram for exact-enough percentiles (3 significant digits) plus fixed buckets for the
 * evidence, which must stay small: thousands of samples become ~15 numbers.
 */
export class LatencyRecorder {
  private readonly hdr: Histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
  });
  private readonly counts: number[] = new Array<number>(bounds.length + 1).fill(0);

  record(ms: number): void {
    // Microseconds: the histogram stores integers and sub-millisecond loopback latencies matter.
    this.hdr.recordValue(Math.max(1, Math.round(ms * 1_000)));
    const i = bounds.findIndex((b) => ms <= b);
    const slot = i === -1 ? bounds.length : i;
    this.counts[slot] = (this.counts[slot] ?? 0) + 1;
  }

  get count(): number {
    return this.hdr.totalCount;
  }

  percentile(p: number): number {
    return this.hdr.totalCount === 0 ? 0 : ms(this.hdr.getValueAtPercentile(p));
  }

  summary(): LatencyHistogram {
    const empty = this.hdr.totalCount === 0;
    return {
      unit: 'ms',
      buckets: this.counts.map((count, i) => ({ le: bounds[i] ?? '+Inf', count })),
      min: empty ? 0 : ms(this.hdr.minNonZeroValue),
      mean: empty ? 0 : ms(this.hdr.mean),
      p50: this.percentile(50),
      p90: this.percentile(90),
      p95: this.percentile(95),
      p99: this.percentile(99),
      max: empty ? 0 : ms(this.hdr.maxValue),
    };
  }
}

function ms(micros: number): number {
  return Math.round(micros / 10) / 100;
}
