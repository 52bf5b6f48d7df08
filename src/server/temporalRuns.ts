import { createHmac, randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError, type Client, type WorkflowExecutionInfo } from '@temporalio/client';
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type UpdateDefinition } from '@temporalio/common';
import {
  FINAL_STATUSES,
  GO_LIVE_WORKFLOW,
  getRunStateQuery,
  REFUSAL_TYPES,
  type GoLiveInput,
  type RefusalType,
  type RunStateView,
} from '../../workflows/definitions';
import { initiatorKey, runbookKey, runStateKey, systemKey, waitingRolesKey } from '../../workflows/searchAttributes';
import type { ListRunsQuery } from './api';
import { GRPC, grpcCodeOf, HttpError, type HttpStatus } from './errors';
import { sendStepMessage } from '../temporal/runUpdates';
import { safeEqual } from '../auth/secrets';

/**
 * The server's only door to Temporal: start, list (visibility), query and Update go-live runs,
 * turning Temporal's errors into HTTP errors. A refused Update keeps its refusal type so the
 * caller can log who was refused and why.
 */

export interface RunSummary {
  runId: string;
  system?: string;
  runbook?: string;
  state?: string;
  waitingRoles: string[];
  initiator?: string;
  /** Temporal's execution status: RUNNING, COMPLETED, FAILED, … */
  executionStatus: string;
  startedAt: string;
  closedAt?: string;
}

export interface RunPage {
  runs: RunSummary[];
  nextPageToken?: string;
}

const STATUS_BY_REFUSAL: Record<RefusalType, HttpStatus> = {
  [REFUSAL_TYPES.invalid]: 400,
  [REFUSAL_TYPES.notAuthorized]: 403,
  [REFUSAL_TYPES.selfApproval]: 403,
  [REFUSAL_TYPES.duplicate]: 409,
  [REFUSAL_TYPES.notWaiting]: 409,
  [REFUSAL_TYPES.runClosed]: 409,
  [REFUSAL_TYPES.unknownStep]: 404,
  [REFUSAL_TYPES.unknownReport]: 404,
};

function isRefusalType(value: unknown): value is RefusalType {
  return typeof value === 'string' && Object.hasOwn(STATUS_BY_REFUSAL, value);
}

/** A refused Update or a refusal by the server's own check: an HttpError that knows its type. */
export class Refusal extends HttpError {
  constructor(
    readonly type: RefusalType,
    reason: string,
    readonly by: 'server' | 'workflow',
    issues?: { path: string; message: string }[],
  ) {
    super(STATUS_BY_REFUSAL[type], reason, { reason: type, ...(issues ? { issues } : {}) });
  }
}

/** Closed runs whose final state is kept in memory (see TemporalRuns.state). */
const ENDED_STATES_KEPT = 100;

export function workflowIdFor(system: string): string {
  return `golive-${system}-${randomUUID().slice(0, 8)}`;
}

/** Search-attribute values are checked by the request schemas; quoting still keeps them literal. */
function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function listQuery(q: Omit<ListRunsQuery, 'pageSize' | 'pageToken'>, myRoles: readonly string[]): string | undefined {
  const clauses = [`WorkflowType = ${quote(GO_LIVE_WORKFLOW)}`];
  if (q.state) clauses.push(`${runStateKey.name} = ${quote(q.state)}`);
  if (q.system) clauses.push(`${systemKey.name} = ${quote(q.system)}`);
  if (q.runbook) clauses.push(`${runbookKey.name} = ${quote(q.runbook)}`);
  if (q.waitingFor === 'me') {
    if (myRoles.length === 0) return undefined;
    clauses.push(`${waitingRolesKey.name} IN (${myRoles.map(quote).join(', ')})`);
  }
  return clauses.join(' AND ');
}

function summarize(info: WorkflowExecutionInfo): RunSummary {
  const sa = info.typedSearchAttributes;
  return {
    runId: info.workflowId,
    system: sa.get(systemKey),
    runbook: sa.get(runbookKey),
    state: sa.get(runStateKey),
    waitingRoles: sa.get(waitingRolesKey) ?? [],
    initiator: sa.get(initiatorKey),
    executionStatus: info.status.name,
    startedAt: info.startTime.toISOString(),
    ...(info.closeTime ? { closedAt: info.closeTime.toISOString() } : {}),
  };
}

