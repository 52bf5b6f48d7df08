import path from 'node:path';
import { loadRunbookFile } from '../../src/runbook/load';
import { prepareRun } from '../../src/runbook/prepare';
import type { GoLiveInput } from '../../src/contract/definitions';
import { defaultAssignments, people } from './runs';
import type { TestSandbox } from './sandbox';

/**
 * The shipped default runbook, prepared for a test run against a sandbox on a free port: short
 * stability tests and a short hypercare (14 days would outlast any test), everything else as
 * shipped.
 */
export async function defaultRunbookInput(
  sandbox: TestSandbox,
  hypercareDuration = '2s',
  params: Record<string, string | number | boolean> = {},
  /** addressesFromDefaults: leave every address to the runbook's `${sandbox.*}` defaults, as the start form does. */
  opts: { watchInterval?: string; addressesFromDefaults?: boolean } = {},
): Promise<GoLiveInput> {
  const loaded = await loadRunbookFile(path.resolve(__dirname, '../../runbooks/default.yaml'), {
    sandbox: sandbox.address,
  });
  const hypercare = loaded.runbook.steps.at(-1);
  if (hypercare?.kind !== 'hypercare') throw new Error('the default runbook should end with hypercare');
  hypercare.duration = hypercareDuration;
  if (opts.watchInterval && hypercare.watch) hypercare.watch.interval = opts.watchInterval;
  return prepareRun({
    loaded,
    system: 'claims-assistant',
    collaborationMode: 3,
    initiator: { id: people.initiator },
    assignments: defaultAssignments,
    params: {
      ...(opts.addressesFromDefaults
        ? { ruleFile: sandbox.params.ruleFile, canarySeconds: sandbox.params.canarySeconds }
        : sandbox.params),
      ...SPEED_FREE_PARAMS,
      ...params,
    },
  });
}

/**
 * Short stability tests with a latency budget no busy machine misses: these runs test the runbook's
 * flow, not this machine's speed (the load-test activity's own tests check verdicts on latency).
 */
export const SPEED_FREE_PARAMS = {
  loadTestSeconds: 1,
  failoverSeconds: 2,
  stressMaxRate: 60,
  p95LatencyMs: 5000,
} as const;
