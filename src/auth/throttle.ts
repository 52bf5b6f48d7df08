import {
  RateLimiterPostgres,
  RateLimiterRes,
  RateLimiterSQLite,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { DatabaseDriver } from '../db/database';

/**
 * Login throttling that holds under concurrency and across web servers: every attempt first
 * *reserves* a point (an atomic upsert in golive's database, through rate-limiter-flexible), and
 * only then is the password hashed. Forty guesses sent at once cannot all slip past a check that
 * counts after the slow scrypt wait: the sixth reservation is already refused.
 *
 * Two counters: per person and client address (a few failures, so guessing one account is slow
 * without letting anyone lock a person out from elsewhere), and per client address alone (a
 * higher bound, so one address cannot spray guesses over every account). A successful login
 * clears the first and gives its point back to the second.
 */
export interface ThrottleLimits {
  perPersonAndAddress: number;
  perAddress: number;
  windowSeconds: number;
}

const DEFAULT_THROTTLE_LIMITS: ThrottleLimits = {
  perPersonAndAddress: 5,
  perAddress: 100,
  windowSeconds: 15 * 60,
};

/** The table our migrations make in rate-limiter-flexible's layout. */
const TABLE = 'login_throttle';

export type Reservation = { ok: true; succeeded(): Promise<void> } | { ok: false; retryAfterSeconds: number };

function limiter(driver: DatabaseDriver, keyPrefix: string, points: number, duration: number): RateLimiterAbstract {
  const common = { keyPrefix, points, duration, tableName: TABLE, tableCreated: true, clearExpiredByTimeout: true };
  return driver.kind === 'sqlite'
    ? new RateLimiterSQLite({ ...common, storeClient: driver.client, storeType: 'better-sqlite3' })
    : new RateLimiterPostgres({ ...common, storeClient: driver.client, storeType: 'pool' });
}

function retryAfter(res: RateLimiterRes): number {
  return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
}

export class LoginThrottle {
  private readonly pair: RateLimiterAbstract;
  private readonly address: RateLimiterAbstract;

  constructor(driver: DatabaseDriver, limits: ThrottleLimits = DEFAULT_THROTTLE_LIMITS) {
    this.pair = limiter(driver, 'login_pair', limits.perPersonAndAddress, limits.windowSeconds);
    this.address = limiter(driver, 'login_addr', limits.perAddress, limits.windowSeconds);
  }

  /** Takes one attempt from both counters before the password is checked. */
  async reserve(userId: string, clientAddress: string): Promise<Reservation> {
    const pairKey = `${userId.toLowerCase()}\n${clientAddress}`;
    try {
      await this.address.consume(clientAddress);
    } catch (err) {
      if (err instanceof RateLimiterRes) return { ok: false, retryAfterSeconds: retryAfter(err) };
      throw err;
    }
    try {
      await this.pair.consume(pairKey);
    } catch (err) {
      if (err instanceof RateLimiterRes) return { ok: false, retryAfterSeconds: retryAfter(err) };
      throw err;
    }
    return {
      ok: true,
      succeeded: async () => {
        await this.pair.delete(pairKey);
        await this.address.reward(clientAddress, 1);
      },
    };
  }
}
