import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Keyring, signed, signRunInput, type HeldKey } from '../../src/signing/keyring';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { runbookSchema, type RunbookInput } from '../../src/contract/schemas/runbook';
import {
  GO_LIVE_WORKFLOW,
  type GoLiveInput,
  type RunStateView,
  getRunStateQuery,
} from '../../src/contract/definitions';
import type { goLive } from '../../workflows/goLive';
import { eventually } from './eventually';
import { uniqueId } from './temporal';

/** Builders for runs in workflow tests: small runbooks written inline, people per role. */

export const people = {
  initiator: 'rita.rm',
  engineer: 'ian.ie',
  guardian: 'gina.guardian',
  guardian2: 'gus.guardian',
  sponsor: 'sam.sponsor',
  ops: 'otto.ops',
  user: 'ulla.user',
} as const;

export const defaultAssignments: Record<string, string[]> = {
  'ai-product-manager': [people.initiator],
  'implementation-engineer': [people.engineer],
  guardian: [people.guardian, people.guardian2],
  'business-sponsor': [people.sponsor],
  operations: [people.ops],
  'end-user': [people.user],
};

export const raciRoles: RunbookInput['roles'] = [
  { id: 'ai-product-manager', title: 'AI Product Manager' },
  { id: 'implementation-engineer', title: 'Implementation Engineer' },
  { id: 'guardian', title: 'Guardian' },
  { id: 'business-sponsor', title: 'Business Sponsor' },
  { id: 'operations', title: 'Operations / MLOps' },
  { id: 'end-user', title: 'End User' },
];

export function inputFor(
  runbook: Omit<RunbookInput, 'roles' | 'id' | 'version' | 'title'> & Partial<RunbookInput>,
  overrides: Partial<GoLiveInput> = {},
): GoLiveInput {
  const parsed = runbookSchema.parse({
    id: 'test-runbook',
    version: '1.0.0',
    title: 'Test runbook',
    roles: raciRoles,
    ...runbook,
  });
  const sha256 = createHash('sha256').update(JSON.stringify(runbook)).digest('hex');
  return {
    runbook: parsed,
    runbookRef: { id: parsed.id, version: parsed.version, sha256 },
    system: 'test-system',
    collaborationMode: 3,
    initiator: { id: people.initiator },
    assignments: defaultAssignments,
    params: {},
    ...overrides,
  };
}

type ApprovalStepInput = Extract<RunbookInput['steps'][number], { kind: 'approval' }>;

/** A runbook of one approval step: the Guardian's sign-off, due in an hour; `step` changes what it names. */
export function oneApproval(step: Partial<ApprovalStepInput> = {}): { steps: ApprovalStepInput[] } {
  return {
    steps: [
      {
        id: 'sign-off',
        kind: 'approval',
        title: 'Sign-off',
        approvers: [{ role: 'guardian' }],
        deadline: '1h',
        ...step,
      },
    ],
  };
}

export async function startRun(
  client: Client,
  taskQueue: string,
  input: GoLiveInput,
): Promise<WorkflowHandle<typeof goLive>> {
  return client.workflow.start<typeof goLive>(GO_LIVE_WORKFLOW, {
    taskQueue,
    workflowId: uniqueId('golive-test'),
    args: [input],
  });
}

export const actor = (id: string) => ({ id });

/** Polls the run's state until `predicate` holds (workflow progress is asynchronous). */
export async function waitForState(
  handle: WorkflowHandle,
  predicate: (s: RunStateView) => boolean,
  timeoutMs = 20_000,
): Promise<RunStateView> {
  let last: RunStateView | undefined;
  return eventually(
    async () => {
      last = await handle.query(getRunStateQuery);
      return predicate(last) ? last : undefined;
    },
    () =>
      `the expected state in ${timeoutMs}ms; last: ${JSON.stringify(last?.steps.map((s) => [s.id, s.status]))} status=${last?.status}`,
    timeoutMs,
    100,
  );
}

export const stepStatus = (s: RunStateView, id: string) => s.steps.find((x) => x.id === id)?.status;

/** What the test directory grants each person of `people` (a signed run checks every act against it). */
export const testDirectory: Record<string, string[]> = {};
for (const [role, ids] of Object.entries(defaultAssignments))
  for (const id of ids) (testDirectory[id] ??= []).push(role);

/** A test signing keyring: what the golive server holds in production. */
export function testKeyring(): Keyring {
  return Keyring.loadOrCreate(fs.mkdtempSync(path.join(os.tmpdir(), 'golive-test-keys-')));
}

/** Starts a run as golive does: bound to the directory, its input signed, the key pinned. */
export async function startSignedRun(
  client: Client,
  taskQueue: string,
  input: GoLiveInput,
  key: HeldKey,
): Promise<WorkflowHandle<typeof goLive>> {
  const workflowId = uniqueId('golive-signed');
  const bound = { ...input, directory: input.directory ?? testDirectory };
  return client.workflow.start<typeof goLive>(GO_LIVE_WORKFLOW, {
    taskQueue,
    workflowId,
    args: [signRunInput(key, workflowId, bound)],
  });
}

/** The actor a golive server would sign for: the person and their directory roles. */
export const signedActor = (id: string) => ({ id, roles: testDirectory[id] ?? [] });

/** A message signed for a run with the given key, as the golive server sends it. */
export function signedFor<T extends object>(
  key: HeldKey,
  handle: { workflowId: string },
  name: string,
  payload: T,
  at?: Date,
) {
  return signed(key, handle.workflowId, name, payload, at);
}

/** A runbook of one hypercare step (straight into the Red Button), with a long duration unless told. */
export function hypercareOnly(
  hypercare: Partial<Extract<RunbookInput['steps'][number], { kind: 'hypercare' }>> = {},
): Parameters<typeof inputFor>[0] {
  return {
    steps: [
      {
        id: 'hypercare',
        kind: 'hypercare',
        title: 'Hypercare',
        duration: '1h',
        responseDeadline: '1h',
        notifyOnReport: ['operations'],
        stopAuthority: ['operations'],
        ...hypercare,
      },
    ],
  };
}
