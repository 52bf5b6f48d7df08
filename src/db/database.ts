import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, sql, SqliteDialect } from 'kysely';
import pg from 'pg';
import { migrationProvider } from './migrations';
import type { DatabaseKind, Tables } from './tables';

/**
 * golive's own database: SQLite in the data folder by default (nothing to set up), PostgreSQL
 * when GOLIVE_DATABASE_URL names one (several web servers share it). One query layer (Kysely)
 * over both; migrations run on open.
 */

export type DatabaseDriver = { kind: 'sqlite'; client: BetterSqlite3.Database } | { kind: 'postgres'; client: pg.Pool };

export interface GoLiveDatabase {
  kind: DatabaseKind;
  db: Kysely<Tables>;
  /** The driver Kysely runs on, for libraries that take one (the login throttle's store). */
  driver: DatabaseDriver;
  /** Where it is, fit for logs (a URL's password is masked). */
  where: string;
  /** Resolves when the database answers a trivial query within the time. */
  ping(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export class DatabaseUnavailable extends Error {
  override name = 'DatabaseUnavailable';
}

export const SQLITE_FILE = 'golive.sqlite';

export interface OpenOptions {
  /** postgres://… ; unset: SQLite. */
  url?: string | undefined;
  /** The SQLite file (or ':memory:'), used when there is no url. */
  sqliteFile: string;
  /** How long to keep trying a database that does not answer yet (a container starting). */
  connectTimeoutMs?: number;
  onProgress?: (line: string) => void;
}

function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'a database URL that does not parse';
  }
}

function openSqlite(file: string): GoLiveDatabase {
  if (file !== ':memory:') {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    // Created private before SQLite opens it: it holds sessions and who was refused what.
    fs.closeSync(fs.openSync(file, 'a', 0o600));
  }
  const client = new BetterSqlite3(file);
  client.pragma('journal_mode = WAL');
  client.pragma('busy_timeout = 5000');
  client.pragma('synchronous = NORMAL');
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: client }) });
  return {
    kind: 'sqlite',
    db,
    driver: { kind: 'sqlite', client },
    where: file,
    ping: async () => {
      client.prepare('select 1').get();
    },
    close: () => db.destroy(),
  };
}

const POOL_WAIT_MS = 15_000;

/** pg-pool's words when no connection came free in time (it sets no code). */
export const POOL_TIMEOUT_MESSAGE = 'timeout exceeded when trying to connect';

function openPostgres(url: string, onError: (err: Error) => void): GoLiveDatabase {
  // A burst of requests queues for a connection rather than failing: 15 s is about what a person or
  // a CLI waits for an answer; past it the request is a 503 "busy" (src/server/unavailable.ts).
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: POOL_WAIT_MS,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its server (PostgreSQL restarted) must not crash the process.
  pool.on('error', onError);
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    db,
    driver: { kind: 'postgres', client: pool },
    where: maskUrl(url),
    ping: (timeoutMs) =>
      withTimeout(
        sql`select 1`.execute(db).then(() => undefined),
        timeoutMs,
        'the database did not answer',
      ),
    close: () => db.destroy(),
  };
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DatabaseUnavailable(message)), ms).unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** How long a process waits for another that is migrating the same SQLite file. */
const SQLITE_MIGRATION_WAIT_MS = 15_000;

async function migrate(database: GoLiveDatabase): Promise<void> {
  const migrator = new Migrator({ db: database.db, provider: migrationProvider(database.kind) });
  let { error, results } = await migrator.migrateToLatest();
  // Kysely locks migrations on PostgreSQL, not on SQLite (one connection, it assumes, and no
  // transactional DDL): a second process that opened the same file at the same moment meets the
  // tables the first is making, until the first has recorded its migrations — then nothing is left.
  const deadline = Date.now() + SQLITE_MIGRATION_WAIT_MS;
  while (
    database.kind === 'sqlite' &&
    error instanceof Error &&
    /already exists|duplicate column/.test(error.message) &&
    Date.now() < deadline
  ) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    ({ error, results } = await migrator.migrateToLatest());
  }
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const why = error instanceof Error ? error.message : String(error ?? 'failed');
    throw new DatabaseUnavailable(`migrating ${database.where}${failed ? ` (${failed.migrationName})` : ''}: ${why}`, {
      cause: error,
    });
  }
}

/**
 * PostgreSQL's refusals that waiting does not mend (SQLSTATE): the role or its password is wrong
 * (class 28), the database does not exist (3D000), the role may not create golive's tables
 * (42501). A PostgreSQL that is starting refuses connections or answers 57P03, and is waited for;
 * these end the start at once, with PostgreSQL's own words, not after the whole wait.
 */
function refusedForGood(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (code.startsWith('28') || code === '3D000' || code === '42501')) return true;
  }
  return false;
}

/** Opens the database and brings its schema up to date, waiting for a PostgreSQL that is starting. */
export async function openDatabase(opts: OpenOptions): Promise<GoLiveDatabase> {
  if (!opts.url) {
    const database = openSqlite(opts.sqliteFile);
    await migrate(database).catch(async (err: unknown) => {
      await database.close();
      throw err;
    });
    return database;
  }
  const database = openPostgres(opts.url, (err) => opts.onProgress?.(`database connection lost: ${err.message}`));
  const deadline = Date.now() + (opts.connectTimeoutMs ?? 30_000);
  for (let attempt = 1; ; attempt++) {
    try {
      await database.ping(2000);
      await migrate(database);
      return database;
    } catch (err) {
      if (Date.now() > deadline || refusedForGood(err)) {
        await database.close().catch(() => undefined);
        throw new DatabaseUnavailable(`cannot use the database at ${database.where}: ${(err as Error).message}`);
      }
      if (attempt === 1)
        opts.onProgress?.(`waiting for the database at ${database.where} (${(err as Error).message})…`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
