import { CancellationScope, isCancellation, patched, sleep } from '@temporalio/workflow';
import type { MetricsCheckResult } from '../src/contract/schemas/actions/metricsCheck';
import { analysisCall } from '../src/contract/analysisCall';
import { durationToMs } from '../src/contract/duration';
import type { Analysis, HypercareStep } from '../src/contract/schemas/runbook';
import { runAction } from './actions';
import { nowIso, nowMs } from './clock';
import type { Actor } from '../src/contract/definitions';
import { failureMessage, type RunContext } from './runContext';
import { analysisSummary } from '../src/contract/activitySummary';

/**
 * Automated analysis during hypercare: each analysis of the step measures its PromQL query every
 * `interval` (a durable timer, then a metrics-check activity). `failureLimit` failed measurements
 * in a row are a breach: golive raises a Red Button report itself, which people see, answer and
 * close like any report, and with `onBreach: stop` it stops the line. A breached analysis reports
 * again only after it has recovered. Progress is kept in the hypercare step's result, so it is
 * visible in the run and carried across continue-as-new.
 */

export const GOLIVE_ACTOR: Actor = { id: 'golive', name: 'golive' };
const KEEP_MEASUREMENTS = 10;

export interface AnalysisStatus {
  id: string;
  consecutiveFailures: number;
  measurements: number;
  breaches: number;
  /** Set while breached, cleared by the next passing measurement. */
  breachedAt?: string;
  last: { at: string; passed: boolean; values: (number | null)[]; error?: string }[];
}

export interface AnalysesHandle {
  stop(): Promise<void>;
}

const none: AnalysesHandle = { stop: async () => undefined };

/** Starts the step's analyses beside the hypercare watch; `stop()` ends them (checkpoint, end, stop). */
export function watchAnalyses(ctx: RunContext, step: HypercareStep): AnalysesHandle {
  // Runs recorded before analyses existed carry hypercare steps without the field.
  const analyses = step.analyses ?? [];
  if (analyses.length === 0 || !patched('golive-hypercare-analyses')) return none;
  const scope = new CancellationScope();
  const loops = analyses.map((a) => scope.run(() => watch(ctx, step, a)));
  return {
    stop: async () => {
      scope.cancel();
      await Promise.allSettled(loops);
    },
  };
}

function statusOf(ctx: RunContext, step: HypercareStep, a: Analysis): AnalysisStatus {
  const view = ctx.state.stepView(step.id);
  // The hypercare step's result also carries the target watch (targetWatch.ts).
  const result = (view.result ??= { analyses: [] }) as { analyses?: AnalysisStatus[] };
  const list = (result.analyses ??= []);
  let status = list.find((s) => s.id === a.id);
  if (!status) {
    status = { id: a.id, consecutiveFailures: 0, measurements: 0, breaches: 0, last: [] };
    list.push(status);
  }
  return status;
}

async function watch(ctx: RunContext, step: HypercareStep, a: Analysis): Promise<void> {
  const status = statusOf(ctx, step, a);
  try {
    for (;;) {
      await sleep(durationToMs(a.interval));
      const m = await measure(a);
      status.measurements++;
      status.last = [...status.last, m].slice(-KEEP_MEASUREMENTS);
      if (m.passed) {
        status.consecutiveFailures = 0;
        delete status.breachedAt;
        continue;
      }
      status.consecutiveFailures++;
      if (status.consecutiveFailures >= a.failureLimit && status.breachedAt === undefined) breach(ctx, step, a, status);
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
  }
}

async function measure(a: Analysis): Promise<AnalysisStatus['last'][number]> {
  const at = nowIso();
  try {
    const result = (await runAction(analysisCall(a), analysisSummary(a.id))) as MetricsCheckResult;
    const m = result.checks[0]?.measurements[0];
    return { at, passed: result.passed, values: m?.values ?? [], ...(m?.error ? { error: m.error } : {}) };
  } catch (err) {
    // Monitoring that cannot answer is not evidence of health: a failed measurement.
    if (isCancellation(err)) throw err;
    return { at, passed: false, values: [], error: failureMessage(err) };
  }
}

function breach(ctx: RunContext, step: HypercareStep, a: Analysis, status: AnalysisStatus): void {
  const at = nowIso();
  status.breachedAt = at;
  status.breaches++;
  const last = status.last.at(-1);
  const seen =
    last?.error ??
    (last?.values.map((v) => (v === null ? 'Inf' : String(Math.round(v * 10_000) / 10_000))).join(', ') || 'no data');
  const bounds = [a.max !== undefined ? `max ${a.max}` : '', a.min !== undefined ? `min ${a.min}` : '']
    .filter(Boolean)
    .join(', ');
  const description =
    `Automated analysis "${a.title ?? a.id}" breached: ${a.failureLimit} failed measurement(s) in a row (every ${a.interval}); ` +
    `last measured ${seen} (${bounds}). Query: ${a.query}` +
    (a.onBreach === 'stop'
      ? '\nThe runbook says to stop the line on this breach: the go-live is being rolled back.'
      : '');
  ctx.state.addReport(
    {
      severity: a.severity,
      description,
      reporter: GOLIVE_ACTOR.id,
      at,
      responseDueAt: new Date(nowMs() + durationToMs(step.responseDeadline)).toISOString(),
      status: 'open',
      escalationLevel: 0,
    },
    undefined,
  );
  if (a.onBreach === 'stop')
    ctx.abort({
      kind: 'stopped',
      stepId: step.id,
      by: GOLIVE_ACTOR,
      reason: `analysis ${a.id} breached (${seen}; ${bounds})`,
      at,
    });
}
