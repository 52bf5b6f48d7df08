import { CancellationScope, isCancellation, patched, sleep } from '@temporalio/workflow';
import type { TargetSnapshotResult } from '../src/contract/schemas/actions/targetSnapshot';
import { durationToMs } from '../src/contract/duration';
import type { HypercareStep, TargetWatch, WatchProbe } from '../src/contract/schemas/runbook';
import { watchCall } from '../src/contract/watchCall';
import { runAction } from './actions';
import { GOLIVE_ACTOR } from './analysis';
import { nowIso, nowMs } from './clock';
import { failureMessage, type RunContext } from './runContext';
import { canonicalJson } from '../src/contract/sha256';
import { TARGET_WATCH_SUMMARY } from '../src/contract/activitySummary';

/**
 * The hypercare watch of the target: the first reading after go-live is the baseline (the target
 * as this run left it: version, bindings, alert rules); every `interval` golive reads it again,
 * and a probe whose fields differ from the baseline raises a Red Button report by golive — once
 * per change: it reports again only when the fields change again or came back and left again.
 * A probe that cannot be read is not a change (outages are what the analyses watch). The
 * baseline and what was seen are kept in the hypercare step's result, carried across
 * continue-as-new.
 */

type Values = Record<string, unknown>;

export interface WatchStatus {
  baselineAt?: string;
  baseline: Record<string, Values>;
  readings: number;
  lastAt?: string;
  /** Probes whose fields differ from the baseline now, with what they read. */
  changed: Record<string, { since: string; values: Values }>;
  reports: number;
  /** Probes the last reading could not read, and why. */
  unreadable: Record<string, string>;
}

export interface WatchHandle {
  stop(): Promise<void>;
}

const none: WatchHandle = { stop: async () => undefined };

export function watchTarget(ctx: RunContext, step: HypercareStep): WatchHandle {
  const watch = step.watch;
  if (!watch || !patched('golive-target-watch')) return none;
  const scope = new CancellationScope();
  const loop = scope.run(() => run(ctx, step, watch));
  return {
    stop: async () => {
      scope.cancel();
      await loop.catch(() => undefined);
    },
  };
}

function statusOf(ctx: RunContext, step: HypercareStep): WatchStatus {
  const view = ctx.state.stepView(step.id);
  const result = (view.result ??= {}) as { watch?: WatchStatus };
  return (result.watch ??= { baseline: {}, readings: 0, changed: {}, reports: 0, unreadable: {} });
}

async function run(ctx: RunContext, step: HypercareStep, watch: TargetWatch): Promise<void> {
  const status = statusOf(ctx, step);
  try {
    // A run carried across continue-as-new already has its baseline: wait before reading again.
    if (status.baselineAt !== undefined) await sleep(durationToMs(watch.interval));
    for (;;) {
      const reading = await read(watch);
      status.readings++;
      status.lastAt = nowIso();
      compare(ctx, step, watch, status, reading);
      await sleep(durationToMs(watch.interval));
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
  }
}

async function read(watch: TargetWatch): Promise<TargetSnapshotResult['probes']> {
  try {
    return ((await runAction(watchCall(watch), TARGET_WATCH_SUMMARY)) as TargetSnapshotResult).probes;
  } catch (err) {
    if (isCancellation(err)) throw err;
    const problem = failureMessage(err);
    return watch.probes.map((p) => ({ id: p.id, url: p.url, ok: false, problem }));
  }
}

function compare(
  ctx: RunContext,
  step: HypercareStep,
  watch: TargetWatch,
  status: WatchStatus,
  probes: TargetSnapshotResult['probes'],
): void {
  status.unreadable = {};
  for (const probe of probes) {
    if (!probe.ok || !probe.values) {
      status.unreadable[probe.id] = probe.problem ?? 'not read';
      continue;
    }
    const baseline = status.baseline[probe.id];
    if (baseline === undefined) {
      status.baseline[probe.id] = probe.values;
      status.baselineAt ??= nowIso();
      continue;
    }
    if (canonicalJson(baseline) === canonicalJson(probe.values)) {
      delete status.changed[probe.id];
      continue;
    }
    const seen = status.changed[probe.id];
    if (seen && canonicalJson(seen.values) === canonicalJson(probe.values)) continue;
    status.changed[probe.id] = { since: nowIso(), values: probe.values };
    report(
      ctx,
      step,
      watch,
      status,
      watch.probes.find((p) => p.id === probe.id),
      baseline,
      probe.values,
    );
  }
}

const shown = (v: unknown) => {
  const text = JSON.stringify(v) ?? 'null';
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
};

function report(
  ctx: RunContext,
  step: HypercareStep,
  watch: TargetWatch,
  status: WatchStatus,
  probe: WatchProbe | undefined,
  before: Values,
  now: Values,
): void {
  status.reports++;
  const changes = Object.keys({ ...before, ...now })
    .filter((k) => canonicalJson(before[k] ?? null) !== canonicalJson(now[k] ?? null))
    .map((k) => `${k}: was ${shown(before[k] ?? null)}, now ${shown(now[k] ?? null)}`);
  const description =
    `The target changed during hypercare, and not by this run: "${probe?.title ?? probe?.id}" (${probe?.url ?? ''}) is no longer as the go-live left it ` +
    `(baseline read ${status.baselineAt ?? 'at the start of hypercare'}).\n${changes.join('\n')}\n` +
    'Find out who changed it; if it was not meant to happen, put it back or stop the line.';
  ctx.state.addReport(
    {
      severity: watch.severity,
      description,
      reporter: GOLIVE_ACTOR.id,
      at: nowIso(),
      responseDueAt: new Date(nowMs() + durationToMs(step.responseDeadline)).toISOString(),
      status: 'open',
      escalationLevel: 0,
    },
    undefined,
  );
}
