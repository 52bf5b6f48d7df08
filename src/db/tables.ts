import type { Selectable } from 'kysely';

/** The database engines golive runs on. */
export type DatabaseKind = 'sqlite' | 'postgres';

/**
 * golive's own mutable state (everything outside Temporal), as Kysely table types. The same
 * tables exist in SQLite (embedded default) and PostgreSQL (production); migrations.ts makes them.
 * Millisecond timestamps are BIGINT in PostgreSQL, which `pg` returns as strings: readers pass
 * them through Number().
 */

/** A browser session: the cookie holds a random token, the table only its SHA-256. */
interface SessionsTable {
  id: string;
  user_id: string;
  created_at: number | string;
  expires_at: number | string;
  /** Set by a logout; every web server refuses the session from then on. */
  revoked_at: number | string | null;
  /** How the person logged in: `password`, or `oidc` (logout then also ends the provider's session). */
  method?: string | null;
}

/**
 * People who logged in through OpenID Connect: part of the directory, with the roles their
 * groups gave them at their last login. The (issuer, subject) pair is who they are at the
 * provider; `id` is the golive person id, which never moves to another subject.
 */
interface OidcPeopleTable {
  id: string;
  issuer: string;
  subject: string;
  name: string;
  email: string | null;
  /** JSON arrays: golive roles, and the groups they came from. */
  roles: string;
  groups: string;
  last_login_at: number | string;
}

/** API tokens golive issued after a browser login (`golive login`): only their SHA-256. */
interface ApiTokensTable {
  sha256: string;
  user_id: string;
  label: string;
  created_at: number | string;
  expires_at: number | string;
  revoked_at: number | string | null;
}

/** Registered passkeys (WebAuthn credentials), one row each. */
interface PasskeysTable {
  credential_id: string;
  user_id: string;
  label: string;
  /** The COSE public key as the authenticator gave it, and the same key as SPKI DER (base64url). */
  public_key_cose: string;
  public_key_spki: string;
  algorithm: number;
  counter: number | string;
  /** JSON array of transports the authenticator named (usb, internal, hybrid…). */
  transports: string;
  created_at: number | string;
  last_used_at: number | string | null;
}

/**
 * Short-lived, single-use values of the login and passkey ceremonies (an OpenID Connect login's
 * state and PKCE verifier, a CLI login's code, a passkey challenge), by the SHA-256 of the value
 * the browser or CLI holds. Taking one deletes it, so it counts once on every web server.
 */
interface AuthChallengesTable {
  id: string;
  kind: string;
  user_id: string | null;
  data: string;
  expires_at: number | string;
}

/** Refused attempts, append-only (triggers refuse UPDATE and DELETE), hash-chained per run. */
interface RefusalsTable {
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
interface ServerSecretsTable {
  name: string;
  value: string;
}

/** rate-limiter-flexible's own table layout (key, points, expire in ms), made by our migrations. */
interface LoginThrottleTable {
  key: string;
  points: number;
  expire: number | string | null;
}

export interface Tables {
  sessions: SessionsTable;
  refusals: RefusalsTable;
  server_secrets: ServerSecretsTable;
  login_throttle: LoginThrottleTable;
  oidc_people: OidcPeopleTable;
  api_tokens: ApiTokensTable;
  passkeys: PasskeysTable;
  auth_challenges: AuthChallengesTable;
}

export type RefusalRow = Selectable<RefusalsTable>;
