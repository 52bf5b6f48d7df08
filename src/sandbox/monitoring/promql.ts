import { parseQuery, UnsupportedQuery, type Grouping, type Matcher, type Node } from './promqlParse';
import type { Labels, Series } from './samples';

/**
 * A small PromQL evaluator for the sandbox's monitoring stand-in, so `npm start` can run the
 * default runbook's metric checks and hypercare analyses on a machine without Prometheus.
 * The subset: numbers, selectors with = != =~ !~ matchers and ranges, rate(), increase(),
 * histogram_quantile(), abs(), vector(), scalar(), sum/avg/min/max/count with by/without,
 * and + - * / between scalars and vectors (one-to-one on identical labels). Anything else is
 * refused (400) with the reason; a real Prometheus is the answer for real queries.
 */

type Sample = { labels: Labels; value: number };
export type Value =
  { type: 'scalar'; value: number } | { type: 'vector'; samples: Sample[] } | { type: 'matrix'; series: Series[] };

const LOOKBACK_SECONDS = 300;

export function evaluate(query: string, series: Series[], at: number): Value {
  return new Evaluator(series, at).eval(parseQuery(query));
}

export { UnsupportedQuery };

class Evaluator {
  constructor(
    private readonly series: Series[],
    private readonly at: number,
  ) {}

  eval(node: Node): Value {
    switch (node.kind) {
      case 'number':
        return { type: 'scalar', value: node.value };
      case 'selector':
        return this.select(node.matchers, node.rangeSeconds);
      case 'negate':
        return this.binary('*', { type: 'scalar', value: -1 }, this.eval(node.arg));
      case 'binary':
        return this.binary(node.op, this.eval(node.left), this.eval(node.right));
      case 'aggregate':
        return aggregate(node.op, node.grouping, this.vector(this.eval(node.arg), node.op));
      case 'call':
        return this.call(node.fn, node.args);
    }
  }

  private select(matchers: Matcher[], rangeSeconds: number | undefined): Value {
    const matching = this.series.filter((s) => matchers.every((m) => matches(m, s.labels[m.label] ?? '')));
    if (rangeSeconds !== undefined) {
      const from = this.at - rangeSeconds;
      return {
        type: 'matrix',
        series: matching
          .map((s) => ({ labels: s.labels, points: s.points.filter(([t]) => t > from && t <= this.at) }))
          .filter((s) => s.points.length > 0),
      };
    }
    const samples: Sample[] = [];
    for (const s of matching) {
      const last = [...s.points].reverse().find(([t]) => t <= this.at && t > this.at - LOOKBACK_SECONDS);
      if (last) samples.push({ labels: s.labels, value: last[1] });
    }
    return { type: 'vector', samples };
  }

  private vector(v: Value, where: string): Sample[] {
    if (v.type !== 'vector') throw new UnsupportedQuery(`${where}() needs an instant vector`);
    return v.samples;
  }

  private call(fn: string, args: Node[]): Value {
    const arg = (i: number) => {
      const node = args[i];
      if (!node) throw new UnsupportedQuery(`${fn}() needs ${i + 1} argument(s)`);
      return this.eval(node);
    };
    switch (fn) {
      case 'rate':
      case 'increase': {
        const m = arg(0);
        if (m.type !== 'matrix') throw new UnsupportedQuery(`${fn}() needs a range vector such as metric[1m]`);
        const range = (args[0] as { rangeSeconds: number }).rangeSeconds;
        return { type: 'vector', samples: m.series.flatMap((s) => counterRate(s, fn === 'rate' ? 1 : range)) };
      }
      case 'histogram_quantile': {
        const q = arg(0);
        if (q.type !== 'scalar') throw new UnsupportedQuery('histogram_quantile() takes a number first');
        return { type: 'vector', samples: histogramQuantile(q.value, this.vector(arg(1), fn)) };
      }
      case 'abs':
        return {
          type: 'vector',
          samples: this.vector(arg(0), fn).map((s) => ({ labels: dropName(s.labels), value: Math.abs(s.value) })),
        };
      case 'vector': {
        const v = arg(0);
        if (v.type !== 'scalar') throw new UnsupportedQuery('vector() takes a number');
        return { type: 'vector', samples: [{ labels: {}, value: v.value }] };
      }
      default: {
        const samples = this.vector(arg(0), fn);
        return { type: 'scalar', value: samples.length === 1 ? samples[0]!.value : NaN };
      }
    }
  }

