import type { ReportView, RunStateView } from '../contract/definitions';

/**
 * The Red Button across runs and systems, computed from the runs' own records: is every report
 * answered within the committed time, is the loop closed with the reporter, how fast, what is
 * overdue now, and who reports (anonymous reporters stay anonymous: counted, never named). Pure.
 *
 * The first response is a report's acknowledgement, or its resolution when nobody acknowledged
 * it first; the resolution is its own figure. A report the run closed without anyone answering
 * (status `closed`) counts as not answered. Names come from the directory; ids stay the reference.
 */

export interface ReportRow {
  runId: string;
  system: string;
  id: string;
  severity: ReportView['severity'];
  /** The reporter's id, or "anonymous". */
  reporter: string;
  /** The reporter's name (absent for anonymous reporters and people the directory does not know). */
  reporterName?: string;
  at: string;
  responseDueAt: string;
  status: ReportView['status'];
  resolvedAt?: string;
  resolvedBy?: string;
  resolvedByName?: string;
  /** The first response: the acknowledgement, else the resolution. */
  firstResponseAt?: string;
  acknowledgedBy?: string;
  /** A thank-you was recorded on resolution (and sent to a named reporter). */
  thanked: boolean;
  /**
   * Answered by a person within the committed time; null while the report is open and not yet
   * due (neither answered in time nor late: not in `shareAnsweredInTime`).
   */
  inTime: boolean | null;
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
  /** Runs read: those the person may read that went live (with reports or none). */
  runs: number;
  /** Of those, the runs the listed reports are in. */
  runsWithReports: number;
  /** Runs that went live and the person may read, whose state could not be read now (left out of the figures). */
  unread: number;
  /** Older reports the runs' bounded state leaves out (their audit trails hold them), not in these figures. */
  omittedReports: number;
  reports: number;
  bySystemAndSeverity: { system: string; severity: string; reports: number; open: number; overdue: number }[];
  /**
   * Share (0–1) of reports answered by a person within their response deadline, of the reports
   * whose outcome is known (answered, or past their deadline): open reports still within their
   * deadline are in neither part; null when there are none.
   */
  shareAnsweredInTime: number | null;
  /** Open reports not yet due: still within their deadline, left out of `shareAnsweredInTime`. */
  withinDeadline: number;
  /** Share (0–1) of reports resolved with an answer to the reporter (not closed unanswered). */
  shareClosedWithReporter: number | null;
  timeToFirstResponse: Percentiles;
  timeToResolution: Percentiles;
  /** Open reports past their deadline first (oldest deadline first), then the rest, newest first. */
  list: ReportRow[];
  /** Named reporters: reports made, answered, thanked; anonymous ones only counted. */
  recognition: Recognition[];
  anonymousReports: number;
}

export interface Recognition {
  reporter: string;
  name?: string;
  reports: number;
  answered: number;
  thanked: number;
}

export interface FigureOptions {
  unread?: number;
  /** Person id → display name. */
  names?: ReadonlyMap<string, string>;
}

/** "1 report", "3 reports": counts as the page, the CLI and the export word them. */
export const counted = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, medianMs: percentile(sorted, 50), p90Ms: percentile(sorted, 90) };
}

function rowOf(runId: string, system: string, r: ReportView, nowMs: number, names: FigureOptions['names']): ReportRow {
  const answered = r.status === 'resolved' && r.resolution !== undefined;
  const firstResponseAt = r.acknowledgement?.at ?? (answered ? r.resolution!.at : undefined);
  const reporterName = names?.get(r.reporter);
  const resolvedByName = answered ? (names?.get(r.resolution!.by.id) ?? r.resolution!.by.name) : undefined;
  return {
    runId,
    system,
    id: r.id,
    severity: r.severity,
    reporter: r.reporter,
    ...(r.reporter !== 'anonymous' && reporterName ? { reporterName } : {}),
    at: r.at,
    responseDueAt: r.responseDueAt,
    status: r.status,
    ...(answered ? { resolvedAt: r.resolution!.at, resolvedBy: r.resolution!.by.id } : {}),
    ...(resolvedByName ? { resolvedByName } : {}),
    ...(firstResponseAt ? { firstResponseAt } : {}),
    ...(r.acknowledgement ? { acknowledgedBy: r.acknowledgement.by.id } : {}),
    thanked: r.thanks !== undefined,
    inTime:
      r.status === 'open' && Date.parse(r.responseDueAt) >= nowMs
        ? null
        : answered && Date.parse(r.resolution!.at) <= Date.parse(r.responseDueAt),
    overdue: r.status === 'open' && Date.parse(r.responseDueAt) < nowMs,
    description: r.description,
  };
}

