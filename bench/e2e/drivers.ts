import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { loadRunbookFile, type LoadedRunbook } from '../../src/runbook/load';
import { prepareRun } from '../../src/runbook/prepare';
import { signed, signRunInput } from '../../src/signing/keyring';
import { approveStepUpdate, GO_LIVE_WORKFLOW, getRunStateQuery } from '../../src/contract/definitions';
import { runSearchAttributes } from '../../src/server/runStart';
import { approveUpdate, bareStateQuery, type BareInput } from './bare/workflow';
import type { Stack } from './stack';

/**
 * The three ways the benchmark drives a run of the same shape, each as a person (or a script)
 * would: golive through its HTTP API (bearer tokens, signed messages, directory-bound roles,
 * Idempotency-Key on every decision, as the UI and CLI send), golive straight through the
 * Temporal client (a signed input and signed Updates, as the server would send them), and the
 * bare workflow through the client. Each way waits for an approval the same way: it asks for the
 * run's state (backing off up to `pollMs` between looks) until the step waits, then decides.
 */

export const SHAPE_RUNBOOK = 'bench-shape';
export const HYPERCARE_RUNBOOK = 'bench-hypercare';
export const APPROVALS = [
  { stepId: 'approval-1', person: 'guardian', role: 'guardian' },
  { stepId: 'approval-2', person: 'sponsor', role: 'business-sponsor' },
] as const;

/** Who holds which role in the benchmark's directory (the demo users). */
export const ASSIGNMENTS: Record<string, string[]> = {
  'ai-product-manager': ['rm'],
  guardian: ['guardian'],
  'business-sponsor': ['sponsor'],
  operations: ['ops'],
};
const DIRECTORY: Record<string, string[]> = {
  rm: ['ai-product-manager'],
  guardian: ['guardian'],
  sponsor: ['business-sponsor'],
  ops: ['operations'],
  user: ['end-user'],
};

export interface Way {
  label: string;
  start(system: string): Promise<string>;
  /** One look at the run: is this approval step waiting? */
  waiting(runId: string, stepId: string): Promise<boolean>;
  /** `key`: the same on a retry, so a decision whose answer was lost is not sent twice. */
  approve(runId: string, approval: (typeof APPROVALS)[number], key: string): Promise<void>;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The run an error names (a start golive could not confirm in time, a target held by it). */
    readonly runId?: string,
  ) {
    super(message);
  }
}

function runIdIn(text: string): string | undefined {
  try {
    const runId = (JSON.parse(text) as { error?: { runId?: unknown } }).error?.runId;
    return typeof runId === 'string' ? runId : undefined;
  } catch {
    return undefined;
  }
}

export interface HttpAnswer {
  status: number;
  body: unknown;
}

function bearer(stack: Stack, person: string): Record<string, string> {
  return { authorization: `Bearer ${stack.tokens[person]}` };
}

