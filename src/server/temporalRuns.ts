import { createHmac, randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import {
  isGrpcCancelledError,
  isGrpcDeadlineError,
  QueryRejectedError,
  WorkflowClient,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
  type WorkflowExecutionDescription,
  type WorkflowExecutionInfo,
} from '@temporalio/client';
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow';
import { ApplicationFailure, WorkflowNotFoundError, type UpdateDefinition } from '@temporalio/common';
import {
  GO_LIVE_WORKFLOW,
  getRunStateQuery,
  REFUSAL_TYPES,
  type GoLiveInput,
  type RefusalType,
  type RunStateView,
} from '../contract/definitions';
import { endedInTemporal, FINAL_STATUSES, RUN_STATUS_WORDS } from '../contract/runStatus';
import { shownAsEnded } from '../contract/endedRun';
import { OPEN_IN_TEMPORAL, stateClause } from './endedInTemporal';
import type { Person } from '../contract/policy';
import {
  FAILURE_MEMO_KEY,
  initiatorKey,
  membersKey,
  reachedHypercareKey,
  readerRolesKey,
  runbookKey,
  runStateKey,
  systemKey,
  waitingRolesKey,
  type FailureMemo,
} from '../contract/searchAttributes';
import type { ListRunsQuery } from './api';
import { GRPC, grpcCodeOf, HttpError, type HttpStatus } from './errors';
import { sendStepMessage } from '../temporal/runUpdates';
import { signed, signRunInput, type Keyring } from '../signing/keyring';
import { startHeldRun, STARTED_MEMO } from './runStart';
import { Lru } from '../audit/cache';
import { isTemporalUnreachable } from './unavailable';
import { safeEqual } from '../auth/secrets';
import { isTargetHoldId } from './targetLock';

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
  /** Why the run failed (stopped, rejected, action-failed…), from its memo: absent for runs that
   *  went live or are on their way, and for runs recorded before the run kept it. */
  failure?: FailureMemo;
  /** Temporal's execution status: RUNNING, COMPLETED, FAILED, … */
  executionStatus: string;
  startedAt: string;
  closedAt?: string;
}

export interface RunPage {
  runs: RunSummary[];
  nextPageToken?: string;
}

export const STATUS_BY_REFUSAL: Record<RefusalType, HttpStatus> = {
  [REFUSAL_TYPES.invalid]: 400,
  [REFUSAL_TYPES.notAuthorized]: 403,
  [REFUSAL_TYPES.selfApproval]: 403,
  [REFUSAL_TYPES.duplicate]: 409,
  [REFUSAL_TYPES.notWaiting]: 409,
  [REFUSAL_TYPES.runClosed]: 409,
  [REFUSAL_TYPES.notInHypercare]: 409,
  [REFUSAL_TYPES.unknownStep]: 404,
  [REFUSAL_TYPES.unknownEvidenceItem]: 404,
  [REFUSAL_TYPES.unknownReport]: 404,
  [REFUSAL_TYPES.separationOfDuties]: 403,
  [REFUSAL_TYPES.badSignature]: 403,
  [REFUSAL_TYPES.replayed]: 409,
  [REFUSAL_TYPES.passkeyRequired]: 403,
  [REFUSAL_TYPES.passkeyMismatch]: 409,
};

function isRefusalType(value: unknown): value is RefusalType {
  return typeof value === 'string' && Object.hasOwn(STATUS_BY_REFUSAL, value);
}

/**
 * A refusal (src/contract/policy.ts `Refusal`: what and why) on its way to the HTTP caller: the
 * workflow's refused Update or the server's own check, with its status and who refused.
 */
