import { CancellationScope, condition, isCancellation, sleep } from '@temporalio/workflow';
import { nowMs } from './clock';

/**
 * Waits for a change or a time, keeping one timer per wake-up time. `condition(changed, timeout)`
 * starts a timer and cancels it on every change: two history events per Red Button report, and
 * under a flood a timer cancelled and started again in each task that accepted reports. Here the
 * timer stays while the time it waits for does; a new time cancels it and starts the next.
 */
export class WakeTimer {
  private at: number | undefined;
  private scope: CancellationScope | undefined;
  private rang: Promise<void> = Promise.resolve();
  private fired = false;
  /** Scopes this timer cancelled itself: their cancellation is not the run's. */
  private readonly retired = new WeakSet<CancellationScope>();

  /** Until `changed()` holds or the time `at` (ms since the epoch, workflow time) has come. */
  async until(at: number, changed: () => boolean): Promise<void> {
    if (at !== this.at || this.fired) this.restart(at);
    await Promise.race([condition(changed), this.rang]);
  }

  /** No timer left behind when the wait is over for good. */
  stop(): void {
    if (this.scope && !this.fired) this.retire(this.scope);
    this.scope = undefined;
    this.at = undefined;
  }

  private restart(at: number): void {
    if (this.scope && !this.fired) this.retire(this.scope);
    const scope = new CancellationScope();
    this.scope = scope;
    this.at = at;
    this.fired = false;
    this.rang = scope
      .run(() => sleep(Math.max(1, at - nowMs())))
      .then(
        () => {
          if (this.scope === scope) this.fired = true;
        },
        (err: unknown) => {
          // The run's own cancellation (a stop) goes on up; a timer this one replaced does not.
          if (!(isCancellation(err) && this.retired.has(scope))) throw err;
        },
      );
  }

  private retire(scope: CancellationScope): void {
    this.retired.add(scope);
    scope.cancel();
  }
}