/** One request to golive's API as `person` (bearer token); any status but the expected one throws. */
export async function api(
  stack: Stack,
  person: string,
  method: string,
  url: string,
  body?: unknown,
  expect = 200,
  headers: Record<string, string> = {},
): Promise<HttpAnswer> {
  const res = await fetch(stack.webUrl + url, {
    method,
    headers: {
      authorization: `Bearer ${stack.tokens[person]}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(120_000),
  });
  const text = await res.text();
  if (res.status !== expect)
    throw new HttpError(res.status, `${method} ${url}: ${res.status} ${text.slice(0, 300)}`, runIdIn(text));
  return {
    status: res.status,
    body: text && res.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as unknown) : text,
  };
}

type StepsView = { steps: { id: string; status: string }[] };

export function goliveHttp(stack: Stack): Way {
  // A start golive could not confirm in time (503 naming the run): it may still start, so a careful
  // client looks for that run before starting again (a second start would meet it as the target's holder).
  const unconfirmed = new Map<string, string>();
  return {
    label: 'golive (HTTP API)',
    start: async (system) => {
      const earlier = unconfirmed.get(system);
      if (earlier && (await fetch(`${stack.webUrl}/api/runs/${earlier}`, { headers: bearer(stack, 'rm') })).ok)
        return earlier;
      const body = {
        runbook: SHAPE_RUNBOOK,
        system,
        collaborationMode: 3,
        assignments: ASSIGNMENTS,
        params: { targetUrl: stack.sandboxUrl },
      };
      try {
        return ((await api(stack, 'rm', 'POST', '/api/runs', body, 201)).body as { runId: string }).runId;
      } catch (err) {
        if (err instanceof HttpError && err.status === 503 && err.runId) unconfirmed.set(system, err.runId);
        throw err;
      }
    },
    waiting: async (runId, stepId) => {
      const state = (await api(stack, 'rm', 'GET', `/api/runs/${runId}`)).body as StepsView;
      return state.steps.find((s) => s.id === stepId)?.status === 'waiting';
    },
    approve: async (runId, a, key) => {
      await api(
        stack,
        a.person,
        'POST',
        `/api/runs/${runId}/steps/${a.stepId}/decisions`,
        { decision: 'approve', role: a.role },
        200,
        { 'idempotency-key': key },
      );
    },
  };
}

export async function shapeRunbook(): Promise<LoadedRunbook> {
  return loadRunbookFile(path.join(__dirname, 'runbooks', `${SHAPE_RUNBOOK}.yaml`));
}

/** golive's workflow without its web server: what the server would send, signed with its key. */
export function goliveClient(stack: Stack, loaded: LoadedRunbook): Way {
  const key = stack.keyring.current;
  return {
    label: 'golive (Temporal client)',
    start: async (system) => {
      const input = prepareRun({
        loaded,
        system,
        collaborationMode: 3,
        initiator: { id: 'rm', roles: DIRECTORY.rm! },
        assignments: ASSIGNMENTS,
        directory: DIRECTORY,
        params: { targetUrl: stack.sandboxUrl },
        notifyChannels: [], // as the benchmark's web server records it: no channel configured
      });
      const workflowId = `golive-${system}-${randomUUID().slice(0, 8)}`;
      await stack.client.workflow.start(GO_LIVE_WORKFLOW, {
        workflowId,
        taskQueue: stack.goliveQueue,
        args: [signRunInput(key, workflowId, input)],
        typedSearchAttributes: runSearchAttributes(input), // as the server starts a run
      });
      return workflowId;
    },
    waiting: async (runId, stepId) => {
      const state = await stack.client.workflow.getHandle(runId).query(getRunStateQuery);
      return state.steps.find((s) => s.id === stepId)?.status === 'waiting';
    },
    approve: async (runId, a, updateKey) => {
      const actor = { id: a.person, roles: DIRECTORY[a.person]! };
      const message = signed(key, runId, approveStepUpdate.name, { actor, stepId: a.stepId, role: a.role });
      await stack.client.workflow
        .getHandle(runId)
        .executeUpdate(approveStepUpdate, { args: [message], updateId: `${a.person}:${updateKey}` });
    },
  };
}

export function bareClient(stack: Stack): Way {
  return {
    label: 'bare Temporal',
    start: async (system) => {
      const workflowId = `bare-${system}-${randomUUID().slice(0, 8)}`;
      const input: BareInput = { url: stack.sandboxUrl, checks: 4, approvals: APPROVALS.map((a) => a.stepId) };
      await stack.client.workflow.start('bareGoLive', { workflowId, taskQueue: stack.bareQueue, args: [input] });
      return workflowId;
    },
    waiting: async (runId, stepId) =>
      (await stack.client.workflow.getHandle(runId).query(bareStateQuery)).waiting === stepId,
    approve: async (runId, a, key) => {
      await stack.client.workflow
        .getHandle(runId)
        .executeUpdate(approveUpdate, { args: [{ stepId: a.stepId, by: a.person }], updateId: `${a.person}:${key}` });
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Counts what went wrong on the way (an answer other than the one expected, a timeout). */
export interface Errors {
  count: number;
  samples: string[];
}

export function newErrors(): Errors {
  return { count: 0, samples: [] };
}

function note(errors: Errors, err: unknown): void {
  errors.count++;
  if (errors.samples.length < 5) errors.samples.push(err instanceof Error ? err.message : String(err));
}

/** Retries `act` after an error (counting it), as a careful client does; gives up after 10 tries. */
async function persist<T>(errors: Errors, pollMs: number, act: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await act();
    } catch (err) {
      note(errors, err);
      if (attempt >= 10) throw err;
      await sleep(pollMs);
    }
  }
}

/**
 * Waits until the approval step waits: a first look at once, then looks further and further
 * apart (doubling up to `pollMs`), as a person keeps an eye on a page. Looking costs both sides
 * (a query of the run); backing off keeps 200 runs from drowning either worker in looks.
 */
export async function untilWaiting(
  way: Way,
  runId: string,
  stepId: string,
  pollMs: number,
  errors: Errors,
): Promise<void> {
  for (
    let wait = Math.min(50, pollMs);
    !(await persist(errors, pollMs, () => way.waiting(runId, stepId)));
    wait = Math.min(wait * 2, pollMs)
  )
    await sleep(wait);
}

/** One whole run: start, then each approval as soon as its step waits, then its close. */
export async function driveRun(
  way: Way,
  stack: Stack,
  system: string,
  pollMs: number,
  errors: Errors,
): Promise<string> {
  const runId = await persist(errors, pollMs, () => way.start(system));
  for (const approval of APPROVALS) {
    await untilWaiting(way, runId, approval.stepId, pollMs, errors);
    const key = randomUUID();
    await persist(errors, pollMs, () => way.approve(runId, approval, key));
  }
  await stack.client.workflow.getHandle(runId).result();
  return runId;
}