export class RefusalError extends HttpError {
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

function workflowIdFor(system: string): string {
  return `golive-${system}-${randomUUID().slice(0, 8)}`;
}

/** Search-attribute values are checked by the request schemas; quoting still keeps them literal. */
function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Only the runs this person may read: theirs, and those whose runbook lets one of their roles read. */
function readableBy(person: Person): string {
  const roles = person.roles ?? [];
  const mine = [`${membersKey.name} = ${quote(person.id)}`, `${initiatorKey.name} = ${quote(person.id)}`];
  if (roles.length > 0) mine.push(`${readerRolesKey.name} IN (${roles.map(quote).join(', ')})`);
  return `(${mine.join(' OR ')})`;
}

/** Internal list filters the public query does not offer. */
export interface ListScope {
  /** Only runs that can hold Red Button reports: they went live (older runs: by their state). */
  wentLive?: boolean;
}

function listQuery(
  q: Omit<ListRunsQuery, 'pageSize' | 'pageToken'> & ListScope,
  person: Person | undefined,
): string | undefined {
  const myRoles = person?.roles ?? [];
  // One row per run: a long hypercare's earlier executions (continued as new) are the same run.
  const clauses = [`WorkflowType = ${quote(GO_LIVE_WORKFLOW)}`, `ExecutionStatus != 'ContinuedAsNew'`];
  if (person) clauses.push(readableBy(person));
  if (q.state) clauses.push(stateClause(q.state));
  if (q.system) clauses.push(`${systemKey.name} = ${quote(q.system)}`);
  if (q.runbook) clauses.push(`${runbookKey.name} = ${quote(q.runbook)}`);
  if (q.wentLive) clauses.push(`(${reachedHypercareKey.name} = 'yes' OR ${runStateKey.name} IN ('hypercare', 'live'))`);
  if (q.waitingFor === 'me') {
    if (myRoles.length === 0) return undefined;
    // A run ended in Temporal keeps the waiting roles it last showed: it waits for nobody.
    clauses.push(`${waitingRolesKey.name} IN (${myRoles.map(quote).join(', ')})`, OPEN_IN_TEMPORAL);
  }
  return clauses.join(' AND ');
}

/**
 * One row per run in a page: a run reset in Temporal leaves its earlier execution (terminated,
 * say) beside the one reset from it, under the same run id. Visibility lists open executions
 * first, then closed ones by close time, so the first of a run id is its latest.
 */
function latestExecutions<E extends { execution?: { workflowId?: string | null } | null }>(executions: E[]): E[] {
  const seen = new Set<string>();
  return executions.filter((e) => {
    const id = e.execution?.workflowId ?? '';
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** The failure the run put in its memo, field by field (a memo is anyone's to write: take strings only). */
function failureOf(memo: Record<string, unknown> | undefined): FailureMemo | undefined {
  const raw = memo?.[FAILURE_MEMO_KEY] as Record<string, unknown> | undefined;
  if (typeof raw?.kind !== 'string' || typeof raw.reason !== 'string') return undefined;
  const text = (key: 'stepId' | 'by') => (typeof raw[key] === 'string' ? { [key]: raw[key] } : {});
  return { kind: raw.kind, ...text('stepId'), ...text('by'), reason: raw.reason };
}

/**
 * The waiting roles as visibility lists them. An empty keyword list (what a run is started with,
 * and what it shows when no one is waiting) comes back from SQL visibility as `[""]`; no role id
 * is empty, so an empty string is no role.
 */
function waitingRolesOf(listed: string[] | undefined): string[] {
  return (listed ?? []).filter((role) => role !== '');
}

function summarize(info: WorkflowExecutionInfo): RunSummary {
  const sa = info.typedSearchAttributes;
  const failure = failureOf(info.memo);
  const recorded = sa.get(runStateKey);
  const ended = endedInTemporal(recorded, info.status.name);
  return {
    runId: info.workflowId,
    system: sa.get(systemKey),
    runbook: sa.get(runbookKey),
    state: ended ?? recorded,
    waitingRoles: ended ? [] : waitingRolesOf(sa.get(waitingRolesKey)),
    initiator: sa.get(initiatorKey),
    ...(failure ? { failure } : {}),
    executionStatus: info.status.name,
    startedAt: startedAtOf(info),
    ...(info.closeTime ? { closedAt: info.closeTime.toISOString() } : {}),
  };
}

/**
 * When the run started: the time golive's server started it (its memo, carried across
 * continue-as-new), else, for a run started without golive's server or before it wrote one,
 * Temporal's start of the listed execution. A memo is anyone's to write: a string that is a date.
 */
function startedAtOf(info: WorkflowExecutionInfo): string {
  const memo = info.memo?.[STARTED_MEMO];
  const when = typeof memo === 'string' ? new Date(memo) : undefined;
  return when && !Number.isNaN(when.getTime()) ? when.toISOString() : info.startTime.toISOString();
}

/** A target's hold is no run: asked for as one, it would wait for a worker that never takes it (404 at once). */
function refuseHoldId(runId: string): void {
  if (isTargetHoldId(runId)) throw new HttpError(404, `no run with id ${runId}`);
}

/** How many runs' pinned key ids the server remembers (they never change for a run). */
const PINNED_CACHE_SIZE = 5000;
/** How many Update ids (idempotency keys) the server remembers sending: the retries it recognises. */
const SENT_UPDATES_KEPT = 20_000;

export class TemporalRuns {
  private readonly pinned = new Map<string, string[]>();
  /** Update ids this server sent, oldest first (see `sentHere`). */
  private readonly sentUpdates = new Set<string>();
  /**
   * The same client on the same connection, except that a query to a run that did not complete
   * cleanly (terminated, timed out, failed or cancelled in Temporal) is rejected with its status
   * instead of answered from a replay of its history: only such runs pay more calls to be read.
   */
  private cleanQueriesClient: WorkflowClient | undefined;

  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    private readonly namespace: string,
    private readonly keyring: Keyring,
    private readonly pageTokens: PageTokens,
  ) {}

  private get cleanQueries(): WorkflowClient {
    this.cleanQueriesClient ??= new WorkflowClient({
      connection: this.client.connection,
      namespace: this.client.options.namespace,
      dataConverter: this.client.options.dataConverter,
      interceptors: this.client.options.interceptors.workflow,
      identity: this.client.options.identity,
      queryRejectCondition: 'NOT_COMPLETED_CLEANLY',
    });
    return this.cleanQueriesClient;
  }

  private readonly endedStates = new Lru<RunStateView>(ENDED_STATES_KEPT);
  /**
   * Runs Temporal ended before golive did, as shown, with the execution that ended: kept while it
   * is still the run's latest (a reset in Temporal opens another), so reading one again (its page
   * polls) costs one describe, not three calls and a replay.
   */
  private readonly endedInTemporalStates = new Lru<{ execution: string; state: RunStateView }>(ENDED_STATES_KEPT);

  /**
   * Starts a run once it holds its target (runStart.ts): one open go-live per production target,
   * decided by Temporal, not by a read of visibility (which lags starts). A second start for a
   * held target is a 409 naming the run that holds it.
   */
  async start(input: GoLiveInput): Promise<string> {
    const workflowId = workflowIdFor(input.system);
    await startHeldRun(this.client, this.taskQueue, workflowId, signRunInput(this.keyring.current, workflowId, input));
    this.remember(workflowId, [this.keyring.current.keyId]);
    return workflowId;
  }

  async list(q: ListRunsQuery & ListScope, person: Person): Promise<RunPage> {
    const query = listQuery(q, person);
    if (query === undefined) return { runs: [] };
    const nextPageToken = q.pageToken ? this.pageTokens.open(query, q.pageToken) : undefined;
    // The SDK's list() hides page tokens; the raw call exposes them so the API can paginate.
    const response = await this.client.workflowService
      .listWorkflowExecutions({ namespace: this.namespace, query, pageSize: q.pageSize, nextPageToken })
      .catch((err: unknown) => {
        // A token we sealed that Temporal no longer knows (its store was reset): still the token's fault.
        if (nextPageToken && grpcCodeOf(err) === GRPC.invalidArgument)
          throw new HttpError(400, 'invalid page token', {
            issues: [{ path: 'pageToken', message: 'has expired: list from the first page again' }],
          });
        throw err;
      });
    const infos = await Promise.all(
      latestExecutions(response.executions).map((raw) =>
        executionInfoFromRaw(raw, this.client.options.loadedDataConverter, raw, this.namespace),
      ),
    );
    const shown = await Promise.all(infos.map((info) => this.isTheRun(info)));
    const runs = infos.filter((_, i) => shown[i]).map(summarize);
    const token = response.nextPageToken?.length
      ? this.pageTokens.seal(query, Buffer.from(response.nextPageToken))
      : undefined;
    return { runs, ...(token ? { nextPageToken: token } : {}) };
  }

  /**
   * A reset in Temporal terminates the execution it starts from and carries the run on in a new
   * one under the same run id. That terminated execution is not the run (which may be waiting):
   * a filtered list (`?state=terminated`) or a page without its newer sibling would show it as a
   * run terminated in Temporal. Only a terminated execution can be such a base; each costs one
   * describe, and one Temporal cannot describe is shown as it is.
   */
  private async isTheRun(info: WorkflowExecutionInfo): Promise<boolean> {
    if (info.status.name !== 'TERMINATED') return true;
    const latest = await this.describe(info.workflowId).catch(() => undefined);
    return latest === undefined || latest.runId === info.runId;
  }

  /**
   * The run's state for the server's pre-checks and pages. A run that closes while the query
   * waits makes Temporal drop it ("buffered query cleared"); asked again, the closed run is
   * answered from its history, which a worker replays: that answer may take all the time left.
   * Whatever still fails is a 503 (no worker answered), never a 500, and never a 409: an ended
   * run can be read (a busy worker's slow replay of it was answered "run has ended" to a GET).
   * A run Temporal ended before golive did shows how (askEnded).
   */
  async state(runId: string): Promise<RunStateView> {
    refuseHoldId(runId);
    const ended = this.endedStates.get(runId) ?? (await this.stillEndedInTemporal(runId));
    if (ended) return ended;
    const handle = this.client.workflow.getHandle(runId);
    const deadline = Date.now() + STATE_QUERY_DEADLINE_MS;
    for (let attemptMs = STATE_QUERY_ATTEMPT_MS, races = 0; ;) {
      try {
        return await this.client.withDeadline(Math.min(deadline, Date.now() + attemptMs), () => this.ask(runId));
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw new HttpError(404, `no run with id ${runId}`);
        const race = isGrpcDeadlineError(err) || isQueryRace(err);
        if (!race && !isBusyAnswer(err)) throw err;
        // A query that met the run's end can hang or be dropped; the closed run answers from history.
        const status = race
          ? await handle.describe().then(
              (d) => d.status.name,
              () => undefined,
            )
          : undefined;
        // Known now, open or closed: the next query may take all the time left. Open, it was slow,
        // not lost to the run's end (a busy worker, issue 16: cut every 4 s, 200 runs' queries
        // never finished); closed, a worker replays its whole history to answer.
        if (status !== undefined) attemptMs = STATE_QUERY_DEADLINE_MS;
        if (Date.now() >= deadline)
          throw new HttpError(503, `no worker answered for run ${runId} in time; try again in a moment`, {
            headers: { 'Retry-After': '2' },
          });
        // Temporal or the run's worker is behind (a full query buffer, a dropped task), or a race
        // came back at once: a moment's pause. The first race is asked again at once.
        if (!race || ++races > 1) await new Promise((r) => setTimeout(r, BUSY_PAUSE_MS));
      }
    }
  }

  /** One query of the run's state; a closed run golive ended is kept (rememberEnded). */
  private async ask(runId: string): Promise<RunStateView> {
    let state: RunStateView;
    try {
      state = await this.cleanQueries.getHandle(runId).query(getRunStateQuery);
    } catch (err) {
      if (err instanceof QueryRejectedError) return this.askEnded(runId);
      throw err;
    }
    if (FINAL_STATUSES.includes(state.status) && (await this.describe(runId)).status.name !== 'RUNNING')
      this.rememberEnded(runId, state);
    return state;
  }

  /**
   * A run that did not complete cleanly, from its history: as it last stood ("waiting"…) when
   * Temporal ended it before golive did, so shown as ended (endedInTemporal.ts), and kept with
   * the execution that ended (stillEndedInTemporal). golive's own final states are kept as such.
   */
  private async askEnded(runId: string): Promise<RunStateView> {
    const [state, run] = await Promise.all([
      this.client.workflow.getHandle(runId).query(getRunStateQuery),
      this.describe(runId),
    ]);
    const closed = run.status.name !== 'RUNNING';
    const ended = closed ? endedInTemporal(state.status, run.status.name) : undefined;
    if (ended) {
      const shown = shownAsEnded(state, ended, run.closeTime);
      this.endedInTemporalStates.set(runId, { execution: run.runId, state: shown });
      return shown;
    }
    if (closed && FINAL_STATUSES.includes(state.status)) this.rememberEnded(runId, state);
    return state;
  }

  /** A run shown as ended in Temporal before, if its latest execution is still the one that ended. */
  private async stillEndedInTemporal(runId: string): Promise<RunStateView | undefined> {
    const kept = this.endedInTemporalStates.get(runId);
    if (!kept) return undefined;
    const latest = await this.describe(runId).catch((err: unknown) => {
      if (err instanceof WorkflowNotFoundError) return undefined; // gone: the query says so
      throw err;
    });
    if (latest?.runId === kept.execution) return kept.state;
    this.endedInTemporalStates.delete(runId);
    return undefined;
  }

  private describe(runId: string): Promise<WorkflowExecutionDescription> {
    return this.client.workflow.getHandle(runId).describe();
  }

  /**
   * A closed run's state never changes again, but every query of it makes a worker replay its
   * whole history: the last ones read are kept (a bounded number, least recently used first out).
   */
  private rememberEnded(runId: string, state: RunStateView): void {
    this.endedStates.set(runId, state);
  }

  /**
   * Did this server send an Update with this id? Temporal applies an Update id once and answers
   * it again with its first outcome, so a retry needs no check first; one this server recognises
   * is answered from that outcome at once and marked as a replay (idempotency.ts).
   */
  sentHere(updateId: string): boolean {
    return this.sentUpdates.has(updateId);
  }

  private rememberSent(updateId: string): void {
    this.sentUpdates.delete(updateId);
    this.sentUpdates.add(updateId);
    if (this.sentUpdates.size > SENT_UPDATES_KEPT) this.sentUpdates.delete(this.sentUpdates.values().next().value!);
  }

  private remember(runId: string, keyIds: string[]): void {
    if (this.pinned.size >= PINNED_CACHE_SIZE) this.pinned.delete(this.pinned.keys().next().value!);
    this.pinned.set(runId, keyIds);
  }

  /**
   * The run's input, read from its start event (the current run's: continue-as-new carries the
   * input whole). Temporal answers it without the run's worker, which a query would need, and
   * without the whole state; undefined when the history does not say.
   */
  async startInput(runId: string): Promise<Partial<GoLiveInput> | undefined> {
    const { history } = await this.client.workflowService.getWorkflowExecutionHistory({
      namespace: this.namespace,
      execution: { workflowId: runId },
      maximumPageSize: 1,
    });
    const started = history?.events?.[0]?.workflowExecutionStartedEventAttributes;
    if (!started) return undefined;
    const [input] = await decodeArrayFromPayloads(this.client.options.loadedDataConverter, started.input?.payloads);
    return typeof input === 'object' && input !== null ? (input as Partial<GoLiveInput>) : undefined;
  }

  /** The keys a run pinned, from its start event; undefined when it does not say (state() then asks). */
  private async pinnedAtStart(runId: string): Promise<string[] | undefined> {
    const input = await this.startInput(runId);
    return input ? (input.signing?.keys ?? []).map((k) => k.keyId) : undefined;
  }

  /** The message signed with a key the run pinned; unsigned only for runs that pinned none. */
  private async sign<Arg>(runId: string, name: string, arg: Arg): Promise<Arg> {
    let keyIds = this.pinned.get(runId);
    if (!keyIds) {
      keyIds = (await this.pinnedAtStart(runId).catch(() => undefined)) ?? (await this.state(runId)).pinnedKeys ?? [];
      this.remember(runId, keyIds);
    }
    if (keyIds.length === 0) return arg; // started before golive signed messages
    const key = this.keyring.keyFor(keyIds);
    if (!key) {
      // Not the caller's mistake: this server was not given the keys its peers sign with.
      throw new HttpError(
        503,
        `run ${runId} accepts messages signed with key ${keyIds.join(' or ')}, which this web server does not hold: every web server must share GOLIVE_SIGNING_KEYS_DIR (README, Security)`,
      );
    }
    return signed(key, runId, name, arg as object) as Arg;
  }

  /**
   * Sends an Update, signed for the run. With an idempotency key (the caller's `Idempotency-Key`,
   * scoped by person), the key is the Update's id: Temporal runs an Update with a given id once,
   * and a retry of an accepted one gets the first outcome (see `priorOutcome`).
   */
  async update<Ret, Arg>(
    runId: string,
    def: UpdateDefinition<Ret, [Arg], string>,
    unsignedArg: Arg,
    opts: { updateId?: string; retried?: boolean } = {},
  ): Promise<Ret> {
    refuseHoldId(runId);
    const arg = await this.sign(runId, def.name, unsignedArg);
    if (opts.updateId) this.rememberSent(opts.updateId);
    try {
      const handle = this.client.workflow.getHandle(runId);
      // Step messages go through sendStepMessage, which lets a worker that just took over the run
      // catch up before the decision is judged (see src/temporal/runUpdates.ts).
      if (isStepMessage(arg))
        return await sendStepMessage(handle, def as UpdateDefinition<Ret, [typeof arg], string>, arg, opts.updateId);
      return await handle.executeUpdate(def, { args: [arg], ...(opts.updateId ? { updateId: opts.updateId } : {}) });
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        const cause = err.cause;
        if (cause instanceof ApplicationFailure && isRefusalType(cause.type))
          throw new RefusalError(cause.type, cause.message, 'workflow');
        throw new HttpError(409, `the run refused: ${cause?.message ?? err.message}`);
      }
      if (err instanceof WorkflowNotFoundError) {
        // A retry whose first attempt ended the run: its first outcome, as for any retry.
        const prior = opts.updateId && (await priorOutcome(this.client, runId, opts.updateId));
        if (prior) return prior.result as Ret;
        // Updates to a closed run fail as "not found"; tell the two apart for the caller.
        const run = await this.describe(runId).catch(() => undefined);
        // The run continued as new under the message (a long hypercare): its next run takes it.
        if (run?.status.name === 'RUNNING' && !opts.retried)
          return this.update(runId, def, unsignedArg, { ...opts, retried: true });
        if (run) throw new RefusalError(REFUSAL_TYPES.runClosed, hasEnded(runId, run, 'has ended'), 'workflow');
        throw new HttpError(404, `no run with id ${runId}`);
      }
      if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError && !isTemporalUnreachable(err))
        return this.afterDroppedUpdate<Ret>(runId, opts.updateId, err);
      if (updateLimitReached(err))
        throw new HttpError(
          503,
          `run ${runId} takes no more messages until it continues as new (Temporal's limit of Updates per run, or of Updates in flight at once, was reached); nothing was applied: send it again shortly${opts.updateId ? ' with the same Idempotency-Key' : ''}`,
          { code: 'run_busy', headers: { 'Retry-After': '2' } },
        );
      throw err;
    }
  }

  /**
   * Temporal dropped the Update's call (the run closed while it waited, or the call timed out).
   * With an id, what happened is known: its outcome if it was applied; otherwise a closed run is
   * a refusal, and an open one an honest "unknown, send it again" (503 `run_busy`; while Temporal
   * itself is away, the outage mapper's 503).
   */
  private async afterDroppedUpdate<Ret>(runId: string, updateId: string | undefined, err: Error): Promise<Ret> {
    if (updateId) {
      const prior = await priorOutcome(this.client, runId, updateId);
      if (prior) return prior.result as Ret;
    }
    const run = await this.describe(runId).catch(() => undefined);
    if (run === undefined) throw err; // Temporal is away: the outage mapper's 503
    if (run.status.name !== 'RUNNING')
      throw new RefusalError(
        REFUSAL_TYPES.runClosed,
        hasEnded(runId, run, 'ended before this message was applied'),
        'workflow',
      );
    // Temporal answers, the run is open: its worker is busy (not "Temporal is unreachable").
    throw new HttpError(
      503,
      `run ${runId} did not answer this message in time (its worker is busy); it may still be applied: ${updateId ? 'send it again with the same Idempotency-Key, which applies it at most once' : 'look at the run before sending it again'}`,
      { code: 'run_busy', headers: { 'Retry-After': '2' } },
    );
  }
}

/** "run X has ended", saying how when Temporal ended it before golive did. */
function hasEnded(runId: string, run: WorkflowExecutionDescription, what: string): string {
  const ended = endedInTemporal(run.typedSearchAttributes.get(runStateKey), run.status.name);
  return `run ${runId} ${what}${ended ? ` (${RUN_STATUS_WORDS[ended]}, not by golive)` : ''}`;
}

/**
 * Temporal refused the Update before the run saw it: the run's total Updates reached the
 * namespace's limit (FAILED_PRECONDITION; hypercare continues as new before that on its own) or
 * too many are in flight at once (RESOURCE_EXHAUSTED). Both pass; neither is the caller's fault.
 */
export function updateLimitReached(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, details, message } = e as { code?: unknown; details?: unknown; message?: unknown };
    const text = `${typeof details === 'string' ? details : ''} ${typeof message === 'string' ? message : ''}`;
    if (code === status.RESOURCE_EXHAUSTED && /in-flight updates/.test(text)) return true;
    if (code === status.FAILED_PRECONDITION && /limit on number of total updates/.test(text)) return true;
  }
  return false;
}

