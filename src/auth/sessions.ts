import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { safeEqual } from './secrets';

/**
 * Browser sessions as signed cookies: `<payload b64url>.<HMAC-SHA256 b64url>`, the payload
 * naming the person, a session id and an expiry. The signing secret lives in the data dir, so
 * sessions survive a restart; logging out revokes the session id for the rest of its life.
 *
 * CSRF: a synchronizer token derived from the session id (HMAC with a separate purpose label),
 * put into every page and sent back in the `x-csrf-token` header. It cannot be read cross-site
 * and changes with each session.
 */

export const SESSION_COOKIE = 'golive_session';
export const CSRF_HEADER = 'x-csrf-token';
export const SESSION_SECRET_FILE = 'session-secret';
const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export interface Session {
  userId: string;
  sid: string;
  expiresAt: number;
}

/** Synchronous: read once while the app is assembled, before it serves anything. */
export function loadOrCreateSessionSecret(dataDir: string): Buffer {
  const file = path.join(dataDir, SESSION_SECRET_FILE);
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    fs.writeFileSync(file, randomBytes(32).toString('hex'), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const hex = fs.readFileSync(file, 'utf8').trim();
  if (!/^[a-f0-9]{64,}$/.test(hex)) throw new Error(`${file} must hold at least 32 random bytes as hex`);
  return Buffer.from(hex, 'hex');
}

export class SessionSigner {
  private readonly revoked = new Map<string, number>();

  constructor(
    private readonly secret: Buffer,
    private readonly now: () => number = Date.now,
  ) {}

  private mac(purpose: string, value: string): string {
    return createHmac('sha256', this.secret).update(`${purpose}\n${value}`).digest('base64url');
  }

  issue(userId: string): { cookie: string; session: Session; maxAgeMs: number } {
    const session: Session = { userId, sid: randomBytes(16).toString('base64url'), expiresAt: this.now() + SESSION_TTL_MS };
    const payload = Buffer.from(JSON.stringify(session)).toString('base64url');
    return { cookie: `${payload}.${this.mac('session', payload)}`, session, maxAgeMs: SESSION_TTL_MS };
  }

  verify(cookie: string): Session | undefined {
    const [payload, mac, extra] = cookie.split('.');
    if (!payload || !mac || extra !== undefined || !safeEqual(mac, this.mac('session', payload))) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    const s = parsed as Partial<Session>;
    if (typeof s.userId !== 'string' || typeof s.sid !== 'string' || typeof s.expiresAt !== 'number') return undefined;
    if (s.expiresAt <= this.now() || this.revoked.has(s.sid)) return undefined;
    return { userId: s.userId, sid: s.sid, expiresAt: s.expiresAt };
  }

  revoke(session: Session): void {
    this.revoked.set(session.sid, session.expiresAt);
    const now = this.now();
    for (const [sid, exp] of this.revoked) if (exp <= now) this.revoked.delete(sid);
  }

  /** The CSRF token for a session (or, for proxy-authenticated people, for their id). */
  csrfToken(bindTo: string): string {
    return this.mac('csrf', bindTo);
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
  const attrs = [`${SESSION_COOKIE}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${Math.floor(maxAgeMs / 1000)}`];
  if (secure) attrs.push('Secure');
  return attrs.join('; ');
}

export function clearSessionCookieHeader(secure: boolean): string {
  return sessionCookieHeader('', 0, secure);
}
