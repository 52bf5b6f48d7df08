import type { LoadStats, Thresholds, Verdict } from '../src/contract/schemas/actions/common';
import { permanent } from './errors';

/** One verdict rule for load, stress and failover tests, so they cannot disagree. */
export function judge(stats: LoadStats, t: Thresholds): Verdict {
  const violations: string[] = [];
  if (t.p95Ms !== undefined && stats.latency.p95 > t.p95Ms)
    violations.push(`p95 ${stats.latency.p95} ms > ${t.p95Ms} ms`);
  if (t.p99Ms !== undefined && stats.latency.p99 > t.p99Ms)
    violations.push(`p99 ${stats.latency.p99} ms > ${t.p99Ms} ms`);
  if (t.maxErrorRate !== undefined && stats.errorRate > t.maxErrorRate)
    violations.push(`error rate ${stats.errorRate} > ${t.maxErrorRate}`);
  if (t.minThroughputRps !== undefined && stats.throughputRps < t.minThroughputRps) {
    violations.push(`throughput ${stats.throughputRps} rps < ${t.minThroughputRps} rps`);
  }
  return { passed: violations.length === 0, violations };
}

/** A missed threshold fails the step for good; the measurements travel as the failure's details. */
export function requirePassed<R extends { verdict: Verdict }>(result: R, what: string): R {
  if (!result.verdict.passed) permanent('ThresholdMissed', `${what}: ${result.verdict.violations.join('; ')}`, result);
  return result;
}
