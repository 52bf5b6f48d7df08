import type { SearchAttributePair, TypedSearchAttributes } from '@temporalio/common';
import { CancellationScope, condition, upsertSearchAttributes } from '@temporalio/workflow';

/**
 * Search attributes as one upsert per workflow task, holding only the values that changed.
 * Every upsert is a history event, and a task often changes the same attribute twice (an
 * Update's handler clears the waiting roles, then the plan it woke starts the next step).
 * `set` keeps what differs from what the run shows; the upsert waits for the task to settle —
 * two passes of the SDK's condition loop, after the microtasks each pass unblocked (the plan
 * woken in the first pass has run on to its next wait by the second). Pending values keep the
 * activation open (an unmet condition always unblocks on its next check), so nothing is lost;
 * `flush` upserts at once, for the end of the run, after which no command may follow.
 * Deterministic: conditions and microtasks run in a fixed order on replay.
 */
export class SearchAttributeBatch {
  /** What the run shows now, by attribute name (JSON of the value). */
  private readonly shown = new Map<string, string>();
  private readonly pending = new Map<string, SearchAttributePair>();
  private waiting = false;

  /** `initial`: the attributes the run was started (or continued as new) with. */
  constructor(initial: TypedSearchAttributes) {
    for (const p of initial.getAll()) this.shown.set(p.key.name, JSON.stringify(p.value));
  }

  set(pairs: readonly SearchAttributePair[]): void {
    for (const p of pairs) {
      if (this.shown.get(p.key.name) === JSON.stringify(p.value)) this.pending.delete(p.key.name);
      else this.pending.set(p.key.name, p);
    }
    if (this.pending.size === 0 || this.waiting) return;
    this.waiting = true;
    // Not cancellable: a plan cancelled for a rollback must not drop the run's new state.
    void CancellationScope.nonCancellable(async () => {
      await nextPass();
      await nextPass();
      this.waiting = false;
      this.flush();
    });
  }

  flush(): void {
    if (this.pending.size === 0) return;
    const pairs = [...this.pending.values()];
    this.pending.clear();
    for (const p of pairs) this.shown.set(p.key.name, JSON.stringify(p.value));
    upsertSearchAttributes(pairs);
  }
}

/** Resolves at the SDK's next check of blocked conditions (false when asked at once, true after). */
function nextPass(): Promise<void> {
  let asked = false;
  return condition(() => asked || ((asked = true), false));
}
