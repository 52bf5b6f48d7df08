import type { RedButtonFigures } from '../server/redButtonFigures';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AuditTrail, TrailView } from '../audit';
import { MANIFEST_SHA256_HEADER } from '../audit/anchor';
import type { Person } from '../auth/users';
import type {
  DecisionBody,
  EvidenceBody,
  ListRunsQuery,
  ReasonBody,
  ReportBody,
  ResolutionBody,
  AcknowledgementBody,
  startRunBodySchema,
} from '../server/api';
import type { RunPage } from '../server/temporalRuns';
import type { ReportView, RunStateView, StepView } from '../contract/definitions';
import type { Connection } from './config';
import { CliError } from './errors';

/**
 * The golive HTTP API, typed, for the CLI: one place that knows the base URL, sends the token and
 * turns every failure into a CliError that says what the server said — its reason for a refusal
 * (403, 409), each field for a 400 (named as the CLI flag where there is one), and what to do
 * about a refused token or an unreachable server.
 */

const REQUEST_TIMEOUT_MS = 60_000;

const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    reason: z.string().optional(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});

/** A refusal the server explained: its `reason` (the workflow's refusal type) lets commands add what to do. */
export class RefusedByServerError extends CliError {
  constructor(
    message: string,
    details: readonly string[],
    readonly reason: string | undefined,
  ) {
    super(message, details);
  }
}

/** Body field → the flag that set it, so a 400 about `collaborationMode` says `--mode`. */
export type FieldFlags = Readonly<Record<string, string>>;

/** Why the server refused, worded for the person at the terminal. */
function refusal(status: number, message: string, conn: Connection): string {
  switch (status) {
    case 401:
      return conn.tokenFrom === 'GOLIVE_TOKEN'
        ? `the server did not accept GOLIVE_TOKEN: ${message}`
        : `the server did not accept your token (${message}): run "golive login" again`;
    case 403:
    case 409:
      return `refused: ${message}`;
    case 404:
      return `not found: ${message}`;
    default:
      return message;
  }
}

