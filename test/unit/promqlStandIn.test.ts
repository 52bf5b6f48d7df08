import { describe, expect, it } from 'vitest';
import { evaluate, UnsupportedQuery } from '../../src/sandbox/monitoring/promql';
import type { Series } from '../../src/sandbox/monitoring/samples';

/** The sandbox stand-in's PromQL subset, on hand-made series with known answers. */

const NOW = 1_000;
const counter = (labels: Record<string, string>, perSecond: number): Series => ({
  labels,
  points: Array.from({ length: 61 }, (_, i) => [NOW - 60 + i, 100 + perSecond * i] as [number, number]),
});
const requests = (code: string, route: string, perSecond: number) =>
  counter({ __name__: 'reqs_total', code, route, job: 'sandbox' }, perSecond);
const bucket = (le: string, count: number): Series => counter({ __name__: 'lat_bucket', le, route: '/p' }, count);

const series: Series[] = [
  requests('200', '/p', 9),
  requests('500', '/p', 1),
  requests('200', '/h', 5),
  // 10 requests a second: 5 under 0.1 s, 4 more under 0.5 s, 1 over.
  bucket('0.1', 5),
  bucket('0.5', 9),
  bucket('+Inf', 10),
  { labels: { __name__: 'up', job: 'sandbox' }, points: [[NOW - 1, 1]] },
];

const scalarOf = (q: string) => {
  const v = evaluate(q, series, NOW);
  if (v.type === 'scalar') return v.value;
  if (v.type === 'vector' && v.samples.length === 1) return v.samples[0]!.value;
  throw new Error(`not one value: ${JSON.stringify(v)}`);
};

describe("the stand-in's PromQL subset", () => {
  it('computes rates, sums by label and ratios', () => {
    expect(scalarOf('sum(rate(reqs_total{route="/p"}[30s]))')).toBeCloseTo(10);
    expect(
      scalarOf('sum(rate(reqs_total{route="/p",code=~"5.."}[1m])) / sum(rate(reqs_total{route="/p"}[1m]))'),
    ).toBeCloseTo(0.1);
    expect(scalarOf('sum(increase(reqs_total{code!="500"}[10s]))')).toBeCloseTo(140);
    const byRoute = evaluate('sum by (route) (rate(reqs_total[1m]))', series, NOW);
    expect(byRoute.type === 'vector' && byRoute.samples.map((s) => [s.labels.route, Math.round(s.value)])).toEqual([
      ['/p', 10],
      ['/h', 5],
    ]);
    expect(scalarOf('count(reqs_total)')).toBe(3);
    expect(scalarOf('up{job="sandbox"}')).toBe(1);
    expect(scalarOf('2 * -3 + 1')).toBe(-5);
  });

  it('interpolates histogram quantiles like Prometheus', () => {
    // Rank 9.5 of 10 falls in (0.5, +Inf]: the upper finite bound is the answer.
    expect(scalarOf('histogram_quantile(0.95, sum by (le) (rate(lat_bucket{route="/p"}[1m])))')).toBeCloseTo(0.5);
    // Rank 5 of 10 is the top of the first bucket.
    expect(scalarOf('histogram_quantile(0.5, sum by (le) (rate(lat_bucket[1m])))')).toBeCloseTo(0.1);
    // Rank 7 of 10: 2 of the 4 in (0.1, 0.5] → 0.1 + 0.4 × 2/4.
    expect(scalarOf('histogram_quantile(0.7, sum by (le) (rate(lat_bucket[1m])))')).toBeCloseTo(0.3);
  });

  it('answers nothing for series that do not exist, and NaN for 0/0', () => {
    expect(evaluate('sum(rate(reqs_total{code="503"}[1m]))', series, NOW)).toEqual({ type: 'vector', samples: [] });
    expect(scalarOf('sum(rate(reqs_total{code="500"}[1m])) - sum(rate(reqs_total{code="500"}[1m]))')).toBe(0);
    expect(Number.isNaN(scalarOf('0 / 0'))).toBe(true);
  });

  it('refuses what it does not support, saying so', () => {
    for (const q of [
      'predict_linear(reqs_total[1m], 60)',
      'reqs_total and up',
      'sum(',
      'rate(reqs_total)',
      'reqs_total offset 5m',
    ]) {
      expect(() => evaluate(q, series, NOW), q).toThrow(UnsupportedQuery);
    }
  });

  it('refuses a query nested thousands deep with a message, not a stack overflow', () => {
    for (const q of [
      `${'('.repeat(5000)}1${')'.repeat(5000)}`,
      `${'-'.repeat(5000)}1`,
      `${'abs('.repeat(3000)}up${')'.repeat(3000)}`,
    ]) {
      expect(() => evaluate(q, series, NOW), q.slice(0, 10)).toThrow(/nests more than 64 levels deep/);
    }
    // Up to the limit it still answers.
    expect(scalarOf(`${'('.repeat(60)}1${')'.repeat(60)}`)).toBe(1);
  });
});
