import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { goLiveSearchAttributes } from '../contract/searchAttributes';
import { isPortFree, PortInUse } from './portCheck';
import { ensurePrivateDir, PRIVATE_FILE_MODE, restrictFiles, sqliteFiles } from '../privateFiles';

/**
 * The embedded Temporal: `temporal server start-dev` as a child process.
 * With a dbFile, state survives restarts (SQLite); without one, it lives in memory (tests).
 */
export interface DevServerOptions {
  cliPath: string;
  port: number;
  uiPort: number;
  namespace: string;
  /** SQLite file; omit for an in-memory server. */
  dbFile?: string;
  /** No Web UI (tests). */
  headless?: boolean;
  /** Where the server's own log goes; defaults to ignoring it. */
  logFile?: string;
  /**
   * Where to record the server's pid. A server recorded there that is still running when the next
   * golive starts (its golive was killed) is stopped first: see stopStaleDevServer.
   */
  pidFile?: string;
  startTimeoutMs?: number;
}

export interface DevServer {
  address: string;
  uiUrl: string | undefined;
  child: ChildProcess;
  stop(): Promise<void>;
}

const searchAttributeFlagType: Record<string, string> = {
  KEYWORD: 'Keyword',
  KEYWORD_LIST: 'KeywordList',
  TEXT: 'Text',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
};

/**
 * On Linux, `setpriv --pdeathsig KILL` makes the kernel kill the server the moment the process
 * that started it dies, however it dies (a SIGKILL runs no exit hook). Elsewhere the exit hook
 * below and the pid file are the net.
 */
const SETPRIV = '/usr/bin/setpriv';

function command(cliPath: string, args: string[]): [string, string[]] {
  return process.platform === 'linux' && fs.existsSync(SETPRIV)
    ? [SETPRIV, ['--pdeathsig', 'KILL', '--', cliPath, ...args]]
    : [cliPath, args];
}

export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const host = '127.0.0.1';
  if (opts.pidFile) await stopStaleDevServer(opts.pidFile);
  if (!(await isPortFree(opts.port, host)))
    throw new PortInUse(opts.port, 'Temporal dev server', 'GOLIVE_TEMPORAL_PORT');
  if (!opts.headless && !(await isPortFree(opts.uiPort, host))) {
    throw new PortInUse(opts.uiPort, 'Temporal Web UI', 'GOLIVE_TEMPORAL_UI_PORT');
  }
  const child = spawnServer(opts, serverArgs(opts, host));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  killWithThisProcess(child, exited);
  const server: DevServer = {
    address: `${host}:${opts.port}`,
    uiUrl: opts.headless ? undefined : `http://${host}:${opts.uiPort}`,
    child,
    stop: () => stopServer(child, exited, opts.pidFile),
  };
  await waitUntilServing(server, opts);
  return server;
}

function serverArgs(opts: DevServerOptions, host: string): string[] {
  const args = [
    'server',
    'start-dev',
    '--ip',
    host,
    '--port',
    String(opts.port),
    '--namespace',
    opts.namespace,
    '--log-level',
    'warn',
  ];
  if (opts.headless) args.push('--headless');
  else args.push('--ui-port', String(opts.uiPort));
  if (opts.dbFile) {
    ensurePrivateDir(path.dirname(opts.dbFile));
    args.push('--db-filename', opts.dbFile);
  }
  for (const key of goLiveSearchAttributes) {
    args.push('--search-attribute', `${key.name}=${searchAttributeFlagType[key.type]}`);
  }
  return args;
}

function spawnServer(opts: DevServerOptions, args: string[]): ChildProcess {
  let out: number | 'ignore' = 'ignore';
  if (opts.logFile) {
    ensurePrivateDir(path.dirname(opts.logFile));
    out = fs.openSync(opts.logFile, 'a', PRIVATE_FILE_MODE);
    restrictFiles([opts.logFile]);
  }
  // detached: the server gets its own process group, so stop() can end it and anything it spawned.
  // OTEL_* settings are golive's tracing; the Go server reads them too and refuses some
  // (OTEL_TRACES_EXPORTER=console), so the embedded dev server does not get them.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_')));
  const [program, argv] = command(opts.cliPath, args);
  const child = spawn(program, argv, { stdio: ['ignore', out, out], detached: true, env });
  if (typeof out === 'number') fs.closeSync(out);
  if (opts.pidFile && child.pid) writePidFile(opts.pidFile, child.pid, opts.dbFile);
  return child;
}

