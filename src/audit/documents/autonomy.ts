import type { AiActivity } from '../../contract/schemas/runbook';

/** What the AI may do with an activity in a Collaboration Mode (runbook `oversight.aiActivities`). Pure. */
export type Autonomy = 'alone' | 'approval' | 'prohibited';

export function autonomyOf(a: Pick<AiActivity, 'aloneFrom' | 'approvalFrom'>, mode: number): Autonomy {
  if (a.aloneFrom !== undefined && mode >= a.aloneFrom) return 'alone';
  if (a.approvalFrom !== undefined && mode >= a.approvalFrom) return 'approval';
  return 'prohibited';
}

export const AUTONOMY_WORDS: Record<Autonomy, string> = {
  alone: 'allowed alone',
  approval: 'needs a person’s approval',
  prohibited: 'prohibited',
};
