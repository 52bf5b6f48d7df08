import type { ActivityDeps } from './deps';
import { parseParams } from './errors';
import { runLoad } from './loadRunner';
import { stressTestParams, type StressTestResult } from '../src/contract/schemas/actions/stressTest';
import { judge, requirePassed } from './thresholds';

/**
 * Raises the rate stage by stage until a threshold breaks (or maxRate holds); passes when the
 * highest sustained rate covers expectedRate × requiredHeadroom.
 */
export function stressTest(deps: ActivityDeps) {
  return async function stressTest(input: unknown): Promise<StressTestResult> {
    const p = parseParams(stressTestParams, input);
    const stages: StressTestResult['stages'] = [];
    let breakingRate: number | null = null;
    for (let rate = p.startRate; rate <= p.maxRate; rate += p.stepRate) {
      const stats = await runLoad(
        { target: p.target, ratePerSecond: rate, durationSeconds: p.stageSeconds, progress: { phase: 'stress', rate } },
        deps,
      );
      const v = judge(stats, p.thresholds);
      stages.push({
        rate,
        throughputRps: stats.throughputRps,
        p95: stats.latency.p95,
        p99: stats.latency.p99,
        errorRate: stats.errorRate,
        passed: v.passed,
        violations: v.violations,
      });
      if (!v.passed) {
        breakingRate = rate;
        break;
      }
    }
    const sustained = stages.filter((s) => s.passed).at(-1)?.rate ?? null;
    const requiredRate = p.expectedRate * p.requiredHeadroom;
    const ok = sustained !== null && sustained >= requiredRate;
    return requirePassed(
      {
        stages,
        breakingRate,
        maxSustainedRate: sustained,
        requiredRate,
        verdict: {
          passed: ok,
          violations: ok
            ? []
            : [
                `sustained ${sustained ?? 0} rps < required ${requiredRate} rps (${p.expectedRate} × ${p.requiredHeadroom})`,
              ],
        },
      },
      'stress test',
    );
  };
}
