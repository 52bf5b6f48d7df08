import type { ActivityDeps } from './deps';
import { heartbeat, idempotencyKey, previousHeartbeat } from './context';
import { parseParams, permanent } from './errors';
import { httpCall, requireStatus, statusMatches } from './http';
import { fieldsEqual, pick, pollUntil } from './polling';
import { rollbackDrillParams, type RollbackDrillResult } from '../src/contract/schemas/actions/rollbackDrill';
import type { z } from 'zod';

type Params = z.output<typeof rollbackDrillParams>;

/** Phases recorded in heartbeats, so a retried attempt does not roll back a restored release. */
interface Checkpoint {
  phase: 'rolled-back';
  previousVersion: string;
  measuredMs: number;
}

/**
 * Rolls back, measures until the previous version serves and is healthy, fails for good if
 * that took longer than the window, else restores the release candidate.
 */
export function rollbackDrill(deps: ActivityDeps) {
  return async function rollbackDrill(input: unknown): Promise<RollbackDrillResult> {
    const p = parseParams(rollbackDrillParams, input);
    const key = idempotencyKey(p.idempotencyKey);
    // Any heartbeat carrying the measurement means the rollback part finished on an earlier attempt.
    const resumed = previousHeartbeat() as Partial<Checkpoint> | undefined;
    const rolled: Checkpoint =
      typeof resumed?.previousVersion === 'string' && typeof resumed.measuredMs === 'number'
        ? { phase: 'rolled-back', previousVersion: resumed.previousVersion, measuredMs: resumed.measuredMs }
        : await rollBack(p, key, deps);
    heartbeat({ ...rolled });
    const restoreMs = await restore(p, key, rolled, deps);
    return {
      previousVersion: rolled.previousVersion,
      measuredMs: rolled.measuredMs,
      windowSeconds: p.windowSeconds,
      restoredVersion: p.releaseVersion,
      restoreMs,
    };
  };
}

async function post(p: Params, url: string, body: Record<string, unknown>, deps: ActivityDeps): Promise<void> {
  const res = await httpCall(
    {
      url,
      method: 'POST',
      headers: { ...p.headers, 'Idempotency-Key': String(body.idempotencyKey) },
      body,
      timeoutMs: p.timeoutMs,
    },
    deps,
  );
  requireStatus(res, undefined, `POST ${url}`);
}

/** Rolls back and measures until the previous version serves healthy, within the window or never. */
async function rollBack(p: Params, key: string, deps: ActivityDeps): Promise<Checkpoint> {
  const started = performance.now();
  await post(p, p.rollbackUrl, { idempotencyKey: `${key}:rollback` }, deps);
  const windowMs = p.windowSeconds * 1_000;
  const deadline = started + windowMs;
  for (;;) {
    const left = deadline - performance.now();
    const served = await pollUntil(
      {
        url: p.versionUrl,
        headers: p.headers,
        watch: [p.versionField],
        intervalMs: p.pollIntervalMs,
        timeoutMs: Math.max(0, left),
        requestTimeoutMs: p.timeoutMs,
        accept: (v) => isPrevious(p, pick(v, p.versionField)),
      },
      deps,
      { phase: 'rolling-back' },
    );
    const previousVersion = String(served.observed[p.versionField]);
    if (served.reached && (await healthy(p, deps))) {
      const measuredMs = Math.round(performance.now() - started);
      if (measuredMs <= windowMs) return { phase: 'rolled-back', previousVersion, measuredMs };
    }
    if (performance.now() >= deadline) {
      return permanent(
        'RollbackWindowMissed',
        `rollback did not serve a healthy previous version within ${p.windowSeconds} s`,
        {
          windowSeconds: p.windowSeconds,
          measuredMs: Math.round(performance.now() - started),
          lastObserved: served.observed,
        },
      );
    }
  }
}

/** Puts the release candidate back; its time in ms. */
async function restore(p: Params, key: string, rolled: Checkpoint, deps: ActivityDeps): Promise<number> {
  const restoreStarted = performance.now();
  await post(p, p.deployUrl, { version: p.releaseVersion, idempotencyKey: `${key}:restore` }, deps);
  const restored = await pollUntil(
    {
      url: p.versionUrl,
      headers: p.headers,
      watch: [p.versionField],
      accept: fieldsEqual({ [p.versionField]: p.releaseVersion }),
      intervalMs: p.pollIntervalMs,
      timeoutMs: p.restoreTimeoutSeconds * 1_000,
      requestTimeoutMs: p.timeoutMs,
    },
    deps,
    { ...rolled, phase: 'restoring' },
  );
  if (!restored.reached) {
    permanent('PollTimedOut', `release ${p.releaseVersion} not serving again within ${p.restoreTimeoutSeconds} s`, {
      ...rolled,
      observed: restored.observed,
    });
  }
  return Math.round(performance.now() - restoreStarted);
}

async function healthy(p: Params, deps: ActivityDeps): Promise<boolean> {
  try {
    return statusMatches(
      (await httpCall({ url: p.healthUrl, headers: p.headers, timeoutMs: p.timeoutMs }, deps)).status,
      undefined,
    );
  } catch {
    return false;
  }
}

function isPrevious(p: Params, version: unknown): boolean {
  if (typeof version !== 'string') return false;
  return p.previousVersion !== undefined ? version === p.previousVersion : version !== p.releaseVersion;
}
