import type { Principal } from '../auth/authenticator';
import type { GoLiveInput, RunStateView } from '../contract/definitions';
import { isAllowed, type Person } from '../contract/policy';
import { factsFromView, readFacts } from '../contract/runFacts';
import { HttpError } from './errors';

/**
 * Who may read a run, asked of the policy: people involved in it and the directory roles its
 * runbook names (auditors, operations). Everyone else hears that there is no such run: a 404,
 * not a 403, so a run's existence is not told to people who may not read it.
 */

export function personOf(principal: Principal): Person {
  return { id: principal.person.id, roles: principal.person.roles };
}

function notFound(runId: string): HttpError {
  return new HttpError(404, `no run with id ${runId}`);
}

export function assertMayReadView(runId: string, view: RunStateView, principal: Principal): void {
  if (!isAllowed(factsFromView(view), personOf(principal), { kind: 'read' })) throw notFound(runId);
}

export function assertMayReadInput(
  runId: string,
  input: Pick<GoLiveInput, 'initiator' | 'assignments' | 'runbook'>,
  principal: Principal,
): void {
  if (!isAllowed(readFacts(input), personOf(principal), { kind: 'read' })) throw notFound(runId);
}
