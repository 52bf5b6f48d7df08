import fs from 'node:fs';
import { z } from 'zod';
import { listRunsQuerySchema, RUN_STATUSES, runIdSchema, startRunBodySchema } from '../../server/api';
import type { RunSummary } from '../../server/temporalRuns';
import { endedInTemporalWords } from '../../contract/runStatus';
import type { FieldFlags } from '../api';
import { defineCommand, jsonFlag, keyValuePairs, wholeNumber } from '../args';
import { CliError, EXIT } from '../errors';
import { followRun } from '../follow';
import { print, printJson, say, table, withSpinner } from '../output';
import { failureWords } from '../../contract/failureWords';
import { mayDoLine, reportsTable, runHeader, stepsTable } from '../runView';
import { loadRunbookOrFail } from './runbook';

/** Start, list and read runs. */

export const runArg = { name: 'RUN', description: 'the run id (golive list shows them)' } as const;
export const runSchema = runIdSchema;

/** `--runbook` names a file when it looks like one (a path or a runbook extension) or exists. */
const looksLikeFile = (value: string): boolean => /[\\/]|\.(ya?ml|json)$/i.test(value) || fs.existsSync(value);

/** `--assign guardian=gina,gus --assign guardian=ulla` → `{guardian: [gina, gus, ulla]}`. */
const assignments = keyValuePairs
  .transform((pairs) => {
    const out: Record<string, string[]> = {};
    for (const [role, people] of pairs)
      (out[role] ??= []).push(
        ...people
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean),
      );
    return out;
  })
  .pipe(startRunBodySchema.shape.assignments.unwrap());

/** `--delegate guardian=ops:"Gina on leave until 12/20"` → a named substitute with the reason. */
const delegations = keyValuePairs
  .transform((pairs) =>
    pairs.map(([role, rest]) => {
      const at = rest.indexOf(':');
      return { role, person: at < 0 ? rest : rest.slice(0, at), reason: at < 0 ? '' : rest.slice(at + 1) };
    }),
  )
  .pipe(startRunBodySchema.shape.delegations.unwrap());

const paramsSchema = startRunBodySchema.shape.params.unwrap();
const params = keyValuePairs
  .transform((pairs): z.input<typeof paramsSchema> => Object.fromEntries(pairs))
  .pipe(paramsSchema);

/** The start body's fields as the flags that set them, for the server's 400 issues. */
const START_FLAGS: FieldFlags = {
  runbook: '--runbook',
  system: '--system',
  collaborationMode: '--mode',
  assignments: '--assign',
  delegations: '--delegate',
  params: '--param',
};

