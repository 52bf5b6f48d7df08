/**
 * What reading a long run's record costs the second time: nothing that cannot change. A closed
 * run's Temporal history never changes (its latest run id and length say which record it is),
 * so its decoded entries are kept; a dossier is kept by the digest of everything it is built
 * from, so the same content downloaded again is the same zip, bytes and manifest digest alike
 * (its `generatedAt` is when that content was first exported). An open run's chain is mostly
 * runs that continued as new, closed for good: each is kept decoded, so reading a long hypercare
 * again fetches only the run still open. A few of each, least recently used first out: a
 * 20,000-event record is some megabytes.
 */

export class Lru<V> {
  private readonly items = new Map<string, V>();
  private held = 0;

  /**
   * `capacity`: how much it holds, in items, or in `weigh`'s unit when given (a decoded run's
   * events, say). An item heavier than the whole capacity is not kept.
   */
  constructor(
    private readonly capacity: number,
    private readonly weigh: (value: V) => number = () => 1,
  ) {}

  get(key: string): V | undefined {
    const value = this.items.get(key);
    if (value === undefined) return undefined;
    this.items.delete(key);
    this.items.set(key, value);
    return value;
  }

  set(key: string, value: V): void {
    this.delete(key);
    const weight = this.weigh(value);
    if (weight > this.capacity) return;
    this.items.set(key, value);
    this.held += weight;
    while (this.held > this.capacity) this.delete(this.items.keys().next().value!);
  }

  delete(key: string): void {
    const old = this.items.get(key);
    if (old === undefined) return;
    this.items.delete(key);
    this.held -= this.weigh(old);
  }
}
