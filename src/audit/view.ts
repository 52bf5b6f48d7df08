import type { RefusalEntry } from '../server/refusalLog';
import type { ChainedEntry } from './chain';
import { filterEntries, type TrailFilter } from './entries';

/**
 * A filtered look at a trail, for people (API, UI). The chain head and `total` stay those of the
 * whole trail: a filtered list cannot be checked against the head, so the view says how much it
 * left out rather than pretending to be the record. Refused attempts follow the person and step
 * filters; they have no kind of their own, so a kind filter leaves them all in.
 */

export type TrailView<T> = T & {
  /** Entries in the whole trail (the view's `entries` may hold fewer). */
  total: number;
  filter: TrailFilter;
};

export function viewTrail<T extends { entries: ChainedEntry[]; refusals: RefusalEntry[] }>(trail: T, filter: TrailFilter): TrailView<T> {
  const refusals = trail.refusals.filter((r) => (filter.person === undefined || r.actor === filter.person) && (filter.stepId === undefined || r.stepId === filter.stepId));
  return { ...trail, entries: filterEntries(trail.entries, filter), refusals, total: trail.entries.length, filter };
}