export const start = defineCommand({
  name: 'start',
  group: 'runs',
  summary: 'Start a go-live run; prints its id (stdout) and its web page (stderr).',
  description:
    'Roles you do not --assign go to everyone in the users file who holds them; everyone you --assign\n' +
    'must hold the role there. A runbook may let a role be delegated: --delegate names a substitute who\n' +
    'does not hold it, with the reason (recorded in every decision they make). Parameters are text;\n' +
    "the server converts them to the runbook's types. With a FILE, the CLI validates it first and\n" +
    "starts the runbook with its id from the server's runbooks folder (warning if the content differs).",
  options: {
    runbook: { type: 'string', value: 'ID|FILE', description: 'runbook id on the server, or a local runbook file' },
    system: { type: 'string', value: 'NAME', description: 'the system going live' },
    mode: { type: 'string', value: 'N', description: 'collaboration mode, 1 (AI assists) to 5 (AI decides)' },
    assign: {
      type: 'string',
      multiple: true,
      value: 'ROLE=PERSON[,PERSON]',
      description: 'who holds a role in this run (they must hold it in the directory)',
    },
    delegate: {
      type: 'string',
      multiple: true,
      value: 'ROLE=PERSON:REASON',
      description: 'a named substitute for a delegable role, and why',
    },
    param: { type: 'string', multiple: true, value: 'KEY=VALUE', description: 'a runbook parameter' },
    follow: { type: 'boolean', description: 'show live step progress until the run waits for people or ends' },
    json: { type: 'boolean', description: 'print {runId, url} (and the state, with --follow) as JSON' },
  },
  schema: z.object({
    runbook: z
      .string()
      .min(1)
      .refine(
        (v) => looksLikeFile(v) || startRunBodySchema.shape.runbook.safeParse(v).success,
        "must be a runbook id (see the server's runbooks folder) or a runbook file",
      ),
    system: startRunBodySchema.shape.system,
    mode: wholeNumber(startRunBodySchema.shape.collaborationMode),
    assign: assignments,
    delegate: delegations,
    param: params,
    follow: z.boolean().default(false),
    json: jsonFlag,
  }),
  examples: [
    'golive start --runbook ai-go-live --system fraud-scorer --mode 3 --assign guardian=gina --param targetUrl=https://…',
    'RUN=$(golive start --runbook runbooks/default.yaml --system fraud-scorer --mode 2) && golive status "$RUN"',
  ],
  async run(input, ctx) {
    const local = looksLikeFile(input.runbook) ? await loadRunbookOrFail(input.runbook) : undefined;
    const runbook = local ? local.runbook.id : input.runbook;
    const api = await ctx.api();
    if (local) {
      // Refuse before starting when the server would run different content than the file given.
      const served = (await api.listRunbooks()).runbooks.filter((r) => r.valid && r.id === local.runbook.id);
      if (served.length > 0 && !served.some((r) => r.sha256 === local.ref.sha256)) {
        const s = served[0]!;
        throw new CliError(
          `the server's runbook ${s.id} ${s.version} (sha256 ${s.sha256?.slice(0, 12)}…) differs from ${local.ref.source} (${local.ref.sha256.slice(0, 12)}…): ` +
            `put the file in the server's runbooks folder, or start with --runbook ${s.id} to run the server's copy`,
        );
      }
    }
    const { runId } = await withSpinner(ctx.io, 'starting the run…', () =>
      api.startRun(
        {
          runbook,
          system: input.system,
          collaborationMode: input.mode,
          assignments: input.assign,
          delegations: input.delegate,
          params: input.param,
        },
        START_FLAGS,
      ),
    );
    const url = api.runPageUrl(runId);
    if (!input.json) print(ctx.io, runId);
    say(ctx.io, `started ${runId}: ${url}`);
    if (local) {
      const { runbook: pinned } = await api.getRun(runId);
      if (pinned.sha256 !== local.ref.sha256) {
        say(
          ctx.io,
          `warning: the server ran its own ${pinned.id} ${pinned.version} (sha256 ${pinned.sha256.slice(0, 12)}…), which differs from ${local.ref.source} (${local.ref.sha256.slice(0, 12)}…)`,
        );
      }
    }
    if (!input.follow) {
      if (input.json) printJson(ctx.io, { runId, url });
      return EXIT.ok;
    }
    const { state, exitCode } = await followRun(ctx, api, runId);
    if (input.json) printJson(ctx.io, { runId, url, state });
    return exitCode;
  },
});

/** The WHY column: golive's reason for a failed run, or how Temporal ended a run golive did not finish. */
function whyWords(r: RunSummary): string {
  const how = endedInTemporalWords(r.state ?? '') ?? '';
  // Ended while rolling back: how it ended first, the table cuts the rest.
  if (r.failure) return how ? `${how}; after ${failureWords(r.failure)}` : failureWords(r.failure);
  return how;
}

const LIST_MAX = 1000;
/** The WHY column keeps the table readable; `golive status RUN` (and --json) has the whole reason. */
const WHY_MAX = 60;
const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const API_PAGE_MAX = 100;

