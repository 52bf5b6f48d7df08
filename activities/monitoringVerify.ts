import { randomUUID } from 'node:crypto';
import type { ActivityDeps } from './deps';
import { openAlertReceiver } from './alertReceiver';
import { activitySignal, heartbeat, sleep } from './context';
import { parseParams, permanent, transient } from './errors';
import { httpCall, requireStatus } from './http';
import { activeTargets, loadedRules, type LoadedRule, type Target } from './prometheusApi';
import { monitoringVerifyParams, type MonitoringVerifyResult } from '../src/contract/schemas/actions/monitoringVerify';

type Params = ReturnType<typeof monitoringVerifyParams.parse>;

/**
 * Proves the monitoring works end to end: Prometheus has loaded the expected alert rules and
 * scrapes the target (both checked through its HTTP API, waiting for the next evaluation and
 * scrape), then a test alert posted to Alertmanager's API v2 must reach the webhook receiver
 * Alertmanager is configured with, which this activity opens. The delivery time is the evidence.
 */
export function monitoringVerify(deps: ActivityDeps) {
  return async function monitoringVerify(input: unknown): Promise<MonitoringVerifyResult> {
    const p = parseParams(monitoringVerifyParams, input);
    const deadline = performance.now() + p.deliveryTimeoutSeconds * 1_000;
    const rulesFound = await waitUntilReady('rules', deadline, () => rulesReady(p, deps));
    const target = p.target ? await waitUntilReady('target', deadline, () => targetReady(p, deps)) : undefined;
    const delivery = await deliverTestAlert(p, deps, deadline);
    return { rulesFound, ...(target ? { target } : {}), delivered: true, ...delivery, alertname: p.alertname };
  };
}

type Check<T> = { ready: true; value: T } | { ready: false; why: string };

/** Prometheus loads rules at reload and scrapes on its interval: poll until ready or the deadline. */
async function waitUntilReady<T>(what: string, deadline: number, check: () => Promise<Check<T>>): Promise<T> {
  for (;;) {
    const outcome = await check();
    if (outcome.ready) return outcome.value;
    heartbeat({ phase: what, waiting: outcome.why });
    if (performance.now() >= deadline) return permanent('MonitoringNotReady', outcome.why);
    await sleep(Math.min(1_000, Math.max(50, deadline - performance.now())));
  }
}

async function rulesReady(p: Params, deps: ActivityDeps): Promise<Check<string[]>> {
  const rules = await loadedRules(p, deps);
  const byName = new Map<string, LoadedRule>(rules.map((r) => [r.name, r]));
  const missing = p.expectRules.filter((n) => !byName.has(n));
  if (missing.length > 0) return { ready: false, why: `alert rules not loaded in Prometheus: ${missing.join(', ')}` };
  const broken = p.expectRules.filter((n) => byName.get(n)?.health === 'err');
  if (broken.length > 0)
    return permanent(
      'MonitoringNotReady',
      `alert rules fail to evaluate: ${broken.map((n) => `${n} (${byName.get(n)?.lastError ?? 'error'})`).join(', ')}`,
    );
  return { ready: true, value: p.expectRules };
}

async function targetReady(
  p: Params,
  deps: ActivityDeps,
): Promise<Check<NonNullable<MonitoringVerifyResult['target']>>> {
  const want = p.target!;
  const targets = (await activeTargets(p, deps)).filter(
    (t: Target) => t.labels.job === want.job && (want.instance === undefined || t.labels.instance === want.instance),
  );
  const up = targets.find((t) => t.health === 'up');
  if (!up) {
    const seen = targets
      .map((t) => `${t.labels.instance} ${t.health}${t.lastError ? ` (${t.lastError})` : ''}`)
      .join('; ');
    return {
      ready: false,
      why: `no scrape target of job "${want.job}" is up${seen ? `: ${seen}` : ' (no such target)'}`,
    };
  }
  return {
    ready: true,
    value: { job: want.job, instance: up.labels.instance ?? '', health: up.health, lastScrape: up.lastScrape ?? '' },
  };
}

async function deliverTestAlert(
  p: Params,
  deps: ActivityDeps,
  deadline: number,
): Promise<{ deliveryMs: number; receiver?: string }> {
  const token = randomUUID();
  const receiver = await openAlertReceiver(new URL(p.receiverUrl), token).catch((e: NodeJS.ErrnoException) =>
    transient('Unreachable', `cannot listen at ${p.receiverUrl} for the test alert: ${e.code ?? e.message}`),
  );
  const url = `${p.alertmanagerUrl.replace(/\/$/, '')}/api/v2/alerts`;
  const alert = (endsAt: Date) => [
    {
      labels: { ...p.labels, alertname: p.alertname, severity: 'info', golive_token: token },
      annotations: {
        summary: 'golive test alert: proves alerts reach their receiver',
        description: 'Sent by golive monitoring-verify; resolves by itself.',
      },
      startsAt: new Date().toISOString(),
      endsAt: endsAt.toISOString(),
    },
  ];
  try {
    const started = performance.now();
    const res = await httpCall(
      {
        url,
        method: 'POST',
        headers: p.alertmanagerHeaders,
        timeoutMs: p.timeoutMs,
        body: alert(new Date(Date.now() + 5 * 60_000)),
      },
      deps,
    );
    requireStatus(res, undefined, `POST ${url}`);
    const arrival = await waitFor(receiver.received, Math.max(0, deadline - performance.now()), activitySignal());
    if (!arrival)
      permanent(
        'AlertNotDelivered',
        `no test alert reached ${p.receiverUrl} within ${p.deliveryTimeoutSeconds} s: is Alertmanager routing ${p.alertname} to a webhook receiver with that URL?`,
      );
    // Resolve it at once so the test alert does not linger in Alertmanager.
    await httpCall(
      { url, method: 'POST', headers: p.alertmanagerHeaders, timeoutMs: p.timeoutMs, body: alert(new Date()) },
      deps,
    ).catch(() => undefined);
    const payload = arrival.payload as { receiver?: unknown };
    return {
      deliveryMs: Math.round(arrival.at - started),
      ...(typeof payload?.receiver === 'string' ? { receiver: payload.receiver } : {}),
    };
  } finally {
    receiver.close();
  }
}

/** The value when `p` settles in time, undefined otherwise; rejects on cancellation. */
function waitFor<T>(p: Promise<T>, ms: number, signal: AbortSignal): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    void p.then((v) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(v);
    });
  });
}