  private binary(op: '+' | '-' | '*' | '/', l: Value, r: Value): Value {
    const f = (a: number, b: number) => (op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : a / b);
    if (l.type === 'matrix' || r.type === 'matrix')
      throw new UnsupportedQuery('arithmetic needs instant vectors or numbers, not ranges');
    if (l.type === 'scalar' && r.type === 'scalar') return { type: 'scalar', value: f(l.value, r.value) };
    if (l.type === 'scalar' && r.type === 'vector')
      return {
        type: 'vector',
        samples: r.samples.map((s) => ({ labels: dropName(s.labels), value: f(l.value, s.value) })),
      };
    if (l.type === 'vector' && r.type === 'scalar')
      return {
        type: 'vector',
        samples: l.samples.map((s) => ({ labels: dropName(s.labels), value: f(s.value, r.value) })),
      };
    const right = new Map((r as { samples: Sample[] }).samples.map((s) => [key(dropName(s.labels)), s.value]));
    const samples: Sample[] = [];
    for (const s of (l as { samples: Sample[] }).samples) {
      const labels = dropName(s.labels);
      const other = right.get(key(labels));
      if (other !== undefined) samples.push({ labels, value: f(s.value, other) });
    }
    return { type: 'vector', samples };
  }
}

function matches(m: Matcher, value: string): boolean {
  switch (m.op) {
    case '=':
      return value === m.value;
    case '!=':
      return value !== m.value;
    case '=~':
      return new RegExp(`^(?:${m.value})$`).test(value);
    case '!~':
      return !new RegExp(`^(?:${m.value})$`).test(value);
  }
}

/** Per-second increase between the first and last sample of the window (no extrapolation). */
function counterRate(s: Series, scale: number): Sample[] {
  if (s.points.length < 2) return [];
  const [t0, v0] = s.points[0]!;
  const [t1, v1] = s.points.at(-1)!;
  if (t1 <= t0) return [];
  const perSecond = Math.max(0, v1 - v0) / (t1 - t0);
  return [{ labels: dropName(s.labels), value: scale === 1 ? perSecond : perSecond * scale }];
}

function aggregate(op: string, grouping: Grouping | undefined, samples: Sample[]): Value {
  const groups = new Map<string, { labels: Labels; values: number[] }>();
  for (const s of samples) {
    const labels = groupLabels(s.labels, grouping);
    const g = groups.get(key(labels)) ?? { labels, values: [] };
    g.values.push(s.value);
    groups.set(key(labels), g);
  }
  const fold = (v: number[]) =>
    op === 'sum'
      ? v.reduce((a, b) => a + b, 0)
      : op === 'avg'
        ? v.reduce((a, b) => a + b, 0) / v.length
        : op === 'min'
          ? Math.min(...v)
          : op === 'max'
            ? Math.max(...v)
            : v.length;
  return { type: 'vector', samples: [...groups.values()].map((g) => ({ labels: g.labels, value: fold(g.values) })) };
}

function groupLabels(labels: Labels, grouping: Grouping | undefined): Labels {
  if (!grouping) return {};
  const keep =
    grouping.mode === 'by'
      ? ([k]: [string, string]) => grouping.labels.includes(k)
      : ([k]: [string, string]) => k !== '__name__' && !grouping.labels.includes(k);
  return Object.fromEntries(Object.entries(labels).filter(keep));
}

/** Prometheus's bucket interpolation: linear within the bucket the rank falls into. */
function histogramQuantile(q: number, samples: Sample[]): Sample[] {
  const byGroup = new Map<string, { labels: Labels; buckets: [number, number][] }>();
  for (const s of samples) {
    const le = s.labels.le;
    if (le === undefined) continue;
    const labels = dropName(Object.fromEntries(Object.entries(s.labels).filter(([k]) => k !== 'le')));
    const g = byGroup.get(key(labels)) ?? { labels, buckets: [] };
    g.buckets.push([le === '+Inf' ? Infinity : Number(le), s.value]);
    byGroup.set(key(labels), g);
  }
  return [...byGroup.values()].map((g) => ({
    labels: g.labels,
    value: bucketQuantile(
      q,
      g.buckets.sort((a, b) => a[0] - b[0]),
    ),
  }));
}

function bucketQuantile(q: number, buckets: [number, number][]): number {
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const total = buckets.at(-1)?.[1] ?? 0;
  if (buckets.length < 2 || buckets.at(-1)![0] !== Infinity || total === 0) return NaN;
  const rank = q * total;
  const i = buckets.findIndex(([, count]) => count >= rank);
  if (i === buckets.length - 1) return buckets[buckets.length - 2]![0];
  const [upper, count] = buckets[i]!;
  const [lower, below] = i === 0 ? [0, 0] : buckets[i - 1]!;
  return count === below ? upper : lower + (upper - lower) * ((rank - below) / (count - below));
}

function dropName(labels: Labels): Labels {
  const { __name__: _ignored, ...rest } = labels;
  return rest;
}

function key(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
}
