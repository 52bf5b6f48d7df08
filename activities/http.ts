import { fetch } from 'undici';
import type { ActivityDeps } from './deps';
import { permanent, transient } from './errors';
import { activitySignal, rethrowIfCancelled } from './context';
import { redactSecrets, resolveSecrets } from './secrets';
import { guardedAgent, isDestinationRefused } from './outbound';

/**
 * The one HTTP client of the catalog. Callers pass the request as written in the runbook
 * (placeholders intact); secrets are resolved here and every message or evidence uses the
 * unresolved URL, so nothing secret leaves this function.
 */
export interface HttpCall {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  timeoutMs: number;
  insecureTls?: boolean;
}

export interface HttpResult {
  status: number;
  latencyMs: number;
  /** Capped and scrubbed of resolved secrets: safe to keep as evidence. */
  body: string;
}

const maxBodyChars = 64 * 1024;

export type HttpDeps = Pick<ActivityDeps, 'secrets' | 'outbound'>;

/**
 * `detached`: not aborted by the activity's cancellation, for clean-up calls (restoring a fault)
 * that must still go out while the activity is being cancelled; the timeout still applies.
 * `operatorConfigured`: the URL is the operator's own setting (the Slack webhook), not a
 * runbook's, so the outbound policy for runbook destinations does not apply.
 */
export async function httpCall(
  call: HttpCall,
  deps: HttpDeps,
  opts: { detached?: boolean; operatorConfigured?: boolean } = {},
): Promise<HttpResult> {
  const method = (call.method ?? 'GET').toUpperCase();
  const used = new Set<string>();
  const url = resolveSecrets(call.url, deps, used);
  const headers: Record<string, string> = resolveSecrets(call.headers ?? {}, deps, used);
  let body: string | undefined;
  if (call.body !== undefined) {
    const resolved = resolveSecrets(call.body, deps, used);
    body = typeof resolved === 'string' ? resolved : JSON.stringify(resolved);
    if (typeof resolved !== 'string' && !hasHeader(headers, 'content-type'))
      headers['content-type'] = 'application/json';
  }
  const cancel = opts.detached ? new AbortController().signal : activitySignal();
  const timeout = AbortSignal.timeout(call.timeoutMs);
  const started = performance.now();
  try {
    const res = await fetch(url, {
      method,
      headers,
      body,
      signal: AbortSignal.any([cancel, timeout]),
      ...(opts.operatorConfigured ? {} : { dispatcher: guardedAgent(deps.outbound, call.insecureTls) }),
    });
    const text = await res.text();
    return {
      status: res.status,
      latencyMs: round(performance.now() - started),
      body: redactSecrets(text.length > maxBodyChars ? text.slice(0, maxBodyChars) : text, used),
    };
  } catch (error) {
    rethrowIfCancelled(cancel);
    const where = `${method} ${call.url}`;
    const refused = isDestinationRefused(error);
    if (refused) return permanent('DestinationRefused', `${where} refused: ${redactSecrets(refused.message, used)}`);
    if (timeout.aborted) return transient('Timeout', `${where} timed out after ${call.timeoutMs} ms`);
    return transient('ConnectionFailed', `${where} failed: ${redactSecrets(describe(error), used)}`);
  }
}

/** `expect` absent means any 2xx. */
export function statusMatches(status: number, expect: number | number[] | undefined): boolean {
  if (expect === undefined) return status >= 200 && status < 300;
  return Array.isArray(expect) ? expect.includes(status) : status === expect;
}

/** Statuses that say "not now" rather than "no": overloaded, restarting, rate-limited. */
function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

export function requireStatus(res: HttpResult, expect: number | number[] | undefined, where: string): void {
  if (statusMatches(res.status, expect)) return;
  // Status and URL only: a step's error is read by everyone who reads the run, and the body of
  // whatever answered is not theirs to read.
  const details = { status: res.status };
  // A 5xx from a deploy hook or webhook usually passes; the retry policy decides how long to wait.
  if (isTransientStatus(res.status)) transient('ServerError', `${where} answered ${res.status}`, details);
  permanent('UnexpectedStatus', `${where} answered ${res.status}`, details);
}

export function parseJsonBody(res: HttpResult): unknown {
  try {
    return JSON.parse(res.body) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Prometheus's own words when it refuses a reload ("failed to reload config: …"), and nothing
 * else of a response body: step errors are read by everyone who reads the run, so no service's
 * answer is echoed into them (a runbook could point a URL at something it should not read).
 */
export function prometheusReloadError(body: string): string | undefined {
  return /^(?:failed to reload config|error loading rule)[^\n]{0,300}/i.exec(body.trim())?.[0];
}

export function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((h) => h.toLowerCase() === name);
}

/** undici wraps the socket error as `cause`; its code (ECONNREFUSED…) is what an operator needs. */
function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause as { code?: string; message?: string } | undefined;
    return cause?.code ?? cause?.message ?? error.message;
  }
  return String(error);
}
