import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureDemoUsers } from '../../src/auth/demoUsers';
import { parseConfig } from '../../src/config';
import { buildContext } from '../../src/server/app';
import { resolveTemporalCli } from '../../src/temporal/cliBinary';
import { startDevServer } from '../../src/temporal/devServer';
import { freePort } from '../../src/temporal/portCheck';
import { RunbookRegistry } from '../../src/runbook/registry';
import { UserStore } from '../../src/auth/users';
import { openDatabase, SQLITE_FILE } from '../../src/db/database';
import { testClient } from '../support/temporal';

/** What golive writes into its data folder is private: folders 0700, files 0600 (issue 11). */

const mode = (file: string) => fs.statSync(file).mode & 0o777;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'golive-modes-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('data file modes', () => {
  it('the dev server’s SQLite file and log, in a folder it creates, are 0600 in a 0700 folder', async () => {
    const dataDir = path.join(root, 'temporal-data');
    const config = parseConfig();
    const cliPath = await resolveTemporalCli({
      explicitPath: config.TEMPORAL_CLI_PATH,
      cacheDir: config.GOLIVE_CACHE_DIR,
    });
    const server = await startDevServer({
      cliPath,
      port: await freePort(),
      uiPort: 0,
      headless: true,
      namespace: 'default',
      dbFile: path.join(dataDir, 'temporal.sqlite'),
      logFile: path.join(dataDir, 'temporal-server.log'),
    });
    try {
      expect(mode(dataDir)).toBe(0o700);
      expect(mode(path.join(dataDir, 'temporal.sqlite'))).toBe(0o600);
      expect(mode(path.join(dataDir, 'temporal-server.log'))).toBe(0o600);
      const others = fs.readdirSync(dataDir).map((f) => [f, mode(path.join(dataDir, f))]);
      expect(others.filter(([, m]) => m !== 0o600)).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  it('users, credentials, the database and the signing keys are 0600; a loose existing folder is tightened to 0700', async () => {
    const dataDir = path.join(root, 'web-data');
    fs.mkdirSync(dataDir, { mode: 0o755 });
    fs.chmodSync(dataDir, 0o755);
    await ensureDemoUsers(dataDir);
    const client = await testClient();
    const database = await openDatabase({ sqliteFile: path.join(dataDir, SQLITE_FILE) });
    try {
      buildContext({
        client,
        taskQueue: 'unused',
        namespace: 'default',
        runbooks: new RunbookRegistry(root),
        users: await UserStore.load(path.join(dataDir, 'users.json')),
        dataDir,
        database,
        serverSecret: Buffer.alloc(32, 1),
      });
    } finally {
      await database.close();
      await client.connection.close();
    }
    expect(mode(dataDir)).toBe(0o700);
    const keys = path.join(dataDir, 'signing-keys');
    expect(mode(keys)).toBe(0o700);
    for (const file of fs.readdirSync(keys)) expect([file, mode(path.join(keys, file))]).toEqual([file, 0o600]);
    for (const file of fs.readdirSync(dataDir).filter((f) => f !== 'signing-keys'))
      expect([file, mode(path.join(dataDir, file))]).toEqual([file, 0o600]);
    expect(fs.readdirSync(dataDir).sort()).toEqual(
      expect.arrayContaining(['demo-credentials.txt', SQLITE_FILE, 'signing-keys', 'users.json']),
    );
  });
});
