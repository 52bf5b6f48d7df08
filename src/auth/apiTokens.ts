import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables';
import { sha256Hex } from './secrets';

/**
 * API tokens golive issues after a browser login (`golive login`), for people of either
 * source — OpenID Connect people have no users-file entry to hold a token. Kept in golive's
 * database as SHA-256 only, with an expiry: a token outlives the login that made it by at most
 * its time to live, and it speaks with the person's roles as the directory says at each request.
 */

/** Tokens of the users file start glt_; those golive issues after a browser login, glc_. */
const ISSUED_TOKEN_PREFIX = 'glc_';
const TOKEN_PATTERN = /^glc_[A-Za-z0-9_-]{43}$/;

export interface IssuedToken {
  token: string;
  expiresAt: string;
}

export class ApiTokens {
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Looks like one of ours (so the users file need not be asked, and vice versa). */
  static isIssued(token: string): boolean {
    return token.startsWith(ISSUED_TOKEN_PREFIX);
  }

  async issue(userId: string, label: string, ttlMs: number): Promise<IssuedToken> {
    const token = ISSUED_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const now = this.now();
    await this.db.deleteFrom('api_tokens').where('expires_at', '<', now).execute();
    await this.db
      .insertInto('api_tokens')
      .values({
        sha256: sha256Hex(token),
        user_id: userId,
        label,
        created_at: now,
        expires_at: now + ttlMs,
        revoked_at: null,
      })
      .execute();
    return { token, expiresAt: new Date(now + ttlMs).toISOString() };
  }

  /** The person a valid token speaks for. */
  async find(token: string): Promise<string | undefined> {
    if (!TOKEN_PATTERN.test(token)) return undefined;
    const row = await this.db
      .selectFrom('api_tokens')
      .select(['user_id', 'expires_at', 'revoked_at'])
      .where('sha256', '=', sha256Hex(token))
      .executeTakeFirst();
    if (!row || row.revoked_at !== null || Number(row.expires_at) <= this.now()) return undefined;
    return row.user_id;
  }
}
