/**
 * What the sandbox has deployed. Deploy and rollback are idempotent by key: a repeated key
 * returns the first answer and changes nothing, which is what lets a retried activity (after a
 * worker crash) be shown to have deployed once.
 */
export interface DeploymentEvent {
  kind: 'deploy' | 'rollback' | 'switch';
  key: string;
  from: string;
  to: string;
  at: string;
}

interface KeyRecord {
  kind: 'deploy' | 'rollback' | 'switch';
  version: string;
  calls: number;
}

export type DeployOutcome =
  { ok: true; replayed: boolean; event: DeploymentEvent } | { ok: false; status: 409; error: string };

export class Deployments {
  private serving: string;
  private pending: { version: string; readyAt: number } | undefined;
  private readonly previous: string[] = [];
  private readonly history: DeploymentEvent[] = [];
  private readonly keys = new Map<string, KeyRecord & { event: DeploymentEvent }>();
  /** Every version that ever served here, in order: what "production never served it" is checked against. */
  private readonly served: string[] = [];

  constructor(
    initialVersion: string,
    private readonly now: () => number = Date.now,
  ) {
    this.serving = initialVersion;
    this.served.push(initialVersion);
  }

  /** The serving version; a rollout in progress keeps the old one serving until it is ready. */
  current(): { version: string; status: 'serving' | 'rolling-out'; target?: string } {
    this.settle();
    return this.pending
      ? { version: this.serving, status: 'rolling-out', target: this.pending.version }
      : { version: this.serving, status: 'serving' };
  }

  deploy(version: string, key: string, rolloutMs: number): DeployOutcome {
    const seen = this.replay('deploy', key, version);
    if (seen) return seen;
    this.settle();
    return this.apply('deploy', key, version, rolloutMs);
  }

  rollback(key: string, rolloutMs: number): DeployOutcome {
    const seen = this.replay('rollback', key, undefined);
    if (seen) return seen;
    this.settle();
    const target = this.previous.pop();
    if (target === undefined) return { ok: false, status: 409, error: 'nothing to roll back to' };
    // The rolled-back version is not pushed: a second rollback goes further back, as in real tools.
    return this.apply('rollback', key, target, rolloutMs, false);
  }

  /**
   * Switches traffic to a version that is ready elsewhere (a blue-green slot swap): recorded as a
   * switch, idempotent by key like a deploy, and undone by switching back.
   */
  switchTo(version: string, key: string, rolloutMs: number): DeployOutcome {
    const seen = this.replay('switch', key, version);
    if (seen) return seen;
    this.settle();
    return this.apply('switch', key, version, rolloutMs);
  }

  /** A slot that takes the other side of a swap: its version changes without a key of its own. */
  replace(version: string): void {
    this.settle();
    this.previous.push(this.serving);
    this.pending = undefined;
    this.setServing(version);
  }

  summary() {
    const cur = this.current();
    return {
      ...cur,
      previous: this.previous.at(-1) ?? null,
      served: [...this.served],
      history: this.history,
      keys: [...this.keys.entries()].map(([key, r]) => ({
        key,
        kind: r.kind,
        version: r.version,
        calls: r.calls,
        applied: 1,
      })),
    };
  }

  private replay(kind: KeyRecord['kind'], key: string, version: string | undefined): DeployOutcome | undefined {
    const seen = this.keys.get(key);
    if (!seen) return undefined;
    if (seen.kind !== kind || (version !== undefined && seen.version !== version)) {
      return { ok: false, status: 409, error: `idempotency key ${key} was used for ${seen.kind} ${seen.version}` };
    }
    seen.calls += 1;
    return { ok: true, replayed: true, event: seen.event };
  }

  private apply(
    kind: KeyRecord['kind'],
    key: string,
    version: string,
    rolloutMs: number,
    remember = true,
  ): DeployOutcome {
    const from = this.pending?.version ?? this.serving;
    if (remember) this.previous.push(this.serving);
    const event: DeploymentEvent = { kind, key, from, to: version, at: new Date(this.now()).toISOString() };
    this.history.push(event);
    this.keys.set(key, { kind, version, calls: 1, event });
    if (rolloutMs > 0) this.pending = { version, readyAt: this.now() + rolloutMs };
    else {
      this.pending = undefined;
      this.setServing(version);
    }
    return { ok: true, replayed: false, event };
  }

  private setServing(version: string): void {
    this.serving = version;
    if (this.served.at(-1) !== version) this.served.push(version);
  }

  private settle(): void {
    if (this.pending && this.now() >= this.pending.readyAt) {
      const { version } = this.pending;
      this.pending = undefined;
      this.setServing(version);
    }
  }
}