const share = (part: number, whole: number) => (whole === 0 ? null : part / whole);

function recognitionOf(rows: readonly ReportRow[]): Recognition[] {
  const named = new Map<string, Recognition>();
  for (const r of rows.filter((x) => x.reporter !== 'anonymous')) {
    const n = named.get(r.reporter) ?? {
      reporter: r.reporter,
      ...(r.reporterName ? { name: r.reporterName } : {}),
      reports: 0,
      answered: 0,
      thanked: 0,
    };
    n.reports++;
    if (r.resolvedAt !== undefined) n.answered++;
    if (r.thanked) n.thanked++;
    named.set(r.reporter, n);
  }
  return [...named.values()].sort(
    (a, b) => b.answered - a.answered || b.reports - a.reports || a.reporter.localeCompare(b.reporter),
  );
}

function bySystemAndSeverity(rows: readonly ReportRow[]): RedButtonFigures['bySystemAndSeverity'] {
  const groups = new Map<string, RedButtonFigures['bySystemAndSeverity'][number]>();
  for (const r of rows) {
    const key = `${r.system}\u0000${r.severity}`;
    const g = groups.get(key) ?? { system: r.system, severity: r.severity, reports: 0, open: 0, overdue: 0 };
    g.reports++;
    if (r.status === 'open') g.open++;
    if (r.overdue) g.overdue++;
    groups.set(key, g);
  }
  return [...groups.values()].sort((a, b) => a.system.localeCompare(b.system) || a.severity.localeCompare(b.severity));
}

const since = (r: ReportRow, at: string | undefined) => (at === undefined ? [] : [Date.parse(at) - Date.parse(r.at)]);

export function redButtonFigures(
  runs: readonly { runId: string; state: Pick<RunStateView, 'system' | 'reports' | 'omitted'> }[],
  now: Date,
  opts: FigureOptions = {},
): RedButtonFigures {
  const rows = runs.flatMap(({ runId, state }) =>
    state.reports.map((r) => rowOf(runId, state.system, r, now.getTime(), opts.names)),
  );
  const answered = rows.filter((r) => r.resolvedAt !== undefined);
  const overdue = rows.filter((r) => r.overdue).sort((a, b) => a.responseDueAt.localeCompare(b.responseDueAt));
  const rest = rows.filter((r) => !r.overdue).sort((a, b) => b.at.localeCompare(a.at));
  return {
    generatedAt: now.toISOString(),
    runs: runs.length,
    runsWithReports: new Set(rows.map((r) => r.runId)).size,
    unread: opts.unread ?? 0,
    omittedReports: runs.reduce((n, { state }) => n + (state.omitted?.reports ?? 0), 0),
    reports: rows.length,
    bySystemAndSeverity: bySystemAndSeverity(rows),
    shareAnsweredInTime: share(rows.filter((r) => r.inTime).length, rows.filter((r) => r.inTime !== null).length),
    withinDeadline: rows.filter((r) => r.inTime === null).length,
    shareClosedWithReporter: share(answered.length, rows.length),
    timeToFirstResponse: percentiles(rows.flatMap((r) => since(r, r.firstResponseAt))),
    timeToResolution: percentiles(answered.flatMap((r) => since(r, r.resolvedAt))),
    list: [...overdue, ...rest],
    recognition: recognitionOf(rows),
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

export const CSV_COLUMNS = [
  'runId',
  'system',
  'id',
  'severity',
  'reporter',
  'reporterName',
  'at',
  'responseDueAt',
  'status',
  'resolvedAt',
  'resolvedBy',
  'resolvedByName',
  'firstResponseAt',
  'acknowledgedBy',
  'thanked',
  'inTime',
  'overdue',
  'description',
] as const;

/** RFC 4180 fields; a leading = + - @ is prefixed so spreadsheets do not run it as a formula. */
function csvField(value: unknown): string {
  let s = value === undefined || value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function reportsCsv(figures: RedButtonFigures): string {
  const lines = [CSV_COLUMNS.join(','), ...figures.list.map((r) => CSV_COLUMNS.map((c) => csvField(r[c])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
