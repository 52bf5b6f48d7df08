import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { failoverTest } from '../../activities/failoverTest';
import { rollbackDrill } from '../../activities/rollbackDrill';
import type { FailoverTestResult } from '../../src/contract/schemas/actions/failoverTest';
import type { StressTestResult } from '../../src/contract/schemas/actions/stressTest';
import { stressTest } from '../../activities/stressTest';
import type { RunningSandbox } from '../../src/sandbox/server';
import { exec, expectFailure, json, makeDeps, post, sandbox, tinyServer } from './harness';

let sb: RunningSandbox;
beforeEach(async () => {
  sb = await sandbox();
  await post(`${sb.url}/deploy`, { version: '2.0.0-rc1', idempotencyKey: 'release' });
});
afterEach(() => sb.close());

const drill = (windowSeconds: number) => ({
  rollbackUrl: `${sb.url}/rollback`,
  deployUrl: `${sb.url}/deploy`,
  versionUrl: `${sb.url}/version`,
  healthUrl: `${sb.url}/health`,
  releaseVersion: '2.0.0-rc1',
  previousVersion: '1.0.0',
  windowSeconds,
  pollIntervalMs: 50,
});

describe('rollback-drill', () => {
  it('rolls back within the window, records the time, and restores the release candidate', async () => {
    await post(`${sb.url}/faults`, { rolloutMs: 300 });
    const result = await exec(rollbackDrill(makeDeps()), drill(5));
    expect(result).toMatchObject({ previousVersion: '1.0.0', restoredVersion: '2.0.0-rc1', windowSeconds: 5 });
    expect(result.measuredMs).toBeGreaterThanOrEqual(300);
    const d = await json<{ version: string; history: { kind: string; to: string }[] }>(`${sb.url}/deployments`);
    expect(d.version).toBe('2.0.0-rc1');
    expect(d.history.map((h) => `${h.kind} ${h.to}`)).toEqual([
      'deploy 2.0.0-rc1',
      'rollback 1.0.0',
      'deploy 2.0.0-rc1',
    ]);
  });

  it('fails for good when the rollback takes longer than the window', async () => {
    await post(`${sb.url}/faults`, { rolloutMs: 3_000 });
    const t = performance.now();
    const f = await expectFailure(exec(rollbackDrill(makeDeps()), drill(0.5)), 'RollbackWindowMissed', true);
    expect(performance.now() - t).toBeLessThan(2_000);
    expect(f.details?.[0]).toMatchObject({ windowSeconds: 0.5 });
  });
});

describe('failover-test', () => {
  const params = (url: string) => ({
    target: { url: `${url}/health` },
    probeRatePerSecond: 20,
    durationSeconds: 3,
    trigger: { url: `${url}/failover`, body: { durationMs: 1_000 } },
    triggerAfterSeconds: 1,
    restore: { url: `${url}/faults`, method: 'DELETE' },
    // The latency bound is far above the secondary's 25 ms: what is judged is that it answers at
    // all. A busy machine (the full suite beside other work) measured a p99 of 517 ms against 500.
    bounds: { minAvailability: 0.99, p99Ms: 5_000 },
  });

  it('stays within bounds when a secondary takes over', async () => {
    const result = await exec(failoverTest(makeDeps()), params(sb.url));
    expect(result.verdict.passed).toBe(true);
    expect(result).toMatchObject({ triggerStatus: 202, restoreStatus: 200, availability: 1 });
    expect(result.stats.latency.max).toBeGreaterThanOrEqual(25); // the secondary's extra latency
  });

  it('misses availability without a secondary, and still restores', async () => {
    const lone = await sandbox({ port: 0, secondary: false });
    try {
      const f = await expectFailure(exec(failoverTest(makeDeps()), params(lone.url)), 'ThresholdMissed', true);
      const r = f.details?.[0] as FailoverTestResult;
      expect(r.availability).toBeLessThan(0.9);
      expect(r.restoreStatus).toBe(200);
    } finally {
      await lone.close();
    }
  });
});

describe('stress-test', () => {
  it('finds the breaking point and judges headroom against it', async () => {
    // Capacity: 40 requests per second, averaged over a sliding 2 s window, then 503. The ramp
    // steps are far apart (20 → 60 rps) so a busy machine's bunched requests cannot blur them.
    const seen: number[] = [];
    const capped = await tinyServer((_req, res) => {
      const now = Date.now();
      seen.push(now);
      while (seen.length > 0 && seen[0]! < now - 2_000) seen.shift();
      res.writeHead(seen.length > 80 ? 503 : 200).end();
    });
    try {
      const base = {
        target: { url: capped.url },
        startRate: 20,
        stepRate: 40,
        maxRate: 100,
        stageSeconds: 2,
        thresholds: { maxErrorRate: 0.05 },
      };
      const ok = await exec(stressTest(makeDeps()), { ...base, expectedRate: 10, requiredHeadroom: 2 });
      expect(ok).toMatchObject({ breakingRate: 60, maxSustainedRate: 20, requiredRate: 20, verdict: { passed: true } });
      expect(ok.stages.map((s) => s.passed)).toEqual([true, false]);
      seen.length = 0;
      const f = await expectFailure(
        exec(stressTest(makeDeps()), { ...base, expectedRate: 15, requiredHeadroom: 2 }),
        'ThresholdMissed',
        true,
      );
      expect((f.details?.[0] as StressTestResult).verdict.violations[0]).toContain('required 30');
    } finally {
      capped.close();
    }
  });
});
