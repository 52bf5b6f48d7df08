import type { Insertable, Selectable } from 'kysely';

/**
 * golive's own mutable state (everything outside Temporal), as Kysely table types. The same
 * tables exist in SQLite (embedded default) and PostgreSQL (production); migrations.ts makes them.
 * Millisecond timestamps are BIGINT in PostgreSQL, which `pg` returns as strings: readers pass
 * them through Number().
 */

/** A browser session: the cookie holds a random token, the table only its SHA-256. */
export interface SessionsTable {
  id: string;
  user_id: string;
  created_at: number | string;
  expires_at: number | string;
  /** Set by a logout; every web server refuses the session from then on. */
  revoked_at: number | string | null;
}

/** Refused attempts, append-only (triggers refuse UPDATE and DELETE), hash-chained per run. */
export interface RefusalsTable {
  run_id: string;
  /** 1, 2, … per run: with prev_hash it makes the chain. */
  seq: number;
  at: string;
  actor: string;
  action: string;
  step_id: string | null;
  report_id: string | null;
  type: string;
  status: number;
  reason: string;
  by: string;
  prev_hash: string;
  hash: string;
}

/** Secrets every web server must share (the HMAC key for CSRF tokens), made once. */
export interface ServerSecretsTable {
  name: string;
  value: string;
}

/** rate-limiter-flexible's own table layout (key, points, expire in ms), made by our migrations. */
export interface LoginThrottleTable {
  key: string;
  points: number;
  expire: number | string | null;
}

export interface Tables {
  sessions: SessionsTable;
  refusals: RefusalsTable;
  server_secrets: ServerSecretsTable;
  login_throttle: LoginThrottleTable;
}

export type RefusalRow = Selectable<RefusalsTable>;
export type NewRefusalRow = Insertable<RefusalsTable>;
