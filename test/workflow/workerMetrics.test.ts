import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { stopLineUpdate } from '../../src/contract/definitions';
import { startWorkerHealth } from '../../src/process/workerHealth';
import { inputFor, people, signedActor, startSignedRun, testKeyring } from '../support/runs';
import { testClient, testWorker } from '../support/temporal';

/**
 * A worker-only process (GOLIVE_ROLES=worker) counts the messages its runs refused in
 * `golive_workflow_refusals_total` (README, "Security: what the record proves"). The count lives
 * in that process: no web server's /metrics has it, and the SDK's metrics endpoint cannot carry
 * it, so the worker's own port (GOLIVE_PORT, beside /healthz and /readyz) must serve it.
 */
const runbook = {
  steps: [
    {
      id: 'hypercare',
      kind: 'hypercare' as const,
      title: 'Hypercare',
      duration: '1h',
      responseDeadline: '1h',
      notifyOnReport: ['operations'],
      stopAuthority: ['guardian'],
    },
  ],
};

describe('a worker-only process serves what it counted', () => {
  let client: Client;
  beforeAll(async () => {
    client = await testClient();
  });
  afterAll(async () => client.connection.close());

  it('serves golive_workflow_refusals_total at /metrics on its health port after a run refused an unsigned stop', async () => {
    const worker = await testWorker({ countRefusals: true });
    const health = await startWorkerHealth({ host: '127.0.0.1', port: 0 });
    try {
      await worker.run(async () => {
        const handle = await startSignedRun(client, worker.taskQueue, inputFor(runbook), testKeyring().current);
        // What anyone with Temporal access could send: no golive signature.
        const unsigned = { actor: signedActor(people.guardian), reason: 'not golive' };
        await expect(handle.executeUpdate(stopLineUpdate, { args: [unsigned as never] })).rejects.toThrow();
      });
      const res = await fetch(`${health.url}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      const body = await res.text();
      expect(body).toMatch(/^golive_workflow_refusals_total\{message="stopLine",type="\w+",signed="false"\} [1-9]/m);
      expect(body).toMatch(/^process_resident_memory_bytes /m);
    } finally {
      await health.close();
    }
  });
});
