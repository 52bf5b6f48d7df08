import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chainEntries } from '../../src/audit/chain';
import type { DossierSource } from '../../src/audit/dossier';
import { auditEntries, finalState, startInput } from '../../src/audit/entries';
import type { RunHistory } from '../../src/audit/history';
import { RunbookRegistry } from '../../src/runbook/registry';
import type { RunbookInput } from '../../src/contract/schemas/runbook';

/** The recorded history of a run rejected at Gate 4 and rolled back: dossiers without a server. */
export const recordedChain = JSON.parse(
  readFileSync(path.join(__dirname, '../fixtures/audit/rejected-run.history.json'), 'utf8'),
) as RunHistory[];

/** A dossier source from the recorded run (workflow id wf-1, generated at the epoch); `patch` edits it first. */
export function recordedSource(patch: (s: DossierSource) => void = () => undefined): DossierSource {
  const state = structuredClone(finalState(recordedChain)!);
  const src: DossierSource = {
    workflowId: 'wf-1',
    runIds: recordedChain.map((r) => r.runId),
    input: startInput(recordedChain)!,
    state,
    entries: chainEntries(auditEntries(recordedChain, state)),
    refusals: [],
    now: new Date(0),
  };
  patch(src);
  return src;
}

/** A tiny HTTP target for webhook actions: answers 200 and remembers each call, in order. */
export interface HookServer {
  url: string;
  calls: string[];
  close(): Promise<void>;
}

export async function startHookServer(): Promise<HookServer> {
  const calls: string[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      calls.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const hook = (url: string, path: string) => ({
  action: 'webhook',
  params: { url: `${url}${path}`, method: 'POST' as const },
});

/**
 * Evidence, two actions that each have an undo, a Guardian sign-off and a Gate 4 decision: the
 * smallest runbook whose rejection makes the run compensate both actions in reverse.
 */
export function rejectionRunbook(url: string): Omit<RunbookInput, 'roles' | 'id' | 'version' | 'title'> {
  return {
    stopAuthority: ['guardian'],
    rollbackAuthority: ['operations'],
    steps: [
      {
        id: 'compliance-dossier',
        kind: 'evidence',
        title: 'Compliance dossier',
        phase: 'Compliance dossier',
        items: [
          {
            id: 'model-card',
            title: 'Technical model card',
            type: 'document',
            submittedBy: ['implementation-engineer'],
          },
          { id: 'hard-boundaries-held', title: 'Hard boundaries held', type: 'attestation', submittedBy: ['guardian'] },
        ],
      },
      {
        id: 'enable-access',
        kind: 'action',
        title: 'Enable access',
        phase: 'Technical integration',
        ...hook(url, '/enable'),
        compensate: hook(url, '/disable'),
      },
      {
        id: 'deploy-stage',
        kind: 'action',
        title: 'Deploy to stage',
        phase: 'Technical integration',
        ...hook(url, '/deploy'),
        compensate: hook(url, '/undeploy'),
      },
      {
        id: 'dossier-signoff',
        kind: 'approval',
        title: 'Guardian signs off',
        approvers: [{ role: 'guardian' }],
        covers: ['compliance-dossier'],
        deadline: '1h',
      },
      {
        id: 'gate-4',
        kind: 'approval',
        title: 'Gate 4: go-live decision',
        phase: 'Gate 4',
        approvers: [{ role: 'business-sponsor' }],
        deadline: '1h',
      },
    ],
  };
}

export const REJECTION_RUNBOOK_ID = 'audit-rejection';

/**
 * A runbooks folder holding the rejection runbook for the web app (API and browser tests). Its
 * roles leave out the end user, so the demo end user has no role in its runs: an outsider.
 */
export async function rejectionRunbookDir(hookUrl: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'golive-audit-runbooks-'));
  const runbook: RunbookInput = {
    id: REJECTION_RUNBOOK_ID,
    version: '1.0.0',
    title: 'Rejected at Gate 4',
    roles: [
      { id: 'ai-product-manager', title: 'AI Product Manager' },
      { id: 'implementation-engineer', title: 'Implementation Engineer' },
      { id: 'guardian', title: 'Guardian' },
      { id: 'business-sponsor', title: 'Business Sponsor' },
      { id: 'operations', title: 'Operations' },
    ],
    ...rejectionRunbook(hookUrl),
  };
  await fs.writeFile(path.join(dir, `${REJECTION_RUNBOOK_ID}.json`), JSON.stringify(runbook, null, 2));
  return dir;
}

/**
 * beforeAll/afterAll for web tests of the rejection runbook: the hook server and the runbooks
 * folder. Returns the app deps for useTestApp (call this first, so its beforeAll runs first).
 */
export function useRejectionRunbooks(hooks: {
  beforeAll: (fn: () => Promise<void>) => void;
  afterAll: (fn: () => Promise<void>) => void;
}): () => { runbooks: RunbookRegistry } {
  let server: HookServer | undefined;
  let dir: string | undefined;
  hooks.beforeAll(async () => {
    server = await startHookServer();
    dir = await rejectionRunbookDir(server.url);
  });
  hooks.afterAll(async () => {
    await server?.close();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });
  return () => {
    if (!dir) throw new Error('the rejection runbooks are not written yet');
    return { runbooks: new RunbookRegistry(dir) };
  };
}
