import type { Registry } from 'prom-client';

/**
 * The stand-in's time series: it "scrapes" the sandbox's own registry every interval, in
 * process, and keeps a few minutes of samples, which is all the subset's `rate()` windows need.
 */
export type Labels = Record<string, string>;
export interface Series {
  labels: Labels;
  points: [number, number][];
}

const KEEP_SECONDS = 15 * 60;

export class SampleStore {
  private readonly series = new Map<string, Series>();
  private timer: NodeJS.Timeout | undefined;
  lastScrape: { at: number; durationSeconds: number; error?: string } | undefined;

  /** `instance` is known only once the sandbox listens, hence a getter. */
  constructor(
    private readonly registry: Registry,
    private readonly target: () => { job: string; instance: string },
  ) {}

  start(intervalMs: number): void {
    void this.scrape();
    this.timer = setInterval(() => void this.scrape(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  all(): Series[] {
    return [...this.series.values()];
  }

  async scrape(now = Date.now() / 1000): Promise<void> {
    const started = performance.now();
    try {
      const metrics = await this.registry.getMetricsAsJSON();
      const target = this.target();
      this.add({ __name__: 'up', ...target }, now, 1);
      for (const metric of metrics) {
        for (const v of metric.values) {
          const name = (v as { metricName?: string }).metricName ?? metric.name;
          const labels: Labels = { __name__: name, ...target };
          for (const [k, val] of Object.entries(v.labels)) if (val !== undefined) labels[k] = String(val);
          this.add(labels, now, v.value);
        }
      }
      this.lastScrape = { at: now, durationSeconds: (performance.now() - started) / 1000 };
    } catch (error) {
      this.lastScrape = { at: now, durationSeconds: 0, error: error instanceof Error ? error.message : String(error) };
    }
  }

  private add(labels: Labels, t: number, value: number): void {
    const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
    const s = this.series.get(key) ?? { labels, points: [] };
    s.points.push([t, value]);
    while (s.points.length > 0 && s.points[0]![0] < t - KEEP_SECONDS) s.points.shift();
    this.series.set(key, s);
  }
}
