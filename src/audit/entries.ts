import type { GoLiveInput, RunStateView } from '../contract/definitions';
import { inFlightEntry, placed } from './activityEntries';
import { type AuditEntry, type AuditKind, type Draft, firstOf } from './entryModel';
import type { RunHistory } from './history';
import { HISTORY_HANDLERS, type Reading } from './historyEntries';
import { matcher, messageEntry } from './messageEntries';
import { stateFacts } from './stateFacts';

/**
 * History events → one human-readable entry per fact, in the order the facts happened. Pure.
 *
 * History is the primary source (it is what Temporal guarantees); the run's own state
 * (`RunStateView`, the workflow's record) fills in what history cannot show — when an approval
 * or evidence step started waiting and ended, escalations, the role a decision counted for and
 * the evidence hash it covered. Each entry says which source it came from. The builders live
 * beside this module: historyEntries.ts (one per history event type), activityEntries.ts,
 * messageEntries.ts (one per message) and stateFacts.ts.
 */

export { AUDIT_KINDS, documentOf, type AuditEntry, type AuditKind } from './entryModel';

/**
 * Who a fact without a person is shown as: the engine itself. Entries keep `actor` absent for
 * those (the record says no person acted; filters by person never match it); views — CLI table,
 * web page, dossier — print this one name instead of a blank.
 */
export const SYSTEM_ACTOR = 'golive';

export function actorLabel(actor: string | undefined): string {
  return actor || SYSTEM_ACTOR;
}

export interface TrailFilter {
  kind?: AuditKind | AuditKind[];
  /** Matches the actor, and people a notification went to. */
  person?: string;
  stepId?: string;
}

export function filterEntries<E extends AuditEntry>(entries: readonly E[], f: TrailFilter): E[] {
  const kinds = f.kind === undefined ? undefined : Array.isArray(f.kind) ? f.kind : [f.kind];
  return entries.filter(
    (e) =>
      (!kinds || kinds.includes(e.kind)) &&
      (f.stepId === undefined || e.stepId === f.stepId) &&
      (f.person === undefined ||
        e.actor === f.person ||
        (Array.isArray(e.details.to) && e.details.to.includes(f.person))),
  );
}

/** The go-live input the chain's first run was started with. */
export function startInput(chain: readonly RunHistory[]): GoLiveInput | undefined {
  const first = chain[0]?.events[0];
  return first?.type === 'WorkflowExecutionStarted'
    ? (firstOf(first.attributes.input) as GoLiveInput | undefined)
    : undefined;
}

/** The final state, when the last run of the chain completed. */
export function finalState(chain: readonly RunHistory[]): RunStateView | undefined {
  const last = chain.at(-1)?.events.at(-1);
  return last?.type === 'WorkflowExecutionCompleted'
    ? (firstOf(last.attributes.result) as RunStateView | undefined)
    : undefined;
}

export function auditEntries(
  chain: readonly RunHistory[],
  state: RunStateView | undefined = finalState(chain),
): AuditEntry[] {
  const drafts: Draft[] = [];
  const flat = chain.flatMap((r) => r.events).map((e, i) => ({ e, i }));
  const push = (d: Omit<Draft, 'rank'>) => drafts.push({ rank: 0, ...d });
  const stepTitles = new Map((state?.steps ?? []).map((s) => [s.id, s.title]));
  const reading: Reading = {
    push,
    match: matcher(state),
    steps: {
      title: (id) => stepTitles.get(id),
      wentOn: (id) => state?.steps.some((s) => s.id === id && s.status === 'completed') ?? false,
    },
    activities: new Map(),
    updates: new Map(),
  };
  for (const { e, i } of flat) if (Object.hasOwn(HISTORY_HANDLERS, e.type)) HISTORY_HANDLERS[e.type]!(e, i, reading);

  // Still in flight (an open run): show what has started.
  for (const act of reading.activities.values()) {
    const entry = inFlightEntry(act);
    if (entry) push(entry);
  }
  for (const u of reading.updates.values())
    push({ ...placed(u.accepted, u.key), ...messageEntry(u.name, u.input, { via: 'update' }, reading.match) });

  if (state) drafts.push(...stateFacts(state, flat));

  drafts.sort((x, y) => x.key - y.key || x.rank - y.rank);
  return drafts.map(({ key: _k, rank: _r, ...d }, i) => ({ seq: i + 1, ...d }));
}
