import { TypedSearchAttributes } from '@temporalio/common';
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { runStateKey, systemKey, waitingRolesKey } from '../../src/contract/searchAttributes';
import { summarize } from '../../src/server/temporalRuns';

describe('summarize (a run as the list shows it)', () => {
  it('lists a run whose visibility holds an empty keyword list as [""] as waiting for no one', () => {
    // What the dev server's SQLite visibility answers for a run started with GoLiveWaitingRoles [].
    const info = {
      workflowId: 'golive-noworker-2e61e9d9',
      status: { name: 'RUNNING' },
      startTime: new Date('2026-12-03T14:10:21.018Z'),
      memo: undefined,
      typedSearchAttributes: new TypedSearchAttributes([
        { key: systemKey, value: 'noworker' },
        { key: runStateKey, value: 'running' },
        { key: waitingRolesKey, value: [''] },
      ]),
    } as unknown as WorkflowExecutionInfo;
    expect(summarize(info)).toMatchObject({ state: 'running', waitingRoles: [] });
  });
});
