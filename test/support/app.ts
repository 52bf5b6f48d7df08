import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { ensureDemoUsers, type DemoCredential } from '../../src/auth/demoUsers';
import { UserStore } from '../../src/auth/users';
import { openDatabase, SQLITE_FILE, type GoLiveDatabase } from '../../src/db/database';
import { RunbookRegistry } from '../../src/runbook/registry';
import type { AppDeps } from '../../src/server/deps';
import { startWebServer, type WebServerDeps } from '../../src/server/start';
import { NAMESPACE, runningWorker, testClient } from './temporal';
import { eventually } from './eventually';
import type { RunStateView } from '../../src/contract/definitions';
export { eventually };

/**
 * The real golive web app for API and browser tests: a fresh data dir with demo users, the test
 * runbooks, listening on a free port, talking to the suite's dev server.
 */

export const FIXTURE_RUNBOOKS = path.resolve(__dirname, '../fixtures/web-runbooks');
export const SMALL_RUNBOOK = 'web-small';

export interface TestApp {
  url: string;
  dataDir: string;
  /** golive's own database for this app (SQLite in dataDir unless the caller passed one). */
  database: GoLiveDatabase;
  credentials: Record<string, DemoCredential>;
  close(): Promise<void>;
}

const quiet = {
  info: () => undefined,
  warn: () => undefined,
  error: (m: string, meta?: unknown) => console.error(m, meta),
};

export async function startTestApp(
  opts: { client: Client; taskQueue: string } & Partial<WebServerDeps>,
): Promise<TestApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'golive-web-'));
  const { created } = await ensureDemoUsers(dataDir);
  if (!created) throw new Error('demo users were not created in a fresh data dir');
  const users = await UserStore.load(path.join(dataDir, 'users.json'));
  const ownDatabase = opts.database === undefined;
  const database = opts.database ?? (await openDatabase({ sqliteFile: path.join(dataDir, SQLITE_FILE) }));
  const server = await startWebServer(
    {
      namespace: NAMESPACE,
      runbooks: new RunbookRegistry(FIXTURE_RUNBOOKS),
      users,
      dataDir,
      temporalUiUrl: 'http://127.0.0.1:8233',
      log: quiet,
      ...opts,
      database,
    },
    { host: '127.0.0.1', port: 0 },
  );
  return {
    url: server.url,
    dataDir,
    database,
    credentials: Object.fromEntries(created.map((c) => [c.id, c])),
    close: async () => {
      await server.close();
      if (ownDatabase) await database.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** A JSON client for one person, by API token (no CSRF needed) or none (anonymous). */
export function apiAs(app: TestApp, personId?: string) {
  const token = personId ? app.credentials[personId]?.token : undefined;
  if (personId && !token) throw new Error(`no demo person ${personId}`);
  // Tests read response bodies freely; a wrong field fails the assertion that reads it.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return async <T = any>(
    method: string,
    urlPath: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> => {
    const res = await fetch(app.url + urlPath, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      // Strings and bytes go as they are (raw uploads), anything else as JSON.
      ...(body !== undefined
        ? { body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body) }
        : {}),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // text/plain endpoints (metrics) stay text
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  };
}

/** The run's state once its step `stepId` has `status`, as the release manager `rm` reads it through the API. */
export function untilStepOf(app: TestApp, runId: string, stepId: string, status: string): Promise<RunStateView> {
  return eventually(async () => {
    const res = await apiAs(app, 'rm')<RunStateView>('GET', `/api/runs/${runId}`);
    return res.body.steps?.find((x) => x.id === stepId)?.status === status ? res.body : undefined;
  }, `${stepId} to be ${status}`);
}

/** The small web runbook's text with some changes (`id` replaced, and each [from, to] applied once). */
export function smallRunbookVariant(id: string, edits: [string, string][]): string {
  let text = fs
    .readFileSync(path.join(FIXTURE_RUNBOOKS, `${SMALL_RUNBOOK}.yaml`), 'utf8')
    .replace(`id: ${SMALL_RUNBOOK}\n`, `id: ${id}\n`);
  for (const [from, to] of edits) {
    if (!text.includes(from)) throw new Error(`the small runbook has no "${from}" to change`);
    text = text.replace(from, to);
  }
  return text;
}

/**
 * The small web runbook with an optional document (a model card) that engineers or operations
 * may submit beside the validation report: for evidence forms that take a document.
 */
export function modelCardRunbook(id: string): string {
  const engineers = '        submittedBy: [implementation-engineer]\n';
  const modelCard = `${engineers}      - id: model-card
        title: Model card
        type: document
        optional: true
        submittedBy: [implementation-engineer, operations]
`;
  return smallRunbookVariant(id, [[engineers, modelCard]]);
}

/** The small web runbook ending at the Guardian's approval: approving it ends the run (live). */
export const FINAL_APPROVAL_RUNBOOK = 'web-final-approval';
export function finalApprovalRunbook(): string {
  const small = fs.readFileSync(path.join(FIXTURE_RUNBOOKS, `${SMALL_RUNBOOK}.yaml`), 'utf8');
  return smallRunbookVariant(FINAL_APPROVAL_RUNBOOK, [[small.slice(small.indexOf('  - id: hypercare')), '']]);
}

/**
 * beforeAll/afterAll for a runbooks folder holding the web fixtures plus `extra` (file name →
 * text). Returns app deps for useTestApp (call this first, so its beforeAll runs first).
 */
export function useExtraRunbooks(
  hooks: { beforeAll: (fn: () => void) => void; afterAll: (fn: () => void) => void },
  extra: Record<string, string>,
): () => Partial<AppDeps> {
  let dir: string | undefined;
  hooks.beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'golive-web-runbooks-'));
    fs.cpSync(FIXTURE_RUNBOOKS, dir, { recursive: true });
    for (const [file, text] of Object.entries(extra)) fs.writeFileSync(path.join(dir, file), text);
  });
  hooks.afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    if (!dir) throw new Error('the runbooks folder is not written yet');
    return { runbooks: new RunbookRegistry(dir) };
  };
}

/**
 * beforeAll/afterAll for a test file: a real worker on its own task queue and the app on a free
 * port. Returns a getter, since the values exist only once beforeAll has run.
 */
export function useTestApp(
  hooks: {
    beforeAll: (fn: () => Promise<void>, timeout?: number) => void;
    afterAll: (fn: () => Promise<void>) => void;
  },
  /** Called in beforeAll, so it may use what earlier beforeAll hooks set up (e.g. a runbooks dir). */
  deps: () => Partial<AppDeps> = () => ({}),
): () => TestApp {
  let client: Client | undefined;
  let stopWorker: (() => Promise<void>) | undefined;
  let app: TestApp | undefined;
  hooks.beforeAll(async () => {
    const c = await testClient();
    client = c;
    const worker = await runningWorker();
    stopWorker = () => worker.stop();
    app = await startTestApp({ client: c, taskQueue: worker.taskQueue, ...deps() });
  });
  hooks.afterAll(async () => {
    await app?.close();
    await stopWorker?.();
    await client?.connection.close();
  });
  return () => {
    if (!app) throw new Error('the test app is not started yet');
    return app;
  };
}
