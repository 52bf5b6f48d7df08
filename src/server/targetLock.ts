import { createHash } from 'node:crypto';
import type { GoLiveInput } from '../contract/definitions';

/**
 * Which production target a run goes live on, and the workflow id that holds it
 * (src/server/targetHold.ts): one id per target, so Temporal's one-workflow-per-id is the lock.
 */

/**
 * The target a run's input names: the runbook's `target` as filled at start (URLs compared by
 * scheme, host, port and path, so `http://Host:80/` and `http://host` are one target, and the
 * loopback by any of its names), else its system name.
 */
export function targetOf(input: Pick<GoLiveInput, 'runbook' | 'system'>): string {
  const declared = input.runbook.target?.trim();
  if (!declared) return `system ${input.system}`;
  try {
    const u = new URL(declared);
    if (u.protocol === 'http:' || u.protocol === 'https:')
      return `${u.protocol}//${hostOf(u)}${u.pathname.replace(/\/+$/, '')}${u.search}`;
  } catch {
    // not a URL: the text itself names the target
  }
  return declared;
}

/**
 * The URL's host and port, every name of this machine's loopback written as `localhost`: the
 * same production reached as `localhost`, `127.0.0.1` or `[::1]` is one target (found by QA: a
 * second run on `localhost` rolled back the live system the first run held as `127.0.0.1`).
 * Other aliases (two DNS names, one server) are beyond what a URL can tell.
 */
function hostOf(u: URL): string {
  const h = u.hostname;
  const loopback = h === 'localhost' || h.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(h) || h === '[::1]';
  return loopback ? `localhost${u.port ? `:${u.port}` : ''}` : u.host;
}

/** A target's hold (or lock) id: this prefix and the first 32 hex digits of the target's SHA-256. */
const HOLD_ID_PREFIX = 'golive-target-';
const HOLD_ID_HEX = 32;
const HOLD_ID = new RegExp(`^${HOLD_ID_PREFIX}[0-9a-f]{${HOLD_ID_HEX}}$`);

export function lockIdFor(target: string): string {
  return `${HOLD_ID_PREFIX}${createHash('sha256').update(target).digest('hex').slice(0, HOLD_ID_HEX)}`;
}

/**
 * A target's hold or lock workflow, not a run (a run's id is `golive-<system>-<8 hex>`, which
 * never has 32 hex digits after `golive-target-`). Asked for as a run, it was queried or sent an
 * Update that no worker would ever take: a 503 "no worker answered" after 20 s, for ever.
 */
export function isTargetHoldId(id: string): boolean {
  return HOLD_ID.test(id);
}