/**
 * The server runs in its own process group (so stop() can end it whole); if this process ends
 * without calling stop() — a crash, a test runner killed mid-run — take the server along.
 */
function killWithThisProcess(child: ChildProcess, exited: Promise<unknown>): void {
  const killOnExit = (): void => {
    signalGroup(child, 'SIGKILL');
  };
  process.once('exit', killOnExit);
  void exited.then(() => process.removeListener('exit', killOnExit));
}

/** Signals the server's process group; false when it is gone already. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-child.pid!, signal);
    return true;
  } catch {
    return false;
  }
}

async function stopServer(child: ChildProcess, exited: Promise<unknown>, pidFile: string | undefined): Promise<void> {
  const running = child.exitCode === null && child.signalCode === null;
  if (running && signalGroup(child, 'SIGTERM')) {
    const timer = setTimeout(() => void signalGroup(child, 'SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  } else if (running) {
    return; // the group is gone but the exit not seen yet: nothing left to stop
  }
  if (pidFile) fs.rmSync(pidFile, { force: true });
}

async function waitUntilServing(server: DevServer, opts: DevServerOptions): Promise<void> {
  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  for (;;) {
    if (server.child.exitCode !== null) {
      throw new DevServerExited(server.child.exitCode, opts.logFile ? logTail(opts.logFile) : '', opts.logFile);
    }
    if (await isServing(server.address, opts.namespace)) {
      // The server creates its SQLite file with the default umask (0644); the folder is already
      // 0700, and the file is made 0600 so a copied or moved data folder stays private too.
      if (opts.dbFile) restrictFiles(sqliteFiles(opts.dbFile));
      return;
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`the Temporal dev server did not answer on ${server.address} in time`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

class DevServerExited extends Error {
  override name = 'DevServerExited';
  constructor(
    readonly exitCode: number,
    readonly logTail: string,
    logFile: string | undefined,
  ) {
    super(
      `the Temporal dev server exited with code ${exitCode} while starting${logFile ? ` (log: ${logFile})` : ''}${logTail ? `:\n${logTail}` : ''}`,
    );
  }
}

function logTail(file: string, lines = 8): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

async function isServing(address: string, namespace: string): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: 1000 });
    await connection.workflowService.describeNamespace({ namespace });
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

interface PidRecord {
  pid: number;
  dbFile?: string;
}

function writePidFile(file: string, pid: number, dbFile: string | undefined): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ pid, ...(dbFile ? { dbFile } : {}) }) + '\n', { mode: 0o600 });
}

/** True when `pid` is a Temporal dev server started for `dbFile` (never some other program that got the pid). */
function isOurDevServer(pid: number, dbFile: string | undefined): boolean {
  let cmdline: string;
  try {
    cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return false;
  }
  return cmdline.includes('start-dev') && (dbFile === undefined || cmdline.includes(dbFile));
}

/**
 * A dev server recorded in the pid file that still runs belongs to a golive that died without
 * stopping it (the data folder's lock says no live golive owns it): stop it and its group, so
 * its ports and SQLite file are free again.
 */
export async function stopStaleDevServer(pidFile: string): Promise<boolean> {
  let record: PidRecord;
  try {
    record = JSON.parse(fs.readFileSync(pidFile, 'utf8')) as PidRecord;
  } catch {
    return false;
  }
  const stale = typeof record.pid === 'number' && isOurDevServer(record.pid, record.dbFile);
  if (stale) {
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      try {
        process.kill(-record.pid, signal);
      } catch {
        break;
      }
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline && isOurDevServer(record.pid, record.dbFile))
        await new Promise((r) => setTimeout(r, 100));
      if (!isOurDevServer(record.pid, record.dbFile)) break;
    }
  }
  fs.rmSync(pidFile, { force: true });
  return stale;
}
