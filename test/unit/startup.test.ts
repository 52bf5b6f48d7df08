import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../src/temporal/portCheck';

/**
 * `npm start` on a machine that is not ready says what is wrong in one line, not a stack trace,
 * and exits non-zero. Runs the real entry point as a child process.
 */
const MAIN = path.resolve(__dirname, '../../src/main.ts');

async function runMain(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'golive-start-'));
  // Free ports and worker metrics off unless a test says otherwise: another golive on this machine
  // may hold the defaults (8400, 8401, 8410, 7233, 8233), and that is not what these tests check.
  const ports = {
    GOLIVE_PORT: String(await freePort()),
    GOLIVE_SANDBOX_PORT: String(await freePort()),
    GOLIVE_TEMPORAL_PORT: String(await freePort()),
    GOLIVE_TEMPORAL_UI_PORT: String(await freePort()),
  };
  const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), MAIN], {
    env: { HOME: os.homedir(), GOLIVE_DATA_DIR: dataDir, GOLIVE_WORKER_METRICS_ADDRESS: 'off', ...ports, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

describe('npm start on a machine that is not ready', () => {
  it('says in one line that Go is needed when neither the Temporal CLI nor Go can be found', async () => {
    const emptyCache = fs.mkdtempSync(path.join(os.tmpdir(), 'golive-cache-'));
    const { code, stderr } = await runMain({ PATH: '/nonexistent', GOLIVE_CACHE_DIR: emptyCache });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^golive: the Temporal CLI was not found and Go is not installed to build it: install Go/);
  });

  it('says in one line which port is taken and which variable moves it', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const { code, stderr } = await runMain({ PATH: process.env.PATH ?? '', GOLIVE_TEMPORAL_PORT: String(port) });
      expect(code).toBe(1);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr.trim()).toBe(
        `golive: port ${port} (Temporal dev server) is already in use: stop what holds it, or set GOLIVE_TEMPORAL_PORT to another port`,
      );
    } finally {
      blocker.close();
    }
  });

  it("says in one line when the sandbox's port is taken", async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      // A worker-only process on a Temporal that is not there: the sandbox starts before the worker connects.
      const { code, stderr } = await runMain({
        PATH: process.env.PATH ?? '',
        GOLIVE_ROLES: 'worker',
        TEMPORAL_ADDRESS: '127.0.0.1:1',
        GOLIVE_SANDBOX_PORT: String(port),
      });
      expect(code).toBe(1);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr.trim()).toBe(
        `golive: port ${port} (sandbox production system) is already in use: stop what holds it, or set GOLIVE_SANDBOX_PORT to another port`,
      );
    } finally {
      blocker.close();
    }
  });

  it("says in one line when the worker metrics' port is taken", async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const { code, stderr } = await runMain({
        PATH: process.env.PATH ?? '',
        GOLIVE_WORKER_METRICS_ADDRESS: `127.0.0.1:${port}`,
      });
      expect(code).toBe(1);
      expect(stderr.trim()).toBe(
        `golive: port ${port} (Temporal worker metrics) is already in use: stop what holds it, or set GOLIVE_WORKER_METRICS_ADDRESS to another port`,
      );
    } finally {
      blocker.close();
    }
  });

  it('names a bad setting and its variable', async () => {
    const { code, stderr } = await runMain({ PATH: process.env.PATH ?? '', GOLIVE_PORT: 'http' });
    expect(code).toBe(1);
    expect(stderr.trim()).toMatch(/^golive: invalid configuration: GOLIVE_PORT: /);
  });

  it('names a bad trusted-proxy range in one line, not a stack trace', async () => {
    const { code, stderr } = await runMain({
      PATH: process.env.PATH ?? '',
      GOLIVE_ROLES: 'web',
      TEMPORAL_ADDRESS: '127.0.0.1:1',
      GOLIVE_TRUSTED_PROXY_HEADER: 'x-forwarded-user',
      GOLIVE_TRUSTED_PROXY_CIDRS: 'not-a-cidr',
    });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr.trim()).toMatch(
      /^golive: invalid configuration: GOLIVE_TRUSTED_PROXY_CIDRS: "not-a-cidr" is not a CIDR/,
    );
  });

  it('refuses a users file whose names are not one line of text, in one line naming the file and each entry', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'golive-users-'));
    const usersFile = path.join(dataDir, 'users.json');
    const user = (id: string, name: string) => ({ id, name, roles: ['operations'] });
    fs.writeFileSync(
      usersFile,
      JSON.stringify({
        version: 1,
        users: [user('ok', 'Fine Name'), user('ana', 'Ana\nBerg'), user('bob', 'Bob\u0085'), user('cy', '')],
      }),
    );
    const { code, stderr } = await runMain({
      PATH: process.env.PATH ?? '',
      GOLIVE_ROLES: 'web',
      TEMPORAL_ADDRESS: '127.0.0.1:1',
      GOLIVE_DATA_DIR: dataDir,
    });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr.trim()).toBe(
      `golive: ${usersFile} is invalid: ` +
        'user "ana" (users[1]) name: must be one line (no tab or line break); ' +
        'user "bob" (users[2]) name: must not contain control characters (such as NUL or ESC; a name is one line, without tab or line break); ' +
        'user "cy" (users[3]) name: must not be empty',
    );
  });
});
