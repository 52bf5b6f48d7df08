import autocannon from 'autocannon';
import type { ActivityDeps } from './deps';
import { activitySignal, heartbeat, rethrowIfCancelled } from './context';
import { LatencyRecorder } from './latency';
import type { LoadStats, LoadTarget } from '../src/contract/schemas/actions/common';
import { redactSecrets, resolveSecrets } from './secrets';
import { permanent } from './errors';
import { DestinationRefused, pinnedUrl } from './outbound';

export interface LoadRun {
  target: LoadTarget;
  ratePerSecond: number;
  durationSeconds: number;
  /** Heartbeat details identifying the phase (e.g. the stress stage). */
  progress?: Record<string, unknown>;
  /** Called once per second with seconds elapsed; failover uses it to fire its fault. */
  onSecond?: (elapsedSeconds: number) => void;
}

/**
 * Drives autocannon at a fixed overall rate and records every response's latency. Heartbeats
 * once a second; the activity's cancellation stops autocannon and rethrows the cancellation.
 */
export async function runLoad(run: LoadRun, deps: Pick<ActivityDeps, 'secrets' | 'outbound'>): Promise<LoadStats> {
  const signal = activitySignal();
  rethrowIfCancelled(signal);
  const { target } = run;
  const body = target.body === undefined ? undefined : resolveSecrets(target.body, deps);
  const headers: Record<string, string> = resolveSecrets(target.headers, deps);
  // autocannon resolves names itself: hand it the address the outbound policy checked.
  const pinned = await pinTarget(deps, target.url);
  if (body !== undefined && typeof body !== 'string') headers['content-type'] ??= 'application/json';
  const latency = new LatencyRecorder();
  let non2xx = 0;
  let elapsed = 0;
  const started = performance.now();

  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: pinned.url,
        ...(pinned.servername ? { servername: pinned.servername } : {}),
        method: target.method,
        headers: { host: pinned.host, ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
        // More connections than requests per second only adds idle sockets.
        connections: Math.min(target.connections, run.ratePerSecond),
        overallRate: run.ratePerSecond,
        duration: run.durationSeconds,
        timeout: Math.max(1, Math.ceil(target.timeoutMs / 1_000)),
      },
      (err, res) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(res)),
    );
    instance.on('response', (_client, status, _bytes, responseTime) => {
      latency.record(responseTime);
      if (status < 200 || status >= 300) non2xx += 1;
    });
    instance.on('tick', () => {
      elapsed += 1;
      heartbeat({ ...run.progress, elapsedSeconds: elapsed, of: run.durationSeconds, responses: latency.count });
      run.onSecond?.(elapsed);
    });
    const stop = () => instance.stop();
    signal.addEventListener('abort', stop, { once: true });
    instance.once('done', () => signal.removeEventListener('abort', stop));
  });
  rethrowIfCancelled(signal);

  const durationMs = performance.now() - started;
  const errors = result.errors;
  const attempted = latency.count + errors;
  return {
    requests: attempted,
    errors,
    non2xx,
    errorRate: attempted === 0 ? 1 : round4((errors + non2xx) / attempted),
    throughputRps: Math.round((latency.count / (durationMs / 1_000)) * 10) / 10,
    durationMs: Math.round(durationMs),
    latency: latency.summary(),
  };
}

async function pinTarget(
  deps: Pick<ActivityDeps, 'secrets' | 'outbound'>,
  written: string,
): Promise<Awaited<ReturnType<typeof pinnedUrl>>> {
  const used = new Set<string>();
  try {
    return await pinnedUrl(deps.outbound, resolveSecrets(written, deps, used));
  } catch (error) {
    if (error instanceof DestinationRefused)
      permanent('DestinationRefused', `load target ${written} refused: ${redactSecrets(error.message, used)}`);
    throw error;
  }
}

function round4(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}
