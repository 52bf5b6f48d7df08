import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { ActivityDeps } from './deps';
import { openAlertReceiver } from './alertReceiver';
import { activitySignal } from './context';
import { parseParams, permanent } from './errors';
import { httpCall, parseJsonBody, requireStatus } from './http';
import { monitoringVerifyParams, type MonitoringVerifyResult } from './schemas/monitoringVerify';

const ruleListing = z.object({ rules: z.array(z.object({ name: z.string() })) });

/**
 * Checks the expected rules exist, then asks the alerting pipeline to fire a test alert at a
 * receiver this activity opens, and waits for it to arrive.
 */
export function monitoringVerify(deps: ActivityDeps) {
  return async function monitoringVerify(input: unknown): Promise<MonitoringVerifyResult> {
    const p = parseParams(monitoringVerifyParams, input);
    const rulesFound = p.rulesUrl === undefined ? [] : await requireRules(p.rulesUrl, p.expectRules, p, deps);

    const token = randomUUID();
    const receiver = await openAlertReceiver(p.receiverHost, token);
    const started = performance.now();
    try {
      const res = await httpCall({ url: p.testAlertUrl, method: 'POST', headers: p.headers, timeoutMs: p.timeoutMs, body: { receiverUrl: receiver.url, rule: p.rule, token } }, deps);
      requireStatus(res, undefined, `POST ${p.testAlertUrl}`);
      const arrived = await waitFor(receiver.received, p.deliveryTimeoutSeconds * 1_000, activitySignal());
      if (!arrived) permanent('AlertNotDelivered', `no test alert reached the receiver within ${p.deliveryTimeoutSeconds} s`, { rule: p.rule });
      return { rulesFound, delivered: true, deliveryMs: Math.round(performance.now() - started), rule: p.rule };
    } finally {
      receiver.close();
    }
  };
}

async function requireRules(url: string, expected: string[], p: { headers: Record<string, string>; timeoutMs: number }, deps: ActivityDeps): Promise<string[]> {
  const res = await httpCall({ url, headers: p.headers, timeoutMs: p.timeoutMs }, deps);
  requireStatus(res, undefined, `GET ${url}`);
  const listing = ruleListing.safeParse(parseJsonBody(res));
  if (!listing.success) return permanent('UnexpectedStatus', `GET ${url} answered ${res.status} without a { rules } list`, { status: res.status });
  const names = listing.data.rules.map((r) => r.name);
  const missing = expected.filter((n) => !names.includes(n));
  if (missing.length > 0) permanent('AlertNotDelivered', `alert rules missing: ${missing.join(', ')}`, { missing });
  return expected;
}

/** True when `p` settles in time; rejects with the cancellation if the activity is cancelled. */
function waitFor(p: Promise<unknown>, ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(false), ms);
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    void p.then(() => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    });
  });
}
