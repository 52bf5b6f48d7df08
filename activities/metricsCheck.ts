import type { z } from 'zod';
import type { ActivityDeps } from './deps';
import { heartbeat, sleep } from './context';
import { isTransient, parseParams, permanent } from './errors';
import { instantQuery } from './prometheusApi';
import {
  metricsCheckParams,
  type MetricCheck,
  type MetricsCheckResult,
  type measurement,
} from '../src/contract/schemas/actions/metricsCheck';

type Measurement = z.infer<typeof measurement>;
type Params = z.output<typeof metricsCheckParams>;

/** Evidence stays bounded however long the window: the first and the latest measurements. */
const KEEP_MEASUREMENTS = 60;

/**
 * PromQL checks with bounds, measured once or every interval over a window (canary analysis
 * before Gate 4; one measurement per call in hypercare analyses). A check fails when more of
 * its measurements fail than `failureLimit` allows. Prometheus unreachable counts as a failed
 * measurement of every check (with the error), so a dead monitoring never reads as healthy.
 */
export function metricsCheck(deps: ActivityDeps) {
  return async function metricsCheck(input: unknown): Promise<MetricsCheckResult> {
    const p = parseParams(metricsCheckParams, input);
    const runs = p.checks.map((check) => ({ check, failures: 0, measurements: [] as Measurement[] }));
    const started = performance.now();
    for (let round = 1; ; round++) {
      for (const r of runs) {
        const m = await measure(p, r.check, deps);
        if (!m.passed) r.failures++;
        r.measurements.push(m);
        if (r.measurements.length > KEEP_MEASUREMENTS) r.measurements.splice(KEEP_MEASUREMENTS / 2, 1);
      }
      heartbeat({ round, failures: Object.fromEntries(runs.map((r) => [r.check.name, r.failures])) });
      const next = round * p.intervalSeconds * 1_000;
      if (next > p.windowSeconds * 1_000) break;
      await sleep(Math.max(0, next - (performance.now() - started)));
    }
    const checks = runs.map((r) => ({
      name: r.check.name,
      query: r.check.query,
      passed: r.failures <= p.failureLimit,
      failures: r.failures,
      measurements: r.measurements,
    }));
    const violations = checks
      .filter((c) => !c.passed)
      .map(
        (c) =>
          `${c.name}: ${c.failures} failed measurement(s) (allowed ${p.failureLimit}); last ${describe(c.measurements.at(-1))}`,
      );
    const result = { passed: violations.length === 0, checks, violations };
    if (!result.passed && p.failOnBreach)
      permanent('ThresholdMissed', `metrics check failed: ${violations.join('; ')}`, result);
    return result;
  };
}

async function measure(p: Params, check: MetricCheck, deps: ActivityDeps): Promise<Measurement> {
  const at = new Date().toISOString();
  let values: number[];
  try {
    values = await instantQuery(p, check.query, deps);
  } catch (error) {
    // A wrong query is the runbook's error: fail the step, do not count it as a measurement.
    if (!isTransient(error)) throw error;
    return { at, values: [], passed: false, error: error instanceof Error ? error.message : String(error) };
  }
  const data = values.filter((v) => !Number.isNaN(v));
  if (data.length === 0)
    return {
      at,
      values: [],
      passed: check.onEmpty === 'pass',
      ...(check.onEmpty === 'pass' ? {} : { error: 'no data' }),
    };
  const passed = data.every(
    (v) => (check.max === undefined || v <= check.max) && (check.min === undefined || v >= check.min),
  );
  return { at, values: data.map((v) => (Number.isFinite(v) ? v : null)), passed };
}

function describe(m: Measurement | undefined): string {
  if (!m) return 'none';
  if (m.error) return m.error;
  return m.values.map((v) => (v === null ? 'Inf' : String(Math.round(v * 10_000) / 10_000))).join(', ') || 'no data';
}