/**
 * The outcome of an Update already sent with this id, if Temporal has one: what a retried
 * request answers with, so a decision whose answer was lost is not judged a second time (it would
 * be refused as a duplicate). Undefined when there is no such Update (the request is new).
 */
export async function priorOutcome(
  client: Client,
  runId: string,
  updateId: string,
): Promise<{ result: unknown } | undefined> {
  try {
    const result = await client.withDeadline(Date.now() + STATE_QUERY_DEADLINE_MS, () =>
      client.workflow.getHandle(runId).getUpdateHandle(updateId).result(),
    );
    return { result };
  } catch (err) {
    // Not found: no Update has this id. Cancelled: Temporal dropped the poll (the run closed
    // under it); nothing is known, so the request is judged as new, and refused if it must be.
    if (err instanceof WorkflowNotFoundError || (isGrpcCancelledError(err) && !isTemporalUnreachable(err)))
      return undefined;
    if (err instanceof WorkflowUpdateFailedError) {
      const cause = err.cause;
      if (cause instanceof ApplicationFailure && isRefusalType(cause.type))
        throw new RefusalError(cause.type, cause.message, 'workflow');
      throw new HttpError(409, `the run refused: ${cause?.message ?? err.message}`);
    }
    throw err;
  }
}

/** Long enough for a worker to take over a run whose worker died (sticky queue timeout: 10 s). */
const STATE_QUERY_DEADLINE_MS = 20_000;
/** One query's time: a query that met the run's end may never be answered. */
const STATE_QUERY_ATTEMPT_MS = 4000;

