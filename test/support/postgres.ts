import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../../src/temporal/portCheck';

/**
 * A real PostgreSQL for tests: Debian's server binaries, a fresh cluster (initdb) in a temp
 * folder, listening on a free loopback port, stopped and removed afterwards. PostgreSQL refuses
 * to run as root, so as root (CI) it runs as the `postgres` user the Debian package creates,
 * through `runuser` (util-linux). Set GOLIVE_PG_BIN to use other binaries.
 */

const DEBIAN_ROOT = '/usr/lib/postgresql';

/** The newest server Debian's postgresql package installed (15 on bookworm, 17 on trixie). */
function serverBin(): string {
  if (process.env.GOLIVE_PG_BIN) return process.env.GOLIVE_PG_BIN;
  const versions = fs.existsSync(DEBIAN_ROOT)
    ? fs
        .readdirSync(DEBIAN_ROOT)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  return path.join(DEBIAN_ROOT, versions[0] ?? '15', 'bin');
}
const OS_USER = 'postgres';

export interface TestPostgres {
  /** postgres://… of the `postgres` database. */
  adminUrl: string;
  port: number;
  /** A new, empty database; returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server (fast shutdown) — its data stays, so `start` brings it back as it was. */
  stop(): void;
  start(): void;
  destroy(): void;
}

function asServerUser(command: string, args: string[]): [string, string[]] {
  const root = process.getuid?.() === 0;
  return root ? ['runuser', ['-u', OS_USER, '--', command, ...args]] : [command, args];
}

function run(command: string, args: string[]): void {
  const [cmd, argv] = asServerUser(command, args);
  const result = spawnSync(cmd, argv, { encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr || result.stdout || result.error?.message}`);
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const BIN = serverBin();
  if (!fs.existsSync(path.join(BIN, 'initdb'))) {
    throw new Error(`PostgreSQL server binaries are not in ${BIN}: install Debian's postgresql package (.ci/run does)`);
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'golive-pg-'));
  const dataDir = path.join(root, 'data');
  fs.chmodSync(root, 0o755);
  if (process.getuid?.() === 0) execFileSync('chown', [OS_USER, root]);
  const port = await freePort();
  run(path.join(BIN, 'initdb'), [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--auth=trust',
    '--no-sync',
    '-E',
    'UTF8',
    '--locale=C',
  ]);
  const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${root} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  const ctl = (action: 'start' | 'stop') =>
    run(
      path.join(BIN, 'pg_ctl'),
      action === 'start'
        ? ['-D', dataDir, '-o', options, '-l', path.join(root, 'server.log'), '-w', '-t', '60', 'start']
        : ['-D', dataDir, '-m', 'fast', '-w', 'stop'],
    );
  ctl('start');
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let running = true;
  return {
    adminUrl,
    port,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(name)}`;
    },
    stop() {
      if (running) ctl('stop');
      running = false;
    },
    start() {
      if (!running) ctl('start');
      running = true;
    },
    destroy() {
      try {
        if (running) ctl('stop');
      } finally {
        running = false;
        fs.rmSync(root, { recursive: true, force: true });
      }
    },
  };
}
