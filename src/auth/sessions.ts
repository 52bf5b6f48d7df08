import { createHmac, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables';
import { safeEqual, sha256Hex } from './secrets';

/**
 * Browser sessions, kept in golive's database so that every web server knows them: the cookie
 * holds a random token, the `sessions` table its SHA-256, the person, the expiry and, after a
 * logout, when it was revoked. A logout on one server is refused by all, and survives restarts.
 *
 * CSRF: a synchronizer token derived from the session id (HMAC with a secret that the database
 * holds, so all servers derive the same), put into every page and sent back in `x-csrf-token`.
 * It cannot be read cross-site and changes with each session.
 */

export const SESSION_COOKIE = 'golive_session';
export const CSRF_HEADER = 'x-csrf-token';
const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** How recent a login must be for the acts that add credentials (registering a passkey). */
export const FRESH_LOGIN_MS = 15 * 60 * 1000;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const CSRF_SECRET = 'csrf';

export type LoginMethod = 'password' | 'oidc';

export interface Session {
  userId: string;
  /** The session's id: the SHA-256 of its cookie token (never the token itself). */
  sid: string;
  expiresAt: number;
  /** When the person logged in (fresh logins may do more: register a passkey). */
  createdAt: number;
  method: LoginMethod;
}

/** The secret every web server shares, made by whichever reaches the database first. */
export async function loadServerSecret(db: Kysely<Tables>, name = CSRF_SECRET): Promise<Buffer> {
  await db
    .insertInto('server_secrets')
    .values({ name, value: randomBytes(32).toString('hex') })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('server_secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return Buffer.from(row.value, 'hex');
}

export class SessionStore {
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly secret: Buffer,
    private readonly now: () => number = Date.now,
  ) {}

  async issue(
    userId: string,
    method: LoginMethod = 'password',
  ): Promise<{ cookie: string; session: Session; maxAgeMs: number }> {
    const token = randomBytes(32).toString('base64url');
    const now = this.now();
    const session: Session = { userId, sid: sha256Hex(token), expiresAt: now + SESSION_TTL_MS, createdAt: now, method };
    await this.db
      .insertInto('sessions')
      .values({
        id: session.sid,
        user_id: userId,
        created_at: now,
        expires_at: session.expiresAt,
        revoked_at: null,
        method,
      })
      .execute();
    // Expired sessions are of no use to anyone: each login sweeps them (indexed by expiry).
    await this.db.deleteFrom('sessions').where('expires_at', '<', now).execute();
    return { cookie: token, session, maxAgeMs: SESSION_TTL_MS };
  }

  async verify(cookie: string): Promise<Session | undefined> {
    if (!TOKEN_PATTERN.test(cookie)) return undefined;
    const row = await this.db
      .selectFrom('sessions')
      .select(['id', 'user_id', 'created_at', 'expires_at', 'revoked_at', 'method'])
      .where('id', '=', sha256Hex(cookie))
      .executeTakeFirst();
    if (!row || row.revoked_at !== null) return undefined;
    const expiresAt = Number(row.expires_at);
    if (expiresAt <= this.now()) return undefined;
    return {
      userId: row.user_id,
      sid: row.id,
      expiresAt,
      createdAt: Number(row.created_at),
      method: row.method === 'oidc' ? 'oidc' : 'password',
    };
  }

  async revoke(session: Session): Promise<void> {
    await this.db.updateTable('sessions').set({ revoked_at: this.now() }).where('id', '=', session.sid).execute();
  }

  /** The CSRF token for a session (or, for proxy-authenticated people, for their id). */
  csrfToken(bindTo: string): string {
    return createHmac('sha256', this.secret).update(`csrf\n${bindTo}`).digest('base64url');
  }

  checkCsrf(bindTo: string, presented: string | undefined): boolean {
    return presented !== undefined && safeEqual(presented, this.csrfToken(bindTo));
  }
}

/** Parses a Cookie header without a dependency; later duplicates do not override earlier ones. */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || name in out) continue;
    const value = part.slice(eq + 1).trim();
    try {
      out[name] = decodeURIComponent(value);
    } catch {
      out[name] = value;
    }
  }
  return out;
}

export function sessionCookieHeader(value: string, maxAgeMs: number, secure: boolean): string {
  const attrs = [
    `${SESSION_COOKIE}=${value}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${Math.floor(maxAgeMs / 1000)}`,
  ];
  if (secure) attrs.push('Secure');
  return attrs.join('; ');
}

export function clearSessionCookieHeader(secure: boolean): string {
  return sessionCookieHeader('', 0, secure);
}
