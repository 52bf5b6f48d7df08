import type { RequestHandler } from 'express';
import type { Faults } from './schemas';

const none: Faults = { latencyMs: 0, errorRate: 0, crash: false, rolloutMs: 0 };

export interface SecondaryConfig {
  latencyMs: number;
}

/**
 * The fault switch and the failover simulation, applied to data-plane routes only so a test
 * can always reach the control plane to clear them.
 */
export class FaultSwitch {
  private faults: Faults = { ...none };
  private requests = 0;
  private outageUntil = 0;

  constructor(private readonly secondary: SecondaryConfig | false) {}

  get current(): Faults & { failoverActiveMs: number; secondary: SecondaryConfig | false } {
    return { ...this.faults, failoverActiveMs: Math.max(0, this.outageUntil - Date.now()), secondary: this.secondary };
  }

  set(update: Partial<Faults>): void {
    this.faults = { ...this.faults, ...update };
    this.requests = 0;
  }

  clear(): void {
    this.faults = { ...none };
    this.requests = 0;
    this.outageUntil = 0;
  }

  failover(durationMs: number): void {
    this.outageUntil = Date.now() + durationMs;
  }

  /** Deterministic error pattern: with rate r, request n fails when ⌊n·r⌋ steps up. */
  private nextFails(): boolean {
    const r = this.faults.errorRate;
    this.requests += 1;
    return r > 0 && Math.floor(this.requests * r) > Math.floor((this.requests - 1) * r);
  }

  middleware(): RequestHandler {
    return (_req, res, next) => {
      if (this.faults.crash) {
        res.status(503).json({ error: 'crashed (fault switch)' });
        return;
      }
      let delay = this.faults.latencyMs;
      if (Date.now() < this.outageUntil) {
        if (this.secondary === false) {
          res.status(503).json({ error: 'primary down, no secondary' });
          return;
        }
        delay += this.secondary.latencyMs;
        res.setHeader('x-served-by', 'secondary');
      }
      const fail = this.nextFails();
      const go = () => (fail ? res.status(500).json({ error: 'injected error (fault switch)' }) : next());
      if (delay > 0) setTimeout(go, delay);
      else go();
    };
  }
}
