import { CancelledFailure } from '@temporalio/common';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadTest } from '../../activities/loadTest';
import type { LoadTestResult } from '../../activities/schemas/loadTest';
import type { RunningSandbox } from '../../src/sandbox/server';
import { activityEnv, closedPort, exec, expectFailure, makeDeps, post, sandbox } from './harness';

let sb: RunningSandbox;
beforeEach(async () => {
  sb = await sandbox();
});
afterEach(() => sb.close());

const params = (url: string, durationSeconds = 5) => ({
  target: { url: `${url}/predict`, method: 'POST', body: { text: 'stable healthy release' }, connections: 5 },
  ratePerSecond: 40,
  durationSeconds,
  // Generous bounds: a busy 2-core machine stretches the healthy sandbox's tail, while the
  // fault below adds 400 ms to every answer, far beyond them.
  thresholds: { p95Ms: 200, p99Ms: 1_000, maxErrorRate: 0.01, minThroughputRps: 30 },
});

describe('load-test', () => {
  it('5 s at a fixed rate: histogram and a verdict that flips when the fault switch adds latency', async () => {
    const ok = await exec(loadTest(makeDeps()), params(sb.url));
    expect(ok.verdict).toEqual({ passed: true, violations: [] });
    expect(ok.stats.requests).toBeGreaterThanOrEqual(150);
    expect(ok.stats.latency.buckets.reduce((n, b) => n + b.count, 0)).toBe(ok.stats.requests);
    expect(ok.stats.latency.p95).toBeLessThan(200);

    await post(`${sb.url}/faults`, { latencyMs: 400 });
    const f = await expectFailure(exec(loadTest(makeDeps()), params(sb.url)), 'ThresholdMissed', true);
    const slow = f.details?.[0] as LoadTestResult;
    expect(slow.verdict.passed).toBe(false);
    expect(slow.verdict.violations.join(' ')).toMatch(/p95 .* > 200 ms/);
    expect(slow.stats.latency.p95).toBeGreaterThanOrEqual(400);
    // The same histogram shape, moved into the slower buckets.
    expect(slow.stats.latency.buckets.find((b) => b.le === 500)?.count).toBeGreaterThan(0);
  });

  it('heartbeats progress and stops promptly when cancelled', async () => {
    const env = activityEnv();
    const beats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => beats.push(d));
    const p = env.run(loadTest(makeDeps()), params(sb.url, 30));
    setTimeout(() => env.cancel(), 1_500);
    const t = performance.now();
    await expect(p).rejects.toBeInstanceOf(CancelledFailure);
    expect(performance.now() - t).toBeLessThan(5_000);
    expect(beats[0]).toMatchObject({ phase: 'load', elapsedSeconds: 1, of: 30 });
  });

  it('counts a refused connection as errors and misses the error-rate threshold', async () => {
    const port = await closedPort();
    const f = await expectFailure(exec(loadTest(makeDeps()), { ...params(`http://127.0.0.1:${port}`, 1), ratePerSecond: 10 }), 'ThresholdMissed', true);
    expect((f.details?.[0] as LoadTestResult).stats.errorRate).toBe(1);
  });

  it('fails a request timeout as an error, not a hang', async () => {
    await post(`${sb.url}/faults`, { latencyMs: 3_000 });
    const f = await expectFailure(
      exec(loadTest(makeDeps()), { ...params(sb.url, 2), ratePerSecond: 5, target: { url: `${sb.url}/health`, timeoutMs: 1_000 } }),
      'ThresholdMissed',
      true,
    );
    expect((f.details?.[0] as LoadTestResult).stats.errors).toBeGreaterThan(0);
  });
});
