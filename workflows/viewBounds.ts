import type { RunStateView } from '../src/contract/definitions';

/**
 * The run-state query answers with a bounded record (issue 16): a hypercare of thousands of Red
 * Button reports would otherwise answer with megabytes (≈290 B per report, more with its
 * escalations) and approach Temporal's payload limits, and every look at the run would pay for
 * it. The answer keeps what people act on — every open report up to a cap, oldest (most
 * overdue) first — and the most recent of the rest, and says how many it left out. The run's
 * result (what the audit trail and the dossier read) and its carried state keep everything.
 */
export const VIEW_LIMITS = {
  openReports: 1000,
  otherReports: 200,
  escalations: 200,
  refusedSignals: 100,
} as const;

type Bounded = Pick<RunStateView, 'reports' | 'escalations' | 'refusedSignals' | 'omitted'>;

const lastOf = <T>(list: readonly T[], n: number): T[] => (list.length > n ? list.slice(list.length - n) : [...list]);

export function boundedRecords(all: Pick<RunStateView, 'reports' | 'escalations' | 'refusedSignals'>): Bounded {
  const { reports, escalations, refusedSignals } = all;
  const fits =
    reports.length <= Math.min(VIEW_LIMITS.openReports, VIEW_LIMITS.otherReports) &&
    escalations.length <= VIEW_LIMITS.escalations &&
    refusedSignals.length <= VIEW_LIMITS.refusedSignals;
  if (fits) return { reports, escalations, refusedSignals };
  const open = reports.filter((r) => r.status === 'open').slice(0, VIEW_LIMITS.openReports);
  const others = lastOf(
    reports.filter((r) => r.status !== 'open'),
    VIEW_LIMITS.otherReports,
  );
  const kept = new Set([...open, ...others]);
  const keptReports = reports.filter((r) => kept.has(r)); // in the run's order
  const keptEscalations = lastOf(escalations, VIEW_LIMITS.escalations);
  const keptRefusals = lastOf(refusedSignals, VIEW_LIMITS.refusedSignals);
  const omitted = {
    reports: reports.length - keptReports.length,
    openReports: reports.filter((r) => r.status === 'open').length - open.length,
    escalations: escalations.length - keptEscalations.length,
    refusedSignals: refusedSignals.length - keptRefusals.length,
  };
  return {
    reports: keptReports,
    escalations: keptEscalations,
    refusedSignals: keptRefusals,
    ...(omitted.reports + omitted.escalations + omitted.refusedSignals > 0 ? { omitted } : {}),
  };
}
