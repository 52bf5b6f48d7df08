import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { prepareRun } from '../../src/runbook/prepare';
import { RunbookRegistry } from '../../src/runbook/registry';
import { GO_LIVE_WORKFLOW, stopLineUpdate, type GoLiveInput } from '../../src/contract/definitions';
import { initiatorKey, runbookKey, systemKey } from '../../src/contract/searchAttributes';
import { FIXTURE_RUNBOOKS, smallRunbookVariant } from './app';
import { autopilot } from './autopilot';
import { stepStatus, waitForState } from './runs';
import { uniqueId } from './temporal';

/**
 * Runs in each state for the fuzz test, on the small web runbook with entry criteria. Whoever
 * could move a run on (submit, approve, stop, roll back, resolve) is a "ghost" person the fuzz
 * never speaks as, so what the fuzz sends is refused by authority, not by luck; the people it
 * does speak as are involved (initiator, sponsor, end user) or outsiders (everyone else).
 */

export const FUZZ_RUNBOOK = 'fuzz-small';
export const FUZZ_STATES = ['entry-criteria', 'approval', 'hypercare', 'ended'] as const;
export type FuzzState = (typeof FUZZ_STATES)[number];

const ASSIGNMENTS: Record<string, string[]> = {
  'ai-product-manager': ['rm'],
  'implementation-engineer': ['ghost-ie'],
  guardian: ['ghost-guardian'],
  'business-sponsor': ['sponsor'],
  'end-user': ['user'],
  operations: ['ghost-ops'],
};

/** The runbooks folder: the web fixtures plus the fuzz variant (entry criteria; rollback by the Guardian only). */
export function fuzzRunbooksDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'golive-fuzz-runbooks-'));
  fs.cpSync(FIXTURE_RUNBOOKS, dir, { recursive: true });
  const text = smallRunbookVariant(FUZZ_RUNBOOK, [
    ['rollbackAuthority: [ai-product-manager, guardian]', 'rollbackAuthority: [guardian]'],
    [
      'stopAuthority: [guardian, operations]\nreadAuthority',
      'entryCriteria:\n  - { id: gate-3-approved, title: Gate 3 approved, type: attestation, submittedBy: [implementation-engineer] }\nstopAuthority: [guardian, operations]\nreadAuthority',
    ],
  ]);
  fs.writeFileSync(path.join(dir, `${FUZZ_RUNBOOK}.yaml`), text);
  return dir;
}

async function start(client: Client, taskQueue: string, input: GoLiveInput): Promise<string> {
  const workflowId = uniqueId(`golive-fuzz-${input.system}`);
  await client.workflow.start(GO_LIVE_WORKFLOW, {
    workflowId,
    taskQueue,
    args: [input],
    typedSearchAttributes: [
      { key: systemKey, value: input.system },
      { key: runbookKey, value: input.runbook.id },
      { key: initiatorKey, value: input.initiator.id },
    ],
  });
  return workflowId;
}

/** One run per state, driven there through the same Updates people send. */
export async function runsInEachState(
  client: Client,
  taskQueue: string,
  runbooksDir: string,
): Promise<Record<FuzzState, string>> {
  const loaded = await new RunbookRegistry(runbooksDir).get(FUZZ_RUNBOOK);
  const inputFor = (state: FuzzState) =>
    prepareRun({
      loaded,
      system: `fuzz-${state}-${Date.now().toString(36)}`,
      collaborationMode: 2,
      initiator: { id: 'rm', name: 'Riley Release' },
      assignments: ASSIGNMENTS,
    });
  const drive = async (state: FuzzState): Promise<string> => {
    const input = inputFor(state);
    const id = await start(client, taskQueue, input);
    const handle = client.workflow.getHandle(id);
    if (state === 'entry-criteria') await waitForState(handle, (s) => stepStatus(s, 'entry-criteria') === 'waiting');
    if (state === 'approval')
      await autopilot(handle, input, (s) => stepStatus(s, 'guardian-sign-off') === 'waiting', {
        skip: ['guardian-sign-off'],
      });
    if (state === 'hypercare') await autopilot(handle, input, (s) => s.status === 'hypercare');
    if (state === 'ended') {
      await waitForState(handle, (s) => stepStatus(s, 'entry-criteria') === 'waiting');
      await handle.executeUpdate(stopLineUpdate, {
        args: [{ actor: { id: 'ghost-guardian' }, reason: 'ended before the fuzz' }],
      });
      await waitForState(handle, (s) => s.status === 'rolled-back');
    }
    return id;
  };
  const ids = await Promise.all(FUZZ_STATES.map(drive));
  return Object.fromEntries(FUZZ_STATES.map((s, i) => [s, ids[i]!])) as Record<FuzzState, string>;
}
