import net from 'node:net';
import type { ActivityDeps } from './deps';
import { activitySignal, rethrowIfCancelled } from './context';
import { parseParams, permanent, transient } from './errors';
import { DestinationRefused, dialAddress } from './outbound';
import { round } from './http';
import { tcpCheckParams, type TcpCheckResult } from '../src/contract/schemas/actions/tcpCheck';

type Target = TcpCheckResult['targets'][number];

/** A port accepting a connection is all this proves: reachability of databases, brokers. */
export function tcpCheck(deps: ActivityDeps) {
  return async function tcpCheck(input: unknown): Promise<TcpCheckResult> {
    const params = parseParams(tcpCheckParams, input);
    const signal = activitySignal();
    // Every target is checked against the outbound policy before any is dialled.
    const dials = await Promise.all(
      params.targets.map((t) => dialAddress(deps.outbound, t.host, t.port).catch(refusedOrProblem)),
    );
    const targets = await Promise.all(
      params.targets.map((t, i) => {
        const dial = dials[i]!;
        const outcome =
          'problem' in dial
            ? Promise.resolve({ ok: false, problem: dial.problem })
            : connect(dial.address, t.port, t.timeoutMs, signal);
        return outcome.then((r) => ({ name: t.name ?? `${t.host}:${t.port}`, host: t.host, port: t.port, ...r }));
      }),
    );
    rethrowIfCancelled(signal);
    const failed = targets.filter((t) => !t.ok);
    if (failed.length > 0) {
      transient(
        'Unreachable',
        `unreachable: ${failed.map((f) => `${f.name} at ${f.host.includes(':') ? `[${f.host}]` : f.host}:${f.port} (${f.problem})`).join('; ')}`,
        { targets },
      );
    }
    return { targets };
  };
}

/** A refused destination fails the step for good; a name that does not resolve is "unreachable". */
function refusedOrProblem(error: unknown): { problem: string } {
  if (error instanceof DestinationRefused) permanent('DestinationRefused', error.message);
  return { problem: (error as NodeJS.ErrnoException).code ?? String(error) };
}

function connect(
  host: string,
  port: number,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<Omit<Target, 'name' | 'host' | 'port'>> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, signal, timeout: timeoutMs });
    const done = (ok: boolean, problem?: string) => {
      socket.destroy();
      resolve(ok ? { ok, latencyMs: round(performance.now() - started) } : { ok, problem: problem ?? 'failed' });
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false, `no connection within ${timeoutMs} ms`));
    socket.once('error', (err: NodeJS.ErrnoException) => done(false, err.code ?? err.message));
  });
}