function issueLine(issue: { path: string; message: string }, flags: FieldFlags): string {
  // Query issues come as `query.kind[0]`: the field is the part after the prefix.
  const field = /^(?:query\.)?([^.[]+)/.exec(issue.path)?.[1] ?? issue.path;
  const flag = flags[field];
  return flag ? `${flag} (${issue.path}): ${issue.message}` : `${issue.path}: ${issue.message}`;
}

export interface Download {
  filename?: string;
  bytes: Uint8Array;
  /** The server's X-Golive-Manifest-Sha256: the digest it logged at export. */
  manifestSha256?: string;
}

/** `GET /api/runs/:runId/history` filters; the server validates them. */
export interface HistoryFilter {
  kind?: readonly string[];
  person?: string;
  step?: string;
}

export interface Me {
  user: Person;
  via: string;
}

interface RequestOptions {
  body?: unknown;
  /** An array repeats the parameter (`?kind=a&kind=b`). */
  query?: Record<string, string | number | readonly string[] | undefined>;
  flags?: FieldFlags;
  /** Sent as Idempotency-Key: the request is retried with it when the answer is lost or 503. */
  idempotencyKey?: string;
}

/** A message applied at most once may be sent again until an answer arrives. */
const IDEMPOTENT_ATTEMPTS = 5;
const MAX_RETRY_WAIT_MS = 5000;

/** No answer arrived (refused connection, reset, timeout): whether the request took effect is unknown. */
class Unanswered extends CliError {}

export class ApiClient {
  constructor(
    readonly conn: Connection,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /** The web UI's page for a run (the API and the UI share one server). */
  runPageUrl(runId: string): string {
    return `${this.conn.url}/runs/${encodeURIComponent(runId)}`;
  }

  me(): Promise<Me> {
    return this.json('GET', '/api/me');
  }

  listRunbooks(): Promise<{
    runbooks: { file: string; valid: boolean; id?: string; version?: string; title?: string; sha256?: string }[];
  }> {
    return this.json('GET', '/api/runbooks');
  }

  startRun(body: z.input<typeof startRunBodySchema>, flags?: FieldFlags): Promise<{ runId: string }> {
    return this.json('POST', '/api/runs', { body, ...(flags ? { flags } : {}) });
  }

  listRuns(query: Partial<ListRunsQuery>): Promise<RunPage> {
    return this.json('GET', '/api/runs', { query });
  }

  /** The Red Button across the runs the caller may read. */
  redButton(query: { system?: string | undefined }): Promise<RedButtonFigures> {
    return this.json('GET', '/api/reports', { query });
  }

  async redButtonCsv(query: { system?: string | undefined }): Promise<string> {
    const res = await this.send('GET', '/api/reports.csv', { query });
    return res.text();
  }

  async redButtonHtml(query: { system?: string | undefined }): Promise<string> {
    const res = await this.send('GET', '/api/reports.html', { query });
    return res.text();
  }

  getRun(runId: string): Promise<RunStateView> {
    return this.json('GET', this.runPath(runId));
  }

  decide(runId: string, stepId: string, body: DecisionBody, flags?: FieldFlags): Promise<{ step: StepView }> {
    return this.json('POST', `${this.runPath(runId)}/steps/${encodeURIComponent(stepId)}/decisions`, {
      body,
      idempotencyKey: randomUUID(),
      ...(flags ? { flags } : {}),
    });
  }

  submitEvidence(runId: string, stepId: string, body: EvidenceBody, flags?: FieldFlags): Promise<{ step: StepView }> {
    return this.json('POST', `${this.runPath(runId)}/steps/${encodeURIComponent(stepId)}/evidence`, {
      body,
      idempotencyKey: randomUUID(),
      ...(flags ? { flags } : {}),
    });
  }

  resend(runId: string, stepId: string): Promise<{ step: StepView }> {
    return this.json('POST', `${this.runPath(runId)}/steps/${encodeURIComponent(stepId)}/resend`, { body: {} });
  }

  report(runId: string, body: ReportBody, flags?: FieldFlags): Promise<{ report: ReportView; receipt?: string }> {
    return this.json('POST', `${this.runPath(runId)}/reports`, {
      body,
      idempotencyKey: randomUUID(),
      ...(flags ? { flags } : {}),
    });
  }

  resolveReport(
    runId: string,
    reportId: string,
    body: ResolutionBody,
    flags?: FieldFlags,
  ): Promise<{ report: ReportView }> {
    return this.json('POST', `${this.runPath(runId)}/reports/${encodeURIComponent(reportId)}/resolution`, {
      body,
      idempotencyKey: randomUUID(),
      ...(flags ? { flags } : {}),
    });
  }

  acknowledgeReport(
    runId: string,
    reportId: string,
    body: AcknowledgementBody,
    flags?: FieldFlags,
  ): Promise<{ report: ReportView }> {
    return this.json('POST', `${this.runPath(runId)}/reports/${encodeURIComponent(reportId)}/acknowledgement`, {
      body,
      idempotencyKey: randomUUID(),
      ...(flags ? { flags } : {}),
    });
  }

  /** Stop the line or ask for a rollback: both take a reason and answer with the run's state. */
  lineAction(runId: string, action: 'stop' | 'rollback', body: ReasonBody, flags?: FieldFlags): Promise<RunStateView> {
    return this.json('POST', `${this.runPath(runId)}/${action}`, {
      body,
      idempotencyKey: randomUUID(),
      ...(flags ? { flags } : {}),
    });
  }

  history(runId: string, filter: HistoryFilter = {}, flags?: FieldFlags): Promise<TrailView<AuditTrail>> {
    return this.json('GET', `${this.runPath(runId)}/history`, { query: { ...filter }, ...(flags ? { flags } : {}) });
  }

  async dossier(runId: string): Promise<Download> {
    const res = await this.send('GET', `${this.runPath(runId)}/dossier`, {});
    const disposition = res.headers.get('content-disposition') ?? '';
    const filename = /filename="([^"]+)"/.exec(disposition)?.[1];
    const manifestSha256 = res.headers.get(MANIFEST_SHA256_HEADER) ?? undefined;
    return {
      bytes: new Uint8Array(await res.arrayBuffer()),
      ...(filename ? { filename } : {}),
      ...(manifestSha256 ? { manifestSha256 } : {}),
    };
  }

  private runPath(runId: string): string {
    return `/api/runs/${encodeURIComponent(runId)}`;
  }

  private async json<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, path, opts);
    const text = await res.text();
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new CliError(`the server at ${this.conn.url} answered ${method} ${path} with something other than JSON`);
    }
  }

  /** One request; with an idempotency key, sent again while the answer is lost or a 503. */
  private async send(method: string, path: string, opts: RequestOptions): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      const last = !opts.idempotencyKey || attempt >= IDEMPOTENT_ATTEMPTS;
      let res: Response;
      try {
        res = await this.sendOnce(method, path, opts);
      } catch (err) {
        if (last || !(err instanceof Unanswered)) throw err;
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      if (res.status !== 503 || last) return this.checked(res, opts);
      const wait = Math.min(MAX_RETRY_WAIT_MS, 1000 * (Number(res.headers.get('retry-after')) || 1));
      await res.body?.cancel();
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  private async checked(res: Response, opts: RequestOptions): Promise<Response> {
    if (res.ok) return res;
    throw await this.failure(res, opts.flags ?? {});
  }

  private async sendOnce(method: string, path: string, opts: RequestOptions): Promise<Response> {
    if (!this.conn.token) {
      throw new CliError(
        'no API token: set GOLIVE_TOKEN, or run "golive login" and paste your token (the demo users\' tokens are in .data/demo-credentials.txt)',
      );
    }
    const url = new URL(this.conn.url + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) {
      if (Array.isArray(v)) for (const item of v as readonly string[]) url.searchParams.append(k, item);
      else if (v !== undefined) url.searchParams.set(k, String(v));
    }
    let res: Response;
    try {
      res = await this.fetchImpl(url, {
        method,
        headers: {
          authorization: `Bearer ${this.conn.token}`,
          accept: 'application/json',
          ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(opts.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : {}),
        },
        ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      throw this.unreachable(err);
    }
    return res;
  }

  private unreachable(err: unknown): CliError {
    if (err instanceof Error && err.name === 'TimeoutError') {
      return new Unanswered(
        `the golive server at ${this.conn.url} did not answer within ${REQUEST_TIMEOUT_MS / 1000} s`,
      );
    }
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
    return new Unanswered(`cannot reach the golive server at ${this.conn.url} (${why})`, [
      'is it running (npm start)? Point the CLI at it with GOLIVE_URL or "golive login --url URL".',
    ]);
  }

  private async failure(res: Response, flags: FieldFlags): Promise<CliError> {
    const text = await res.text();
    let parsed;
    try {
      parsed = errorBodySchema.safeParse(JSON.parse(text));
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success) {
      return new CliError(`the server answered HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`);
    }
    const { message, issues, reason } = parsed.data.error;
    return new RefusedByServerError(
      refusal(res.status, message, this.conn),
      (issues ?? []).map((i) => issueLine(i, flags)),
      reason,
    );
  }
}
