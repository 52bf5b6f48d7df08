import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { goLiveSearchAttributes } from '../../workflows/searchAttributes';
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

export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const host = '127.0.0.1';
  if (!(await isPortFree(opts.port, host))) throw new PortInUse(opts.port, 'Temporal dev server', 'GOLIVE_TEMPORAL_PORT');
  if (!opts.headless && !(await isPortFree(opts.uiPort, host))) {
    throw new PortInUse(opts.uiPort, 'Temporal Web UI', 'GOLIVE_TEMPORAL_UI_PORT');
  }
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

  let out: number | 'ignore' = 'ignore';
  if (opts.logFile) {
    ensurePrivateDir(path.dirname(opts.logFile));
    out = fs.openSync(opts.logFile, 'a', PRIVATE_FILE_MODE);
    restrictFiles([opts.logFile]);
  }
  // detached: the server gets its own process group, so stop() can end it and anything it spawned.
  const child = spawn(opts.cliPath, args, { stdio: ['ignore', out, out], detached: true });
  if (typeof out === 'number') fs.closeSync(out);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // The server runs in its own process group (so stop() can end it whole); if this process ends
  // without calling stop() — a crash, a test runner killed mid-run — take the server along.
  const killOnExit = (): void => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  process.once('exit', killOnExit);
  void exited.then(() => process.removeListener('exit', killOnExit));

  const address = `${host}:${opts.port}`;
  const server: DevServer = {
    address,
    uiUrl: opts.headless ? undefined : `http://${host}:${opts.uiPort}`,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, 5000);
      await exited;
      clearTimeout(timer);
    },
  };

  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) {
      throw new DevServerExited(child.exitCode, opts.logFile ? logTail(opts.logFile) : '', opts.logFile);
    }
    if (await isServing(address, opts.namespace)) {
      // The server creates its SQLite file with the default umask (0644); the folder is already
      // 0700, and the file is made 0600 so a copied or moved data folder stays private too.
      if (opts.dbFile) restrictFiles(sqliteFiles(opts.dbFile));
      return server;
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`the Temporal dev server did not answer on ${address} in time`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

export class DevServerExited extends Error {
  override name = 'DevServerExited';
  constructor(
    readonly exitCode: number,
    readonly logTail: string,
    logFile: string | undefined,
  ) {
    super(`the Temporal dev server exited with code ${exitCode} while starting${logFile ? ` (log: ${logFile})` : ''}${logTail ? `:\n${logTail}` : ''}`);
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
