import type { RefusalEntry } from './refusalLog';
import type { ChainedEntry } from './chain';
import { filterEntries, type AuditKind, type TrailFilter } from './entries';

/**
 * A filtered look at a trail, for people (API, UI). The chain head and `total` stay those of the
 * whole trail: a filtered list cannot be checked against the head, so the view says how much it
 * left out rather than pretending to be the record. Refused attempts follow the person and step
 * filters. They are not chain entries, but they are the same sort of fact as a "message-refused"
 * entry: a kind filter keeps them only when it asks for that kind.
 */

export type TrailView<T> = T & {
  /** Entries in the whole trail (the view's `entries` may hold fewer). */
  total: number;
  filter: TrailFilter;
};

/** The entry kind refused attempts go with: a kind filter without it leaves them out. */
export const REFUSAL_KIND: AuditKind = 'message-refused';

/** Whether a kind filter leaves refused attempts out. */
export function kindFilterHidesRefusals(kind: TrailFilter['kind']): boolean {
  return kind !== undefined && !(Array.isArray(kind) ? kind : [kind]).includes(REFUSAL_KIND);
}

export function viewTrail<T extends { entries: ChainedEntry[]; refusals: RefusalEntry[] }>(
  trail: T,
  filter: TrailFilter,
): TrailView<T> {
  const refusals = kindFilterHidesRefusals(filter.kind)
    ? []
    : trail.refusals.filter(
        (r) =>
          (filter.person === undefined || r.actor === filter.person) &&
          (filter.stepId === undefined || r.stepId === filter.stepId),
      );
  return { ...trail, entries: filterEntries(trail.entries, filter), refusals, total: trail.entries.length, filter };
}