/** Between queries to a run whose worker said it is busy. */
const BUSY_PAUSE_MS = 250;

/**
 * A query Temporal could not get answered under load: RESOURCE_EXHAUSTED (the run already has
 * queries waiting for its worker), ABORTED, INTERNAL, UNKNOWN or FAILED_PRECONDITION from a busy
 * server. Worth asking again, and a 503 if it lasts, never a 500 (issue 16: they were 500s at
 * 50 concurrent runs on a busy machine). UNAVAILABLE is left to the fail-fast mapper, NOT_FOUND
 * and INVALID_ARGUMENT (no such run, a failed query) are answers.
 */
const BUSY_CODES = new Set<number>([
  status.RESOURCE_EXHAUSTED,
  status.ABORTED,
  status.INTERNAL,
  status.UNKNOWN,
  status.FAILED_PRECONDITION,
]);

function isBusyAnswer(err: unknown): boolean {
  const code = grpcCodeOf(err);
  return code !== undefined && BUSY_CODES.has(code);
}

/**
 * The query met a run closing under it, or a worker that dropped it: asking again can succeed.
 * Temporal cancels a query that was buffered when the run closed (gRPC CANCELLED); the web's own
 * fail-fast cancels say UNAVAILABLE, so CANCELLED here is the server's.
 */
function isQueryRace(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === status.CANCELLED && typeof (e as { details?: unknown }).details === 'string')
      return true;
    const text = `${(e as { message?: unknown }).message ?? ''} ${(e as { details?: unknown }).details ?? ''}`;
    if (/buffered query cleared|query was rejected|workflow is closed|query task was lost|query.*timed out/i.test(text))
      return true;
  }
  return false;
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
      throw new HttpError(400, 'invalid page token', {
        issues: [{ path: 'pageToken', message: 'is not a page token this server gave out for this list' }],
      });
    }
    return raw;
  }
}

/** The page-token key, derived from a server secret (the session secret) for this one purpose. */
export function pageTokenKey(serverSecret: Buffer): Buffer {
  return createHmac('sha256', serverSecret).update('golive-page-token-key').digest();
}
