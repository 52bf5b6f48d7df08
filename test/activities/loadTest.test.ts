import { CancelledFailure } from '@temporalio/common';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadTest } from '../../activities/loadTest';
import type { LoadTestResult } from '../../src/contract/schemas/actions/loadTest';
import type { RunningSandbox } from '../../src/sandbox/server';
import { activityEnv, closedPort, exec, expectFailure, makeDeps, post, sandbox } from './harness';

let sb: RunningSandbox;
beforeEach(async () => {
  sb = await sandbox();
});
afterEach(() => sb.close());

// Thresholds far above what a healthy loopback answer takes even on a machine whose cores are
// busy with other work, and a fault far above the thresholds: the verdict flips on the fault,
// never on the machine's speed.
const params = (url: string, durationSeconds = 5) => ({
  target: { url: `${url}/predict`, method: 'POST', body: { text: 'stable healthy release' }, connections: 5 },
  ratePerSecond: 40,
  durationSeconds,
  thresholds: { p95Ms: 400, p99Ms: 800, maxErrorRate: 0.01, minThroughputRps: 20 },
});

describe('load-test', () => {
  it('5 s at a fixed rate: histogram and a verdict that flips when the fault switch adds latency', async () => {
    const ok = await exec(loadTest(makeDeps()), params(sb.url));
    expect(ok.verdict).toEqual({ passed: true, violations: [] });
    expect(ok.stats.requests).toBeGreaterThanOrEqual(150);
    expect(ok.stats.latency.buckets.reduce((n, b) => n + b.count, 0)).toBe(ok.stats.requests);
    expect(ok.stats.latency.p95).toBeLessThan(400);

    await post(`${sb.url}/faults`, { latencyMs: 1_200 });
    const f = await expectFailure(exec(loadTest(makeDeps()), params(sb.url)), 'ThresholdMissed', true);
    const slow = f.details?.[0] as LoadTestResult;
    expect(slow.verdict.passed).toBe(false);
    expect(slow.verdict.violations.join(' ')).toMatch(/p95 .* > 400 ms/);
    expect(slow.stats.latency.p95).toBeGreaterThanOrEqual(1_200);
    // The same histogram shape, moved into the slower buckets.
    expect(slow.stats.latency.buckets.find((b) => b.le === 2_000)?.count).toBeGreaterThan(0);
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
    const f = await expectFailure(
      exec(loadTest(makeDeps()), { ...params(`http://127.0.0.1:${port}`, 1), ratePerSecond: 10 }),
      'ThresholdMissed',
      true,
    );
    expect((f.details?.[0] as LoadTestResult).stats.errorRate).toBe(1);
  });

  it('fails a request timeout as an error, not a hang', async () => {
    await post(`${sb.url}/faults`, { latencyMs: 3_000 });
    const f = await expectFailure(
      exec(loadTest(makeDeps()), {
        ...params(sb.url, 2),
        ratePerSecond: 5,
        target: { url: `${sb.url}/health`, timeoutMs: 1_000 },
      }),
      'ThresholdMissed',
      true,
    );
    expect((f.details?.[0] as LoadTestResult).stats.errors).toBeGreaterThan(0);
  });
});
