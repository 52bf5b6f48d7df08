import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables';
import { sha256Hex } from './secrets';

/**
 * Short-lived values that count once, in golive's database so that every web server honours
 * them: an OpenID Connect login's state (with its PKCE verifier and nonce), a CLI login's code,
 * a passkey ceremony's challenge. Rows are keyed by the SHA-256 of the value the browser or CLI
 * holds (the value itself is never stored), and taking one deletes it: of two servers racing to
 * use the same value, one gets it.
 */

export type OneTimeKind = 'oidc-login' | 'cli-login' | 'passkey-registration' | 'passkey-decision';

export class OneTimeValues {
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly now: () => number = Date.now,
  ) {}

  private static id(kind: OneTimeKind, value: string): string {
    return sha256Hex(`${kind}\n${value}`);
  }

  /** Keeps `data` under `value` for `ttlMs`; a value belongs to one person when `userId` is given. */
  async put(kind: OneTimeKind, value: string, data: object, ttlMs: number, userId?: string): Promise<void> {
    const now = this.now();
    // Expired values are of no use: each new one sweeps them (indexed by expiry).
    await this.db.deleteFrom('auth_challenges').where('expires_at', '<', now).execute();
    await this.db
      .insertInto('auth_challenges')
      .values({
        id: OneTimeValues.id(kind, value),
        kind,
        user_id: userId ?? null,
        data: JSON.stringify(data),
        expires_at: now + ttlMs,
      })
      .execute();
  }

  /** The data kept under `value`, once: undefined when unknown, used, expired or someone else's. */
  async take<T>(kind: OneTimeKind, value: string, userId?: string): Promise<T | undefined> {
    let query = this.db.deleteFrom('auth_challenges').where('id', '=', OneTimeValues.id(kind, value));
    // Someone else's value is not theirs to spend either.
    if (userId !== undefined) query = query.where('user_id', '=', userId);
    const row = await query.returningAll().executeTakeFirst();
    if (!row || row.kind !== kind || Number(row.expires_at) < this.now()) return undefined;
    return JSON.parse(row.data) as T;
  }
}
