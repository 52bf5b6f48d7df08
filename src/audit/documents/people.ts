import type { Actor, GoLiveInput, RunStateView } from '../../contract/definitions';
import { COLLABORATION_MODES } from '../obligations';

/**
 * People and roles as the run's documents name them: by name and role title, with the person's
 * id only as a reference. Names come from what the run recorded at start (the users file then),
 * else from the names messages carried; an id the run never named stays an id. Pure.
 */
export interface Directory {
  name(id: string): string;
  email(id: string): string | undefined;
  roleTitle(role: string): string;
  /** "Gita Guardian (guardian)": a person, with their id as the reference. */
  person(id: string): string;
  /** "Gita Guardian (guardian), Guardian": a person in a role. */
  inRole(id: string, role: string): string;
  /** "Guardian: Gita Guardian (guardian), Gus Guardian (guardian2)". */
  role(role: string): string;
  /** The people a role has in this run. */
  peopleOf(role: string): string[];
  /** Everything the names it gives depend on: two directories of the same key name everyone alike. */
  key: string;
}

export function directoryOf(
  input: Pick<GoLiveInput, 'people' | 'initiator' | 'assignments' | 'runbook'>,
  state?: Pick<RunStateView, 'decisions' | 'evidence'>,
): Directory {
  const names = new Map<string, string>();
  const remember = (a: Actor | undefined) => {
    if (a?.name && !names.has(a.id)) names.set(a.id, a.name);
  };
  for (const [id, p] of Object.entries(input.people ?? {})) names.set(id, p.name);
  remember(input.initiator);
  state?.decisions.forEach((d) => remember(d.actor));
  state?.evidence.forEach((e) => remember(e.submittedBy));
  names.set('golive', 'golive');
  const roleTitle = (role: string) => input.runbook.roles.find((r) => r.id === role)?.title ?? role;
  const name = (id: string) => names.get(id) ?? id;
  const person = (id: string) => (names.has(id) && names.get(id) !== id ? `${names.get(id)} (${id})` : id);
  const peopleOf = (role: string) => input.assignments[role] ?? [];
  return {
    name,
    email: (id) => input.people?.[id]?.email,
    roleTitle,
    person,
    inRole: (id, role) => `${person(id)}, ${roleTitle(role)}`,
    role: (role) => `${roleTitle(role)}: ${peopleOf(role).map(person).join(', ') || 'nobody assigned'}`,
    peopleOf,
    key: JSON.stringify([[...names], input.assignments, input.runbook.roles]),
  };
}

/** "3 — AI acts, people approve the consequential": modes by name, everywhere. */
export function modeLabel(mode: number): string {
  const m = COLLABORATION_MODES[mode];
  return m ? `${mode} — ${m.name}` : `${mode}`;
}
