/**
 * Login throttling per (user id, client address): after a few failures in a window, further
 * attempts are refused until the window has passed, so guessing passwords is slow for one
 * attacker and one account, without letting anyone lock a person out from elsewhere.
 */
export interface ThrottleOptions {
  maxFailures: number;
  windowMs: number;
  now?: () => number;
}

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();
  private readonly now: () => number;

  constructor(private readonly opts: ThrottleOptions = { maxFailures: 5, windowMs: 15 * 60 * 1000 }) {
    this.now = opts.now ?? Date.now;
  }

  private key(userId: string, ip: string): string {
    return `${userId.toLowerCase()}\n${ip}`;
  }

  private recent(key: string): number[] {
    const cutoff = this.now() - this.opts.windowMs;
    const list = (this.failures.get(key) ?? []).filter((t) => t > cutoff);
    if (list.length) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }

  /** Seconds until another attempt is allowed, or 0 when it is allowed now. */
  retryAfterSeconds(userId: string, ip: string): number {
    const list = this.recent(this.key(userId, ip));
    if (list.length < this.opts.maxFailures) return 0;
    const oldest = list[list.length - this.opts.maxFailures] ?? this.now();
    return Math.max(1, Math.ceil((oldest + this.opts.windowMs - this.now()) / 1000));
  }

  recordFailure(userId: string, ip: string): void {
    const key = this.key(userId, ip);
    this.failures.set(key, [...this.recent(key), this.now()]);
  }

  recordSuccess(userId: string, ip: string): void {
    this.failures.delete(this.key(userId, ip));
  }
}
