import type { ActivityDeps } from './deps';
import { parseParams } from './errors';
import { runLoad } from './loadRunner';
import { loadTestParams, type LoadTestResult } from '../src/contract/schemas/actions/loadTest';
import { judge, requirePassed } from './thresholds';

export function loadTest(deps: ActivityDeps) {
  return async function loadTest(input: unknown): Promise<LoadTestResult> {
    const p = parseParams(loadTestParams, input);
    const stats = await runLoad(
      {
        target: p.target,
        ratePerSecond: p.ratePerSecond,
        durationSeconds: p.durationSeconds,
        progress: { phase: 'load' },
      },
      deps,
    );
    return requirePassed({ ratePerSecond: p.ratePerSecond, stats, verdict: judge(stats, p.thresholds) }, 'load test');
  };
}