export class TemporalRuns {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    private readonly namespace: string,
    private readonly pageTokens: PageTokens,
  ) {}

  private readonly endedStates = new Map<string, RunStateView>();

  async start(input: GoLiveInput): Promise<string> {
    // One go-live per system at a time: a second run would deploy, drill and roll back the same
    // production as the first, and its compensation could undo a release that is already live.
    // Visibility lags a moment behind starts, so two starts in the same second can both pass;
    // this guards against the real hazard (a new run while another waits or is in hypercare).
    const open = await this.openRunsOf(input.system);
    if (open[0]) {
      throw new HttpError(
        409,
        `${input.system} already has a go-live in flight: ${open[0].runId} (${open[0].state ?? 'running'}); finish, stop or roll it back before starting another`,
        { runId: open[0].runId },
      );
    }
    const workflowId = workflowIdFor(input.system);
    try {
      await this.client.workflow.start(GO_LIVE_WORKFLOW, {
        workflowId,
        taskQueue: this.taskQueue,
        args: [input],
        typedSearchAttributes: [
          { key: systemKey, value: input.system },
          { key: runbookKey, value: input.runbook.id },
          { key: initiatorKey, value: input.initiator.id },
        ],
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) throw new HttpError(409, `a run with id ${workflowId} exists already: try again`);
      throw err;
    }
    return workflowId;
  }

  private async openRunsOf(system: string): Promise<RunSummary[]> {
    const query = `${listQuery({ system }, [])} AND ExecutionStatus = "Running"`;
    const response = await this.client.workflowService.listWorkflowExecutions({ namespace: this.namespace, query, pageSize: 5 });
    return Promise.all(
      response.executions.map(async (raw) => summarize(await executionInfoFromRaw(raw, this.client.options.loadedDataConverter, raw, this.namespace))),
    );
  }

  async list(q: ListRunsQuery, myRoles: readonly string[]): Promise<RunPage> {
    const query = listQuery(q, myRoles);
    if (query === undefined) return { runs: [] };
    const nextPageToken = q.pageToken ? this.pageTokens.open(query, q.pageToken) : undefined;
    // The SDK's list() hides page tokens; the raw call exposes them so the API can paginate.
    const response = await this.client.workflowService.listWorkflowExecutions({ namespace: this.namespace, query, pageSize: q.pageSize, nextPageToken }).catch((err: unknown) => {
      // A token we sealed that Temporal no longer knows (its store was reset): still the token's fault.
      if (nextPageToken && grpcCodeOf(err) === GRPC.invalidArgument) throw new HttpError(400, 'invalid page token', { issues: [{ path: 'pageToken', message: 'has expired: list from the first page again' }] });
      throw err;
    });
    const runs = await Promise.all(
      response.executions.map(async (raw) => summarize(await executionInfoFromRaw(raw, this.client.options.loadedDataConverter, raw, this.namespace))),
    );
    const token = response.nextPageToken?.length ? this.pageTokens.seal(query, Buffer.from(response.nextPageToken)) : undefined;
    return { runs, ...(token ? { nextPageToken: token } : {}) };
  }

  async state(runId: string): Promise<RunStateView> {
    const ended = this.endedStates.get(runId);
    if (ended) return ended;
    try {
      const handle = this.client.workflow.getHandle(runId);
      const state = await handle.query(getRunStateQuery);
      if (FINAL_STATUSES.includes(state.status) && (await handle.describe()).status.name !== 'RUNNING') this.rememberEnded(runId, state);
      return state;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new HttpError(404, `no run with id ${runId}`);
      throw err;
    }
  }

  /**
   * A closed run's state never changes again, but every query of it makes a worker replay its
   * whole history: the last ones read are kept (a bounded number, oldest dropped first).
   */
  private rememberEnded(runId: string, state: RunStateView): void {
    this.endedStates.delete(runId);
    this.endedStates.set(runId, state);
    for (const oldest of this.endedStates.keys()) {
      if (this.endedStates.size <= ENDED_STATES_KEPT) break;
      this.endedStates.delete(oldest);
    }
  }

  async update<Ret, Arg>(runId: string, def: UpdateDefinition<Ret, [Arg], string>, arg: Arg): Promise<Ret> {
    try {
      const handle = this.client.workflow.getHandle(runId);
      // Step messages go through sendStepMessage, which lets a worker that just took over the run
      // catch up before the decision is judged (see src/temporal/runUpdates.ts).
      if (isStepMessage(arg)) return await sendStepMessage(handle, def as UpdateDefinition<Ret, [typeof arg], string>, arg);
      return await handle.executeUpdate(def, { args: [arg] });
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        const cause = err.cause;
        if (cause instanceof ApplicationFailure && isRefusalType(cause.type)) throw new Refusal(cause.type, cause.message, 'workflow');
        throw new HttpError(409, `the run refused: ${cause?.message ?? err.message}`);
      }
      if (err instanceof WorkflowNotFoundError) {
        // Updates to a closed run fail as "not found"; tell the two apart for the caller.
        const exists = await this.client.workflow
          .getHandle(runId)
          .describe()
          .then(() => true)
          .catch(() => false);
        if (exists) throw new Refusal(REFUSAL_TYPES.runClosed, `run ${runId} has ended`, 'workflow');
        throw new HttpError(404, `no run with id ${runId}`);
      }
      throw err;
    }
  }
}

function isStepMessage(arg: unknown): arg is { stepId: string } {
  return typeof arg === 'object' && arg !== null && typeof (arg as { stepId?: unknown }).stepId === 'string';
}

/**
 * Temporal's page tokens, sealed so that only tokens this server gave out reach Temporal:
 * `<token b64url>.<HMAC-SHA256 b64url>`, keyed with a secret of the server's and bound to the
 * list query they page through. Anything else (a forged, altered or truncated token, or one
 * from another filter) is a 400 at once; handed to Temporal, garbage makes the call retry for
 * many seconds and then fail.
 */
export class PageTokens {
  constructor(private readonly key: Buffer) {}

  private mac(query: string, raw: Buffer): string {
    return createHmac('sha256', this.key).update(query).update('\n').update(raw).digest('base64url');
  }

  seal(query: string, raw: Buffer): string {
    return `${raw.toString('base64url')}.${this.mac(query, raw)}`;
  }

  open(query: string, token: string): Buffer {
    const [body, sum, extra] = token.split('.');
    const raw = Buffer.from(body ?? '', 'base64url');
    if (!sum || extra !== undefined || raw.length === 0 || !safeEqual(sum, this.mac(query, raw))) {
      throw new HttpError(400, 'invalid page token', { issues: [{ path: 'pageToken', message: 'is not a page token this server gave out for this list' }] });
    }
    return raw;
  }
}

/** The page-token key, derived from a server secret (the session secret) for this one purpose. */
export function pageTokenKey(serverSecret: Buffer): Buffer {
  return createHmac('sha256', serverSecret).update('golive-page-token-key').digest();
}
