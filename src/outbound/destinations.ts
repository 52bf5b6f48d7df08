import type { IssuePath } from '../runbook/issues';
import type { OutboundPolicy } from './allowlist';

/**
 * The destinations an action call names, for the start check: every `url` / `…Url` field (an
 * HTTP request, a probe, a poll) and every `{host, port}` pair (a TCP check), wherever they sit
 * in the params. Bodies and headers are content, not destinations, and are not searched; a
 * receiver URL is where golive listens, not where it connects.
 */

interface Destination {
  path: IssuePath;
  host: string;
  port: number;
}

const CONTENT_KEYS = new Set(['body', 'extra', 'headers', 'until']);
/** Addresses golive listens on, not ones it dials (monitoring-verify's webhook receiver). */
const LISTEN_KEYS = new Set(['receiverUrl']);
const URL_KEY = /^(url|[a-z][A-Za-z]*Url)$/;
const PLACEHOLDER = '${';

/** host and port of an http(s) URL; undefined when its authority holds a placeholder (a secret). */
function urlDestination(text: string): { host: string; port: number } | 'unknown' | undefined {
  const authority = /^https?:\/\/([^/?#]*)/i.exec(text)?.[1];
  if (authority === undefined) return undefined;
  if (authority.includes(PLACEHOLDER)) return 'unknown';
  try {
    const url = new URL(text.split(PLACEHOLDER)[0] ?? text);
    return { host: url.hostname, port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80) };
  } catch {
    return undefined;
  }
}

function destinationsOf(params: unknown, path: IssuePath = []): Destination[] {
  if (Array.isArray(params)) return params.flatMap((v, i) => destinationsOf(v, [...path, i]));
  if (params === null || typeof params !== 'object') return [];
  const record = params as Record<string, unknown>;
  const out: Destination[] = [];
  const { host, port } = record;
  if (
    typeof host === 'string' &&
    !host.includes(PLACEHOLDER) &&
    (typeof port === 'number' || /^\d+$/.test(String(port)))
  ) {
    out.push({ path: [...path, 'host'], host, port: Number(port) });
  }
  for (const [key, value] of Object.entries(record)) {
    if (CONTENT_KEYS.has(key) || LISTEN_KEYS.has(key)) continue;
    if (typeof value === 'string' && URL_KEY.test(key)) {
      const d = urlDestination(value);
      if (d && d !== 'unknown') out.push({ path: [...path, key], ...d });
    } else if (typeof value === 'object') {
      out.push(...destinationsOf(value, [...path, key]));
    }
  }
  return out;
}

/** One issue per destination the policy refuses, at the field that names it. */
export function outboundIssues(
  params: unknown,
  path: IssuePath,
  policy: OutboundPolicy,
): { path: IssuePath; message: string }[] {
  return destinationsOf(params, path).flatMap((d) => {
    const refusal = policy.refusal(d.host, d.port);
    return refusal ? [{ path: d.path, message: refusal }] : [];
  });
}
