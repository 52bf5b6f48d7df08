import { heartbeat, sleep } from './context';
import { isTransient } from './errors';
import { httpCall, parseJsonBody, type HttpDeps } from './http';

/** Reads a dot path (`status.phase`) from parsed JSON. */
export function pick(value: unknown, path: string): unknown {
  let cur = value;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

export interface PollOutcome {
  reached: boolean;
  polls: number;
  elapsedMs: number;
  /**
   * What the last poll saw of the watched fields (or its status, or the transport failure), for
   * the evidence and the failure message: only those fields, never the rest of the body.
   */
  observed: Record<string, unknown>;
}

/** An `until` spec as a predicate: every dot-path field equals its value. */
export function fieldsEqual(until: Record<string, unknown>): (json: unknown) => boolean {
  return (json) => Object.entries(until).every(([path, want]) => pick(json, path) === want);
}

/**
 * GETs `url` until `accept` holds for its JSON or `timeoutMs` passes. Errors and bad statuses
 * count as "not yet": a target mid-rollout may well refuse connections. Heartbeats each poll.
 */
export async function pollUntil(
  spec: {
    url: string;
    headers: Record<string, string>;
    watch: string[];
    accept: (json: unknown) => boolean;
    intervalMs: number;
    timeoutMs: number;
    requestTimeoutMs?: number;
  },
  deps: HttpDeps,
  progress: Record<string, unknown>,
): Promise<PollOutcome> {
  const started = performance.now();
  let polls = 0;
  let observed: Record<string, unknown> = {};
  for (;;) {
    polls += 1;
    const elapsed = performance.now() - started;
    const remaining = spec.timeoutMs - elapsed;
    try {
      const res = await httpCall(
        {
          url: spec.url,
          headers: spec.headers,
          timeoutMs: Math.round(Math.max(50, Math.min(spec.requestTimeoutMs ?? 5_000, remaining))),
        },
        deps,
      );
      const json = res.status >= 200 && res.status < 300 ? parseJsonBody(res) : undefined;
      observed =
        json === undefined
          ? { status: res.status }
          : Object.fromEntries(spec.watch.map((field) => [field, pick(json, field)]));
      if (json !== undefined && spec.accept(json)) {
        return { reached: true, polls, elapsedMs: Math.round(performance.now() - started), observed };
      }
    } catch (error) {
      // Transport trouble means "not yet"; cancellation and missing secrets do not.
      if (!isTransient(error)) throw error;
      observed = { error: error instanceof Error ? error.message : String(error) };
    }
    heartbeat({ ...progress, polls, observed });
    const left = spec.timeoutMs - (performance.now() - started);
    if (left <= 0) return { reached: false, polls, elapsedMs: Math.round(performance.now() - started), observed };
    await sleep(Math.ceil(Math.min(spec.intervalMs, left)));
  }
}
