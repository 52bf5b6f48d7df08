import { z } from 'zod';
import {
  acknowledgementBodySchema,
  reasonBodySchema,
  redButtonQuerySchema,
  reportBodySchema,
  resolutionBodySchema,
} from '../../server/api';
import { counted, durationText, type RedButtonFigures } from '../../server/redButtonFigures';
import type { ReportView } from '../../contract/definitions';
import { resolveReportSchema, severitySchema } from '../../contract/schemas/messages';
import type { FieldFlags } from '../api';
import { defineCommand, jsonFlag } from '../args';
import type { CommandContext } from '../context';
import { isFinalStatus } from '../../contract/runStatus';
import { EXIT } from '../errors';
import { followRun } from '../follow';
import { print, printJson, say } from '../output';
import { runArg, runSchema } from './runs';

/** The Red Button from a terminal: report an AI error, resolve a report, stop the line, roll back. */

const jsonOption = { type: 'boolean', description: "print the server's answer as JSON" } as const;
const FLAGS: FieldFlags = {
  severity: '--severity',
  description: '--description',
  anonymous: '--anonymous',
  resolution: '--resolution',
  text: '--text',
  reason: '--reason',
};

function printReport(ctx: CommandContext, report: ReportView): void {
  print(
    ctx.io,
    `${report.id}: ${report.severity} report ${report.status}${report.status === 'open' ? `, response due ${report.responseDueAt}` : ''}`,
  );
  const ack = report.acknowledgement;
  if (ack) print(ctx.io, `acknowledged by ${ack.by.name ?? ack.by.id}: ${ack.text}`);
}

export const report = defineCommand({
  name: 'report',
  group: 'red-button',
  summary: 'Red Button: report something the AI got wrong.',
  description:
    'With --anonymous your name stays out of the record; keep the receipt printed, it proves the report was yours.',
  positionals: [runArg],
  options: {
    severity: { type: 'string', value: 'S', description: severitySchema.options.join(' | ') },
    description: { type: 'string', value: 'TEXT', description: 'what happened' },
    anonymous: { type: 'boolean', description: 'keep your name out of the record' },
    json: jsonOption,
  },
  schema: z.object({
    run: runSchema,
    severity: reportBodySchema.shape.severity,
    description: reportBodySchema.shape.description,
    anonymous: z.boolean().default(false),
    json: jsonFlag,
  }),
  examples: ['golive report "$RUN" --severity high --description "declined every applicant over 70"'],
  async run(input, ctx) {
    const api = await ctx.api();
    const answer = await api.report(
      input.run,
      { severity: input.severity, description: input.description, anonymous: input.anonymous },
      FLAGS,
    );
    if (input.json) return printJson(ctx.io, answer);
    printReport(ctx, answer.report);
    if (answer.receipt) {
      print(ctx.io, `receipt: ${answer.receipt}`);
      say(ctx.io, 'keep the receipt: it is shown once, and proves the report was yours without naming you');
    }
  },
});

export const resolve = defineCommand({
  name: 'resolve',
  group: 'red-button',
  summary: 'Resolve a Red Button report.',
  positionals: [runArg, { name: 'REPORT', description: 'the report id (golive status RUN lists them)' }],
  options: { resolution: { type: 'string', value: 'TEXT', description: 'what was done about it' }, json: jsonOption },
  schema: z.object({
    run: runSchema,
    report: resolveReportSchema.shape.reportId,
    resolution: resolutionBodySchema.shape.resolution,
    json: jsonFlag,
  }),
  examples: ['golive resolve "$RUN" report-1 --resolution "age feature removed, model retrained"'],
  async run(input, ctx) {
    const api = await ctx.api();
    const answer = await api.resolveReport(input.run, input.report, { resolution: input.resolution }, FLAGS);
    if (input.json) return printJson(ctx.io, answer);
    printReport(ctx, answer.report);
  },
});

export const acknowledge = defineCommand({
  name: 'acknowledge',
  group: 'red-button',
  summary: 'Acknowledge a Red Button report: its first response, before the resolution.',
  positionals: [runArg, { name: 'REPORT', description: 'the report id (golive status RUN lists them)' }],
  options: {
    text: { type: 'string', value: 'TEXT', description: 'the first response the reporter reads' },
    json: jsonOption,
  },
  schema: z.object({
    run: runSchema,
    report: resolveReportSchema.shape.reportId,
    text: acknowledgementBodySchema.shape.text,
    json: jsonFlag,
  }),
  examples: ['golive acknowledge "$RUN" R1 --text "Seen, we are on it."'],
  async run(input, ctx) {
    const api = await ctx.api();
    const answer = await api.acknowledgeReport(input.run, input.report, { text: input.text }, FLAGS);
    if (input.json) return printJson(ctx.io, answer);
    printReport(ctx, answer.report);
  },
});

/**
 * Stop the line and ask for a rollback differ only in the endpoint and the wording. The server
 * answers as the run accepts the message, before anything is undone (`failure` set, `status` as
 * it was), so the command follows the rollback to its end, as `--follow` does; `--no-wait` says
 * it is rolling back and how to follow it instead.
 */
