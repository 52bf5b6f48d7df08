import { condition, defineQuery, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';
import type { BareActivities } from './activities';

/**
 * The baseline of the end-to-end benchmark: a bare Temporal workflow of the same shape as the
 * benchmark's golive runbook — four HTTP checks against the sandbox, one after another, then
 * two approvals sent as Updates (a validator refuses an approval for a step that is not waiting,
 * as golive's does). What any team would write by hand with the SDK, and nothing more.
 */

export interface BareInput {
  url: string;
  checks: number;
  approvals: string[];
}

export interface BareState {
  waiting?: string;
  approved: { stepId: string; by: string }[];
}

export const approveUpdate = defineUpdate<string, [{ stepId: string; by: string }]>('approve');
export const bareStateQuery = defineQuery<BareState>('state');

const { httpGet } = proxyActivities<BareActivities>({
  startToCloseTimeout: '1m',
  retry: { maximumAttempts: 3, initialInterval: '1s' },
});

export async function bareGoLive(input: BareInput): Promise<BareState> {
  const state: BareState = { approved: [] };
  setHandler(
    approveUpdate,
    ({ stepId, by }) => {
      state.approved.push({ stepId, by });
      return 'completed';
    },
    {
      validator: ({ stepId }) => {
        if (state.waiting !== stepId) throw new Error(`step ${stepId} is not waiting`);
      },
    },
  );
  setHandler(bareStateQuery, () => state);
  for (let i = 0; i < input.checks; i++) await httpGet(`${input.url}/health`);
  for (const stepId of input.approvals) {
    state.waiting = stepId;
    await condition(() => state.approved.some((a) => a.stepId === stepId));
    state.waiting = undefined;
  }
  return state;
}