export const list = defineCommand({
  name: 'list',
  group: 'runs',
  summary: 'List runs: open ones first (newest first), then closed ones (most recently closed first).',
  options: {
    state: { type: 'string', value: 'STATE', description: RUN_STATUSES.join(' | ') },
    system: { type: 'string', value: 'NAME', description: 'only this system' },
    runbook: { type: 'string', value: 'ID', description: 'only runs of this runbook' },
    'waiting-for-me': {
      type: 'boolean',
      description: 'only runs waiting for a decision or evidence from one of my roles',
    },
    limit: { type: 'string', value: 'N', description: `at most N runs (default 20, up to ${LIST_MAX})` },
    'page-token': { type: 'string', value: 'TOKEN', description: 'go on from where a list that had more stopped' },
    json: {
      type: 'boolean',
      description: "print {runs, nextPageToken?} as JSON (the API's list answer; nextPageToken when more match)",
    },
  },
  schema: z.object({
    state: z.enum(RUN_STATUSES).optional(),
    system: startRunBodySchema.shape.system.optional(),
    runbook: startRunBodySchema.shape.runbook.optional(),
    waitingForMe: z.boolean().default(false),
    limit: wholeNumber(z.number().int().min(1).max(LIST_MAX)).default(20),
    pageToken: listRunsQuerySchema.shape.pageToken,
    json: jsonFlag,
  }),
  examples: ['golive list --waiting-for-me', 'golive list --state waiting --json | jq -r ".runs[].runId"'],
  async run(input, ctx) {
    const api = await ctx.api();
    const runs: RunSummary[] = [];
    let pageToken = input.pageToken;
    do {
      const page = await api.listRuns({
        ...(input.state ? { state: input.state } : {}),
        ...(input.system ? { system: input.system } : {}),
        ...(input.runbook ? { runbook: input.runbook } : {}),
        ...(input.waitingForMe ? { waitingFor: 'me' as const } : {}),
        pageSize: Math.min(API_PAGE_MAX, input.limit - runs.length),
        ...(pageToken ? { pageToken } : {}),
      });
      runs.push(...page.runs);
      pageToken = page.nextPageToken;
    } while (pageToken && runs.length < input.limit);

    // An object like the API's list answer (and every other --json): it can say there is more.
    if (input.json) return printJson(ctx.io, { runs, ...(pageToken ? { nextPageToken: pageToken } : {}) });
    if (pageToken) say(ctx.io, `more runs may match: add --page-token ${pageToken}`);
    if (runs.length === 0) return say(ctx.io, 'no runs match');
    print(
      ctx.io,
      table(
        ['RUN', 'SYSTEM', 'RUNBOOK', 'STATE', 'WHY', 'WAITING FOR', 'INITIATOR', 'STARTED'],
        runs.map((r) => [
          r.runId,
          r.system ?? '',
          r.runbook ?? '',
          r.state ?? r.executionStatus.toLowerCase(),
          cut(whyWords(r), WHY_MAX),
          r.waitingRoles.join(', '),
          r.initiator ?? '',
          r.startedAt,
        ]),
      ),
    );
  },
});

export const status = defineCommand({
  name: 'status',
  group: 'runs',
  summary: "A run's state: its steps, who it waits for, reports.",
  positionals: [runArg],
  options: {
    json: { type: 'boolean', description: 'print the full run state as JSON' },
    follow: { type: 'boolean', description: 'keep showing step progress until the run waits for people or ends' },
  },
  schema: z.object({ run: runSchema, json: jsonFlag, follow: z.boolean().default(false) }),
  examples: ['golive status golive-fraud-scorer-1a2b3c4d', 'golive status "$RUN" --json | jq .status'],
  async run(input, ctx) {
    const api = await ctx.api();
    if (input.follow) {
      const { state, exitCode } = await followRun(ctx, api, input.run);
      if (input.json) printJson(ctx.io, state);
      return exitCode;
    }
    const [state, me] = await Promise.all([api.getRun(input.run), api.me()]);
    if (input.json) return printJson(ctx.io, state);
    const parts = [runHeader(input.run, state, api.runPageUrl(input.run), ctx.paint), '', stepsTable(state, ctx.paint)];
    if (state.reports.length) parts.push('', reportsTable(state));
    parts.push('', mayDoLine(state, { id: me.user.id, roles: me.user.roles }));
    print(ctx.io, parts.join('\n'));
  },
});
