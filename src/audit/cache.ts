/**
 * What reading a long run's record costs the second time: nothing that cannot change. A closed
 * run's Temporal history never changes (its latest run id and length say which record it is),
 * so its decoded entries are kept; a dossier is kept by the digest of everything it is built
 * from, so the same content downloaded again is the same zip, bytes and manifest digest alike
 * (its `generatedAt` is when that content was first exported). A few of each, least recently
 * used first out: a 20,000-event record is some megabytes.
 */

export class Lru<V> {
  private readonly items = new Map<string, V>();

  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    const value = this.items.get(key);
    if (value === undefined) return undefined;
    this.items.delete(key);
    this.items.set(key, value);
    return value;
  }

  set(key: string, value: V): void {
    this.items.delete(key);
    this.items.set(key, value);
    while (this.items.size > this.capacity) this.items.delete(this.items.keys().next().value!);
  }
}