function lineCommand(action: 'stop' | 'rollback', summary: string) {
  return defineCommand({
    name: action,
    group: 'red-button',
    summary,
    description:
      'Waits until the rollback has ended, showing its progress (Ctrl-C stops watching, not the rollback), and\n' +
      'prints the outcome; exit 1 when it could be rolled back only in part. --json prints the run as it ended.\n' +
      '--no-wait returns once the run accepted the message (--json: the run as it accepted it).',
    positionals: [runArg],
    options: {
      reason: { type: 'string', value: 'TEXT', description: 'why: recorded in the audit trail' },
      'no-wait': { type: 'boolean', description: 'do not wait for the rollback to end' },
      json: jsonOption,
    },
    schema: z.object({
      run: runSchema,
      reason: reasonBodySchema.shape.reason,
      noWait: z.boolean().default(false),
      json: jsonFlag,
    }),
    examples: [`golive ${action} "$RUN" --reason "error rate above 5 % since 14:02"`],
    async run(input, ctx) {
      const api = await ctx.api();
      const accepted = await api.lineAction(input.run, action, { reason: input.reason }, FLAGS);
      const why = accepted.failure ? ` — ${accepted.failure.reason}` : '';
      if (input.noWait || isFinalStatus(accepted.status)) {
        if (input.json) return printJson(ctx.io, accepted);
        if (isFinalStatus(accepted.status)) return print(ctx.io, `${input.run}: ${accepted.status}${why}`);
        print(ctx.io, `${input.run}: rolling back${why}`);
        return say(ctx.io, `follow it: golive status ${input.run} --follow`);
      }
      say(ctx.io, `${action === 'stop' ? 'stopped' : 'rollback requested'}: ${input.run} is rolling back…`);
      // The outcome is this command's result: on stdout once (as text or as JSON), not also on stderr.
      const { state } = await followRun(ctx, api, input.run, {
        until: (s) => isFinalStatus(s.status),
        since: accepted,
        sayEnd: false,
      });
      if (input.json) printJson(ctx.io, state);
      else print(ctx.io, `${input.run}: ${state.status}${state.failure ? ` — ${state.failure.reason}` : ''}`);
      return state.status === 'rollback-incomplete' ? EXIT.failed : EXIT.ok;
    },
  });
}

export const stop = lineCommand('stop', 'Stop the line: the run stops and rolls back what it did.');
export const rollback = lineCommand('rollback', 'Ask for a rollback of the go-live.');

export const reports = defineCommand({
  name: 'reports',
  group: 'red-button',
  summary: 'The Red Button across the runs you may read: figures, overdue reports first, recognition.',
  description:
    "Anonymous reporters are counted, never named. --csv prints one row per report (for a spreadsheet); --html the dossier-style Monitoring document with the runs' feedback channels.",
  positionals: [],
  options: {
    system: { type: 'string', value: 'NAME', description: 'only this system' },
    csv: { type: 'boolean', description: 'print the reports as CSV' },
    html: { type: 'boolean', description: 'print the Monitoring HTML document (redirect it to a file)' },
    json: jsonOption,
  },
  schema: z
    .object({
      system: redButtonQuerySchema.shape.system,
      csv: z.boolean().default(false),
      html: z.boolean().default(false),
      json: jsonFlag,
    })
    .refine((o) => [o.csv, o.html, o.json].filter(Boolean).length <= 1, {
      message: 'choose one of --csv, --html and --json',
      path: ['csv'],
    }),
  examples: [
    'golive reports',
    'golive reports --system claims-assistant --csv > reports.csv',
    'golive reports --html > red-button-monitoring.html',
  ],
  async run(input, ctx) {
    const api = await ctx.api();
    const query = input.system ? { system: input.system } : {};
    if (input.csv) return void ctx.io.stdout.write(await api.redButtonCsv(query));
    if (input.html) return void ctx.io.stdout.write(await api.redButtonHtml(query));
    const f = await api.redButton(query);
    if (input.json) return printJson(ctx.io, f);
    printFigures(ctx, f);
  },
});

function printFigures(ctx: CommandContext, f: RedButtonFigures): void {
  const pct = (x: number | null) => (x === null ? '—' : `${Math.round(x * 1000) / 10} %`);
  print(
    ctx.io,
    `${counted(f.reports, 'report')} in ${counted(f.runsWithReports, 'run')} · ${counted(f.runs, 'run')} read that went live${f.unread > 0 ? ` (${f.unread} more could not be read now)` : ''}${f.omittedReports > 0 ? ` (${f.omittedReports} older reports not counted)` : ''} · answered in time ${pct(f.shareAnsweredInTime)}${f.withinDeadline > 0 ? ` (${f.withinDeadline} still within their deadline, not counted)` : ''} · closed with the reporter ${pct(f.shareClosedWithReporter)}`,
  );
  print(
    ctx.io,
    `time to first response: median ${durationText(f.timeToFirstResponse.medianMs)}, p90 ${durationText(f.timeToFirstResponse.p90Ms)}; to resolution: median ${durationText(f.timeToResolution.medianMs)}, p90 ${durationText(f.timeToResolution.p90Ms)}`,
  );
  for (const g of f.bySystemAndSeverity)
    print(ctx.io, `${g.system}\t${g.severity}\t${counted(g.reports, 'report')}\t${g.open} open\t${g.overdue} overdue`);
  for (const r of f.list)
    print(
      ctx.io,
      `${r.overdue ? 'OVERDUE ' : ''}${r.system} ${r.runId} ${r.id}\t${r.severity}\t${r.status}\tdue ${r.responseDueAt}\t${r.reporterName ? `${r.reporterName} (${r.reporter})` : r.reporter}`,
    );
  for (const r of f.recognition)
    print(
      ctx.io,
      `recognised: ${r.name ? `${r.name} (${r.reporter})` : r.reporter}\t${counted(r.reports, 'report')}, ${r.answered} answered, ${r.thanked} thanked`,
    );
  if (f.anonymousReports > 0) print(ctx.io, `anonymous reports: ${f.anonymousReports}`);
}
