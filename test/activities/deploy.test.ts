import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { actionCatalog } from '../../src/contract/schemas/catalog';
import { deploy } from '../../activities/deploy';
import { deployParams } from '../../src/contract/schemas/actions/deploy';
import { webhook } from '../../activities/webhook';
import type { RunningSandbox } from '../../src/sandbox/server';
import { activityEnv, closedPort, exec, expectFailure, json, makeDeps, post, sandbox, tinyServer } from './harness';

let sb: RunningSandbox;
beforeEach(async () => {
  sb = await sandbox();
});
afterEach(() => sb.close());

interface Summary {
  version: string;
  history: { kind: string; to: string }[];
  keys: { key: string; calls: number; applied: number }[];
}

describe('deploy', () => {
  it('a retried attempt (same workflow and activity id, worker killed after the call) deploys once', async () => {
    const ids = { workflowId: 'wf-go-live-42', activityId: 'deploy-step' };
    const params = { url: `${sb.url}/deploy`, version: '2.0.0' };
    const first = await exec(deploy(makeDeps()), params, activityEnv(ids));
    // The worker died before reporting: Temporal runs attempt 2 with the same ids.
    const retry = await exec(deploy(makeDeps()), params, activityEnv(ids));
    expect(first.idempotencyKey).toBe('wf-go-live-42/deploy-step');
    expect(retry.idempotencyKey).toBe(first.idempotencyKey);
    expect([first.status, retry.status]).toEqual([201, 200]);
    const summary = await json<Summary>(`${sb.url}/deployments`);
    expect(summary.history.filter((h) => h.kind === 'deploy')).toHaveLength(1);
    expect(summary.keys).toEqual([expect.objectContaining({ key: first.idempotencyKey, calls: 2, applied: 1 })]);
  });

  it('polls until the new version serves', async () => {
    await post(`${sb.url}/faults`, { rolloutMs: 600 });
    const result = await exec(deploy(makeDeps()), {
      url: `${sb.url}/deploy`,
      version: '2.0.0',
      poll: {
        url: `${sb.url}/version`,
        until: { version: '2.0.0', status: 'serving' },
        intervalMs: 100,
        timeoutSeconds: 5,
      },
    });
    expect(result.poll?.polls).toBeGreaterThan(1);
    expect(result.poll?.elapsedMs).toBeGreaterThanOrEqual(500);
    expect((await json<Summary>(`${sb.url}/version`)).version).toBe('2.0.0');
  });

  it('fails for good when polling never reaches the state, with the last observation', async () => {
    await post(`${sb.url}/faults`, { rolloutMs: 60_000 });
    const f = await expectFailure(
      // 3 s: long enough for a first observation on a busy machine, far short of the rollout.
      exec(deploy(makeDeps()), {
        url: `${sb.url}/deploy`,
        version: '2.0.0',
        poll: { url: `${sb.url}/version`, until: { version: '2.0.0' }, intervalMs: 100, timeoutSeconds: 3 },
      }),
      'PollTimedOut',
      true,
    );
    // The last observation names the watched field only, never the rest of the body (status: rolling-out).
    const observed = (f.details as { poll: { observed: Record<string, unknown> } }[])[0]!.poll.observed;
    expect(Object.keys(observed)).toEqual(['version']);
    expect(observed.version).not.toBe('2.0.0');
    expect(JSON.stringify(f.details)).not.toContain('rolling-out');
  });

  it('fails for good on a wrong status, retries on a refused connection', async () => {
    await expectFailure(exec(deploy(makeDeps()), { url: `${sb.url}/deploy`, version: '' }), 'InvalidParams', true);
    // A key reused for another version: the target refuses (409), retrying cannot help.
    await exec(deploy(makeDeps()), { url: `${sb.url}/deploy`, version: '2.0.0', idempotencyKey: 'k' });
    await expectFailure(
      exec(deploy(makeDeps()), { url: `${sb.url}/deploy`, version: '3.0.0', idempotencyKey: 'k' }),
      'UnexpectedStatus',
      true,
    );
    const port = await closedPort();
    await expectFailure(
      exec(deploy(makeDeps()), { url: `http://127.0.0.1:${port}/deploy`, version: '2.0.0' }),
      'ConnectionFailed',
      false,
    );
  });

  it('declares its undo as a webhook to the rollback endpoint, which the sandbox honours', async () => {
    const p = deployParams.parse({ url: `${sb.url}/deploy`, version: '2.0.0', rollbackUrl: `${sb.url}/rollback` });
    await exec(deploy(makeDeps()), p);
    const undo = actionCatalog.deploy.compensation(p);
    expect(undo?.action).toBe('webhook');
    await exec(webhook(makeDeps()), undo?.params);
    expect((await json<Summary>(`${sb.url}/version`)).version).toBe('1.0.0');
    expect(actionCatalog.deploy.compensation(deployParams.parse({ url: `${sb.url}/deploy`, version: '2' }))).toBeNull();
  });
});

describe('webhook', () => {
  it('sends the same Idempotency-Key on every attempt and a timeout is retryable', async () => {
    const keys: string[] = [];
    const server = await tinyServer((req, res) => {
      keys.push(String(req.headers['idempotency-key']));
      if (req.url === '/slow') return; // never answers
      res.writeHead(202).end('{"queued":true}');
    });
    try {
      const ids = { workflowId: 'wf-hook', activityId: '7' };
      const a = await exec(webhook(makeDeps()), { url: `${server.url}/hook`, body: { ping: 1 } }, activityEnv(ids));
      await exec(webhook(makeDeps()), { url: `${server.url}/hook`, body: { ping: 1 } }, activityEnv(ids));
      expect(a).toMatchObject({ status: 202, idempotencyKey: 'wf-hook/7' });
      expect(JSON.stringify(a)).not.toContain('queued');
      expect(keys).toEqual(['wf-hook/7', 'wf-hook/7']);
      await expectFailure(exec(webhook(makeDeps()), { url: `${server.url}/slow`, timeoutMs: 200 }), 'Timeout', false);
    } finally {
      server.close();
    }
  });
});
