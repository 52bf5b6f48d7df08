import { CancellationScope, condition, isCancellation, sleep } from '@temporalio/workflow';
import { nowMs } from './clock';

/**
 * One timer for every step's deadline and escalation times (issue 16). `condition(settled,
 * timeout)` starts a timer per wait and cancels it when the step settles: a decision that settles
 * one approval and starts the next cancels one timer and starts another, two of the five events
 * its workflow task writes (bare Temporal writes two in all). Here a timer that rings no later
 * than the time a wait needs is kept: the next step's wait rides on the one already running and
 * the decision's task writes neither. A timer that rings early wakes the waits, each sees its
 * time has not come and asks again (at most one more timer, in a task no one is waiting for);
 * a wait that needs an earlier time than the one running replaces it, as before. A timer left
 * running when nothing waits any more costs one task when it rings, or nothing if the run has
 * ended by then.
 *
 * The timer belongs to no step: it runs in a scope the plan's cancellation (a rollback, a stop)
 * does not reach, while each wait is an ordinary condition in its caller's scope.
 * Deterministic: its commands follow from workflow time and the order of the waits.
 */
export class DeadlineAlarm {
  /** When the running timer rings; undefined when none runs. */
  private at: number | undefined;
  private scope: CancellationScope | undefined;
  /** Bumped each time a timer rings, which wakes every wait to look at the time. */
  private rings = 0;
  /** The time the last timer that rang was set for: a wait for it or earlier is due. */
  private rangFor = -Infinity;

  /**
   * Until `settled()` (true) or the time `at`, workflow ms since the epoch (false): what
   * `condition(settled, at - now)` answers, without a timer of its own.
   */
  async until(at: number, settled: () => boolean): Promise<boolean> {
    for (;;) {
      if (settled()) return true;
      if (at <= this.rangFor || at <= nowMs()) return false;
      if (this.at === undefined || this.at > at) this.start(at);
      const rings = this.rings;
      await condition(() => settled() || this.rings !== rings);
    }
  }

  private start(at: number): void {
    this.scope?.cancel();
    this.at = at;
    // Created outside the caller's scope, so cancelling the plan never cancels it; `cancel()`
    // above still does, when a wait needs an earlier time.
    void CancellationScope.nonCancellable(() => {
      const scope = new CancellationScope();
      this.scope = scope;
      return scope
        .run(() => sleep(Math.max(1, at - nowMs())))
        .then(
          () => {
            if (this.scope !== scope) return;
            this.scope = undefined;
            this.at = undefined;
            this.rangFor = at;
            this.rings++;
          },
          (err: unknown) => {
            if (!isCancellation(err)) throw err; // replaced by an earlier time: not an error
          },
        );
    });
  }
}
