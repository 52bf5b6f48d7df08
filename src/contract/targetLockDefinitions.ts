import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { GoLiveInput } from './definitions';

/**
 * A target's hold (src/server/targetHold.ts): a workflow of this type that runs no code, its
 * holder in its memo. Targets held before holds are held by the lock workflow
 * (workflows/targetLock.ts), whose messages follow: its runs still end through it.
 */
export const TARGET_HOLD_WORKFLOW = 'targetHold';

export const TARGET_LOCK_WORKFLOW = 'targetLock';

export interface TargetHolder {
  runId: string;
  system: string;
  initiator: { id: string; name?: string };
  target: string;
  since: string;
}

export interface ClaimTargetInput {
  runId: string;
  /** The go-live's input, signed by the server for `runId`. */
  input: GoLiveInput;
  /** Everyone involved, for the run list's read filter. */
  members: string[];
  readerRoles: string[];
}

/**
 * `startRequested`: the lock answered once it asked Temporal to start the run, not after the run
 * started (workflows/targetLock.ts, patched); the claimer confirms the start itself.
 */
export type ClaimOutcome = { granted: true; startRequested?: true } | { granted: false; holder: TargetHolder };

export const targetHolderQuery = defineQuery<TargetHolder | undefined>('targetHolder');

export const claimTargetUpdate = defineUpdate<ClaimOutcome, [ClaimTargetInput]>('claimTarget');
