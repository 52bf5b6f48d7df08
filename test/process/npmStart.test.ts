import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEV_SERVER_PID_FILE } from '../../src/process/embeddedTemporal';
import { OWNER_FILE } from '../../src/process/dataLock';
import { stopStaleDevServer } from '../../src/temporal/devServer';
import { freePort } from '../../src/temporal/portCheck';
import { eventually } from '../support/eventually';
import { MAIN } from './support';

/**
 * `npm start` as people run it, killed the hard way: SIGKILL of npm's own process leaves no
 * golive and no Temporal dev server behind, so the next `npm start` starts; a second golive on
 * the same data folder is refused in one line; SIGTERM to npm stops everything.
 */

const REPO = path.resolve(__dirname, '../..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'golive-npmstart-'));
const started: ChildProcess[] = [];

afterAll(() => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function ports(): Promise<Record<string, string>> {
  return {
    GOLIVE_PORT: String(await freePort()),
    GOLIVE_TEMPORAL_PORT: String(await freePort()),
    GOLIVE_TEMPORAL_UI_PORT: String(await freePort()),
    GOLIVE_SANDBOX_PORT: String(await freePort()),
    // Every port moved: a golive already running on this machine (its defaults) must not fail the test.
    GOLIVE_WORKER_METRICS_ADDRESS: `127.0.0.1:${await freePort()}`,
  };
}

function npmStart(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn('npm', ['start'], {
    cwd: REPO,
    env: { ...process.env, GOLIVE_DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  return { child, output: () => out };
}

function running(output: () => string, child: ChildProcess) {
  return eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode}:\n${output()}`);
      return output().includes('golive is running') ? true : undefined;
    },
    () => `golive to be running; output:\n${output().slice(-3000)}`,
    150_000,
    250,
  );
}

/** Running: a process that exited but was not reaped yet (a zombie, state Z) is not. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // Field 3 of /proc/<pid>/stat, after the command name in parentheses.
    return !/^\d+ \(.*\) Z/s.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const devServerPid = () =>
  (JSON.parse(fs.readFileSync(path.join(dataDir, DEV_SERVER_PID_FILE), 'utf8')) as { pid: number }).pid;
const golivePid = () => (JSON.parse(fs.readFileSync(path.join(dataDir, OWNER_FILE), 'utf8')) as { pid: number }).pid;

describe('npm start, killed and started again', () => {
  it(
    'starts after SIGKILL of npm, refuses a second golive on the data folder, and stops on SIGTERM to npm',
    { timeout: 360_000 },
    async () => {
      const env = await ports();
      const first = npmStart(env);
      await running(first.output, first.child);
      const [oldGolive, oldServer] = [golivePid(), devServerPid()];

      const second = spawnSync(process.execPath, ['--import', 'tsx', MAIN], {
        cwd: REPO,
        env: { ...process.env, GOLIVE_DATA_DIR: dataDir, ...(await ports()) },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(second.status).toBe(1);
      expect(second.stderr.trim().split('\n')).toHaveLength(1);
      expect(second.stderr).toMatch(
        new RegExp(
          `^golive: another golive \\(pid ${oldGolive}, started .*\\) is using the data folder ${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`,
        ),
      );

      first.child.kill('SIGKILL');
      const again = npmStart(env);
      await running(again.output, again.child);
      // The old golive let go of the data folder on its way out; on a busy machine its last
      // moments (and its dev server's) may outlast the new one's start by a little.
      await eventually(
        async () => (!alive(oldGolive) && !alive(oldServer) ? true : undefined),
        "the killed npm start's golive and dev server to be gone",
        30_000,
      );
      const [newGolive, newServer] = [golivePid(), devServerPid()];

      again.child.kill('SIGTERM');
      const code = await new Promise((r) => again.child.once('exit', (c, s) => r(s ?? c)));
      expect(code === 0 || code === 'SIGTERM').toBe(true);
      await eventually(
        async () => (!alive(newGolive) && !alive(newServer) ? true : undefined),
        'golive and its dev server to stop',
        30_000,
      );
      expect(fs.existsSync(path.join(dataDir, DEV_SERVER_PID_FILE))).toBe(false);
      expect(fs.existsSync(path.join(dataDir, OWNER_FILE))).toBe(false);
    },
  );

  it('stops a dev server left behind by a golive that died, and only a dev server of this data folder', async () => {
    const dbFile = path.join(dataDir, 'stale-temporal.sqlite');
    const pidFile = path.join(dataDir, 'stale.pid');
    // Stand-ins with the command lines Temporal's dev server has (argv[0] set by exec -a).
    const fake = (db: string) =>
      spawn('bash', ['-c', `exec -a "temporal server start-dev --db-filename ${db}" sleep 120`], {
        detached: true,
        stdio: 'ignore',
      });
    const stale = fake(dbFile);
    const other = fake('/somewhere/else.sqlite');
    started.push(stale, other);
    await new Promise((r) => setTimeout(r, 300));
    fs.writeFileSync(pidFile, JSON.stringify({ pid: other.pid, dbFile }));
    expect(await stopStaleDevServer(pidFile)).toBe(false);
    expect(alive(other.pid!)).toBe(true);
    fs.writeFileSync(pidFile, JSON.stringify({ pid: stale.pid, dbFile }));
    expect(await stopStaleDevServer(pidFile)).toBe(true);
    await eventually(
      async () => (stale.exitCode !== null || stale.signalCode !== null ? true : undefined),
      'the stale server to end',
    );
    expect(fs.existsSync(pidFile)).toBe(false);
  });
});
