import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { loadDataConverter } from '@temporalio/common/lib/internal-non-workflow';
import { temporal } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { auditCache, buildAuditTrail, zipTrailDossier } from '../../src/audit';
import { chainRefusals } from '../../src/audit/refusals';
import { finalState, startInput } from '../../src/audit/entries';
import { recordedChain } from './support';

/**
 * The server's audit cache (src/audit/cache.ts) against a stand-in Temporal client serving the
 * recorded run's start and completion: a closed run's history is fetched once, an open one or a
 * longer one again; a dossier of unchanged content is the same export, of changed content a new one.
 */

const EventType = temporal.api.enums.v1.EventType;

function fakeClient(status: { name: string; historyLength: number }) {
  const payloads = (v: unknown) => ({ payloads: [defaultPayloadConverter.toPayload(v)] });
  const events: temporal.api.history.v1.IHistoryEvent[] = [
    {
      eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
      workflowExecutionStartedEventAttributes: { input: payloads(startInput(recordedChain)) },
    },
    {
      eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
      workflowExecutionCompletedEventAttributes: { result: payloads(finalState(recordedChain)) },
    },
  ];
  const calls = { fetches: 0 };
  const client = {
    options: { loadedDataConverter: loadDataConverter({}), namespace: 'default' },
    workflow: {
      getHandle: () => ({
        describe: async () => ({ runId: 'run-1', status: { name: status.name }, historyLength: status.historyLength }),
      }),
      list: async function* () {},
    },
    // The trail reads history page by page, as the SDK's fetchHistory does: here one page.
    workflowService: {
      getWorkflowExecutionHistory: async () => {
        calls.fetches++;
        return { history: { events } };
      },
    },
  } as unknown as Client;
  return { client, calls };
}

describe('audit cache', () => {
  it('fetches a closed run once, and again when it is open or its history grew', async () => {
    const status = { name: 'COMPLETED', historyLength: 2 };
    const { client, calls } = fakeClient(status);
    const cache = auditCache();
    const first = await buildAuditTrail({ client, workflowId: 'wf-1', cache });
    const again = await buildAuditTrail({ client, workflowId: 'wf-1', cache });
    expect(calls.fetches).toBe(1);
    expect(again).toEqual(first);
    expect(first.finished).toBe(true);

    status.historyLength = 3;
    await buildAuditTrail({ client, workflowId: 'wf-1', cache });
    expect(calls.fetches).toBe(2);
    status.name = 'RUNNING';
    await buildAuditTrail({ client, workflowId: 'wf-1', cache });
    await buildAuditTrail({ client, workflowId: 'wf-1', cache });
    expect(calls.fetches).toBe(4);
    // Without a cache, nothing is kept.
    await buildAuditTrail({ client, workflowId: 'wf-1' });
    expect(calls.fetches).toBe(5);
  });

  it('exports unchanged content as the same dossier, changed content (a new refusal) as a new one', async () => {
    const { client } = fakeClient({ name: 'COMPLETED', historyLength: 2 });
    const cache = auditCache();
    const trail = await buildAuditTrail({ client, workflowId: 'wf-1', cache });
    const first = await zipTrailDossier(trail, undefined, cache);
    const again = await zipTrailDossier(await buildAuditTrail({ client, workflowId: 'wf-1', cache }), undefined, cache);
    expect(Buffer.from(again.zip).equals(Buffer.from(first.zip))).toBe(true);
    expect(again.manifestSha256).toBe(first.manifestSha256);

    const refusals = chainRefusals([
      {
        at: '2026-01-01T00:00:00.000Z',
        runId: 'wf-1',
        actor: 'mallory',
        action: 'decide',
        type: 'NotAuthorized',
        status: 403,
        reason: 'not assigned',
        by: 'server',
      },
    ]);
    const refused = await zipTrailDossier(
      await buildAuditTrail({ client, workflowId: 'wf-1', cache, refusals }),
      undefined,
      cache,
    );
    expect(refused.manifestSha256).not.toBe(first.manifestSha256);
    expect(refused.head).toBe(first.head);
  });
});
