import type { ActivityDeps } from './deps';
import { parseParams } from './errors';
import { httpCall, requireStatus } from './http';
import { runLoad } from './loadRunner';
import type { HttpRequest } from '../src/contract/schemas/actions/common';
import { failoverTestParams, type FailoverTestResult } from '../src/contract/schemas/actions/failoverTest';
import { judge, requirePassed } from './thresholds';

/**
 * Probes the target at a steady rate, fires the fault hook part-way, and judges availability
 * and latency over the whole window. The restore hook runs whatever happened.
 */
export function failoverTest(deps: ActivityDeps) {
  const hook = async (req: HttpRequest, detached = false) => {
    const res = await httpCall(req, deps, { detached });
    requireStatus(res, req.expectStatus, `${req.method} ${req.url}`);
    return res.status;
  };

  return async function failoverTest(input: unknown): Promise<FailoverTestResult> {
    const p = parseParams(failoverTestParams, input);
    let triggered: Promise<number> | undefined;
    let triggeredAtMs = 0;
    const started = performance.now();
    const fire = () => {
      triggeredAtMs = Math.round(performance.now() - started);
      triggered = hook(p.trigger);
      triggered.catch(() => undefined); // awaited below; avoid an unhandled rejection meanwhile
    };
    if (p.triggerAfterSeconds === 0) fire();
    let restoreStatus: number | null = null;
    try {
      const stats = await runLoad(
        {
          target: p.target,
          ratePerSecond: p.probeRatePerSecond,
          durationSeconds: p.durationSeconds,
          progress: { phase: 'failover' },
          onSecond: (s) => {
            if (triggered === undefined && s >= p.triggerAfterSeconds) fire();
          },
        },
        deps,
      );
      const triggerStatus = await (triggered ?? hook(p.trigger));
      const availability = 1 - stats.errorRate;
      const verdict = judge(stats, { maxErrorRate: 1 - p.bounds.minAvailability, p99Ms: p.bounds.p99Ms });
      if (p.restore) restoreStatus = await hook(p.restore);
      return requirePassed(
        { stats, availability, triggeredAtMs, triggerStatus, restoreStatus, verdict },
        'failover test',
      );
    } finally {
      // On failure or cancellation, still put the system back; the original error wins.
      if (p.restore && restoreStatus === null) await hook(p.restore, true).catch(() => undefined);
    }
  };
}
