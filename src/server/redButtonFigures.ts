import type { ReportView, RunStateView } from '../../workflows/definitions';

/**
 * The Red Button across runs and systems, computed from the runs' own records: is every report
 * answered within the committed time, is the loop closed with the reporter, how fast, what is
 * overdue now, and who reports (anonymous reporters stay anonymous: counted, never named). Pure.
 *
 * golive records one response per report, its resolution, so "first response" is the
 * resolution; a report the run closed without anyone answering (status `closed`) counts as not
 * answered.
 */

export interface ReportRow {
  runId: string;
  system: string;
  id: string;
  severity: ReportView['severity'];
  /** The reporter's id, or "anonymous". */
  reporter: string;
  at: string;
  responseDueAt: string;
  status: ReportView['status'];
  resolvedAt?: string;
  resolvedBy?: string;
  /** Answered by a person within the committed time. */
  inTime: boolean;
  /** Open and past its response deadline now. */
  overdue: boolean;
  description: string;
}

export interface Percentiles {
  count: number;
  /** Milliseconds; null when there is nothing to measure. */
  medianMs: number | null;
  p90Ms: number | null;
}

export interface RedButtonFigures {
  generatedAt: string;
  runs: number;
  reports: number;
  bySystemAndSeverity: { system: string; severity: string; reports: number; open: number; overdue: number }[];
  /** Share (0–1) of reports answered by a person within their response deadline; null without reports. */
  shareAnsweredInTime: number | null;
  /** Share (0–1) of reports resolved with an answer to the reporter (not closed unanswered). */
  shareClosedWithReporter: number | null;
  timeToFirstResponse: Percentiles;
  timeToResolution: Percentiles;
  /** Open reports past their deadline first (oldest deadline first), then the rest, newest first. */
  list: ReportRow[];
  /** Named reporters and how many of their reports were answered (the thank-you); anonymous ones only counted. */
  recognition: { reporter: string; reports: number; answered: number }[];
  anonymousReports: number;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, medianMs: percentile(sorted, 50), p90Ms: percentile(sorted, 90) };
}

function rowOf(runId: string, system: string, r: ReportView, nowMs: number): ReportRow {
  const answered = r.status === 'resolved' && r.resolution !== undefined;
  return {
    runId,
    system,
    id: r.id,
    severity: r.severity,
    reporter: r.reporter,
    at: r.at,
    responseDueAt: r.responseDueAt,
    status: r.status,
    ...(answered ? { resolvedAt: r.resolution!.at, resolvedBy: r.resolution!.by.id } : {}),
    inTime: answered && Date.parse(r.resolution!.at) <= Date.parse(r.responseDueAt),
    overdue: r.status === 'open' && Date.parse(r.responseDueAt) < nowMs,
    description: r.description,
  };
}

const share = (part: number, whole: number) => (whole === 0 ? null : part / whole);

export function redButtonFigures(
  runs: readonly { runId: string; state: Pick<RunStateView, 'system' | 'reports'> }[],
  now: Date,
): RedButtonFigures {
  const rows = runs.flatMap(({ runId, state }) =>
    state.reports.map((r) => rowOf(runId, state.system, r, now.getTime())),
  );
  const answered = rows.filter((r) => r.resolvedAt !== undefined);
  const durations = answered.map((r) => Date.parse(r.resolvedAt!) - Date.parse(r.at));
  const groups = new Map<string, RedButtonFigures['bySystemAndSeverity'][number]>();
  for (const r of rows) {
    const key = `${r.system}\u0000${r.severity}`;
    const g = groups.get(key) ?? { system: r.system, severity: r.severity, reports: 0, open: 0, overdue: 0 };
    g.reports++;
    if (r.status === 'open') g.open++;
    if (r.overdue) g.overdue++;
    groups.set(key, g);
  }
  const named = new Map<string, { reporter: string; reports: number; answered: number }>();
  for (const r of rows.filter((x) => x.reporter !== 'anonymous')) {
    const n = named.get(r.reporter) ?? { reporter: r.reporter, reports: 0, answered: 0 };
    n.reports++;
    if (r.resolvedAt !== undefined) n.answered++;
    named.set(r.reporter, n);
  }
  const overdue = rows.filter((r) => r.overdue).sort((a, b) => a.responseDueAt.localeCompare(b.responseDueAt));
  const rest = rows.filter((r) => !r.overdue).sort((a, b) => b.at.localeCompare(a.at));
  return {
    generatedAt: now.toISOString(),
    runs: runs.length,
    reports: rows.length,
    bySystemAndSeverity: [...groups.values()].sort(
      (a, b) => a.system.localeCompare(b.system) || a.severity.localeCompare(b.severity),
    ),
    shareAnsweredInTime: share(rows.filter((r) => r.inTime).length, rows.length),
    shareClosedWithReporter: share(answered.length, rows.length),
    timeToFirstResponse: percentiles(durations),
    timeToResolution: percentiles(durations),
    list: [...overdue, ...rest],
    recognition: [...named.values()].sort(
      (a, b) => b.answered - a.answered || b.reports - a.reports || a.reporter.localeCompare(b.reporter),
    ),
    anonymousReports: rows.filter((r) => r.reporter === 'anonymous').length,
  };
}

/** Milliseconds as a short duration (ms below a second, else s / min / h). */
export function durationText(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${Math.round(ms / 100) / 10} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 6000) / 10} min`;
  return `${Math.round(ms / 360_000) / 10} h`;
}

const CSV_COLUMNS = [
  'runId',
  'system',
  'id',
  'severity',
  'reporter',
  'at',
  'responseDueAt',
  'status',
  'resolvedAt',
  'resolvedBy',
  'inTime',
  'overdue',
  'description',
] as const;

/** RFC 4180 fields; a leading = + - @ is prefixed so spreadsheets do not run it as a formula. */
function csvField(value: unknown): string {
  let s = value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function reportsCsv(figures: RedButtonFigures): string {
  const lines = [CSV_COLUMNS.join(','), ...figures.list.map((r) => CSV_COLUMNS.map((c) => csvField(r[c])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
