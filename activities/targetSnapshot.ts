import type { ActivityDeps } from './deps';
import { isTransient, parseParams } from './errors';
import { httpCall, parseJsonBody, statusMatches } from './http';
import { select } from './select';
import { targetSnapshotParams, type TargetSnapshotResult } from '../src/contract/schemas/actions/targetSnapshot';

type Probe = TargetSnapshotResult['probes'][number];

/**
 * One reading of the target for the hypercare watch: each probe's selected fields. A probe that
 * cannot be read says why (status or transport problem) instead of failing the call: the watch
 * compares what it could read and does not mistake an outage for a change.
 */
export function targetSnapshot(deps: ActivityDeps) {
  return async function targetSnapshot(input: unknown): Promise<TargetSnapshotResult> {
    const p = parseParams(targetSnapshotParams, input);
    const probes = await Promise.all(
      p.probes.map(async (probe): Promise<Probe> => {
        const base = { id: probe.id, url: probe.url };
        try {
          const res = await httpCall({ url: probe.url, headers: p.headers, timeoutMs: p.timeoutMs }, deps);
          if (!statusMatches(res.status, undefined)) return { ...base, ok: false, problem: `answered ${res.status}` };
          const json = parseJsonBody(res);
          if (json === undefined) return { ...base, ok: false, problem: 'answered something other than JSON' };
          return {
            ...base,
            ok: true,
            values: Object.fromEntries(probe.select.map((path) => [path, select(json, path)])),
          };
        } catch (error) {
          if (!isTransient(error)) throw error;
          return { ...base, ok: false, problem: error.message };
        }
      }),
    );
    return { probes };
  };
}
