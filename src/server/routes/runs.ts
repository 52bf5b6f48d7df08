import path from 'node:path';
import type { Router } from 'express';
import type { Principal } from '../../auth/authenticator';
import type { Person } from '../../auth/users';
import { START_RUN_ROLES } from '../../auth/roles';
import { formatPath, StartInputError } from '../../runbook/issues';
import { operations, type StartRunBody } from '../api';
import type { ServerContext } from '../deps';
import { HttpError, type Issue } from '../errors';
import { route } from '../route';
import type { LoadedRunbook } from '../../runbook/load';
import { RunbookNotFoundError } from '../../runbook/registry';
import type { Delegation } from '../../contract/definitions';
import { assertMayReadView, personOf } from '../runAccess';

/** Start, list and read runs. */

/** The verified actor a message carries: who, and their roles in the directory right now. */
export function actorOf(p: Principal): { id: string; name: string; roles: string[] } {
  return { id: p.person.id, name: p.person.name, roles: [...p.person.roles] };
}

/**
 * Role → people, bound to the directory (the users file and the people who logged in through
 * OpenID Connect, with the roles their groups gave them): the request's choice (each person must
 * hold the role there, or be named as a delegated substitute where the runbook allows it), else
 * everyone who holds the role. Returns what the run records: assignments, delegations and each
 * person's directory roles at start.
 */
async function resolveAssignments(
  ctx: ServerContext,
  loaded: LoadedRunbook,
  given: StartRunBody['assignments'],
  delegations: StartRunBody['delegations'] = [],
): Promise<{
  assignments: Record<string, string[]>;
  delegations: Delegation[];
  directory: Record<string, string[]>;
  people: Record<string, { name: string; email?: string }>;
  issues: Issue[];
}> {
  const assignments: Record<string, string[]> = {};
  const issues: Issue[] = [];
  const roles = loaded.runbook.roles;
  const everyone = await ctx.directory.list();
  const known = new Map(everyone.map((p) => [p.id, p] as const));
  for (const role of roles) {
    const people = given[role.id] ?? everyone.filter((p) => p.roles.includes(role.id)).map((p) => p.id);
    if (people.length) assignments[role.id] = [...people];
  }
  for (const [role, people] of Object.entries(given)) {
    if (!roles.some((r) => r.id === role)) {
      issues.push({
        path: formatPath(['assignments', role]),
        message: `the runbook has no role "${role}" (roles: ${roles.map((r) => r.id).join(', ')})`,
      });
      continue;
    }
    people.forEach((id, i) => {
      const issue = directoryIssue(ctx, known.get(id), role, id, delegations);
      if (issue) issues.push({ path: formatPath(['assignments', role, i]), message: issue });
    });
  }
  delegations.forEach((d, i) => {
    const issue = delegationIssue(ctx, known.get(d.person), loaded, d);
    if (issue) issues.push({ path: formatPath(['delegations', i, issue.field]), message: issue.message });
    else if (!(assignments[d.role] ??= []).includes(d.person)) assignments[d.role]!.push(d.person);
  });
  const ids = [...new Set(Object.values(assignments).flat())];
  const directory = Object.fromEntries(ids.map((id) => [id, known.get(id)?.roles ?? []]));
  // Names and contacts for the run's documents (the Human Oversight Protocol's escalation paths).
  const people = Object.fromEntries(
    ids.flatMap((id) => {
      const p = known.get(id);
      return p ? [[id, { name: p.name, ...(p.email ? { email: p.email } : {}) }]] : [];
    }),
  );
  return { assignments, delegations, directory, people, issues };
}

/** Where a person would have to be: the users file, or also the single sign-on people when that is on. */
const whereTo = (ctx: ServerContext) =>
  ctx.directory.oidc
    ? 'in the directory (the users file, or a person who logged in through single sign-on)'
    : 'in the users file';

/** A person assigned a role must hold it in the directory, unless named as its delegate. */
function directoryIssue(
  ctx: ServerContext,
  person: Person | undefined,
  role: string,
  id: string,
  delegations: readonly Delegation[],
): string | undefined {
  if (!person) return `no person "${id}" ${whereTo(ctx)}`;
  if (person.roles.includes(role) || delegations.some((d) => d.role === role && d.person === id)) return undefined;
  const from = person.source === 'oidc' ? ' (from their groups at their last single sign-on login)' : '';
  return `${id} does not hold the role ${role} in the directory (their roles${from}: ${person.roles.join(', ') || 'none'}); assign someone who does, or name them under "delegations" with a reason if the runbook lets this role be delegated`;
}

function delegationIssue(
  ctx: ServerContext,
  person: Person | undefined,
  loaded: LoadedRunbook,
  d: Delegation,
): { field: 'role' | 'person'; message: string } | undefined {
  const role = loaded.runbook.roles.find((r) => r.id === d.role);
  if (!role) return { field: 'role', message: `the runbook has no role "${d.role}"` };
  if (!role.delegable)
    return {
      field: 'role',
      message: `runbook ${loaded.runbook.id} does not let the role ${d.role} be delegated (its roles entry has no "delegable: true")`,
    };
  if (!person) return { field: 'person', message: `no person "${d.person}" ${whereTo(ctx)}` };
  if (person.roles.includes(d.role))
    return {
      field: 'person',
      message: `${d.person} holds the role ${d.role} in the directory: assign them directly, not as a delegate`,
    };
  return undefined;
}

/** The run's input, or a 400 naming every problem at once: people unknown here and what prepareRun finds (params, modes, quorum). */
async function preparedInput(ctx: ServerContext, principal: Principal, body: StartRunBody, loaded: LoadedRunbook) {
  const { assignments, delegations, directory, people, issues } = await resolveAssignments(
    ctx,
    loaded,
    body.assignments,
    body.delegations,
  );
  let input;
  try {
    input = await ctx.prepareRun({
      loaded,
      system: body.system,
      collaborationMode: body.collaborationMode,
      initiator: actorOf(principal),
      assignments,
      delegations,
      directory,
      people: {
        ...people,
        [principal.person.id]: {
          name: principal.person.name,
          ...(principal.person.email ? { email: principal.person.email } : {}),
        },
      },
      params: body.params,
    });
  } catch (err) {
    if (!(err instanceof StartInputError)) throw err;
    for (const i of err.issues) {
      const issue = { path: formatPath(i.path), message: i.message };
      if (!issues.some((x) => x.path === issue.path && x.message === issue.message)) issues.push(issue);
    }
  }
  if (issues.length || !input) {
    throw new HttpError(
      400,
      issues.some((i) => i.path.startsWith('assignments')) && issues.every((i) => i.path.startsWith('assignments'))
        ? 'invalid role assignments'
        : 'the run cannot start with this input',
      { issues },
    );
  }
  return input;
}

export function registerRunRoutes(router: Router, ctx: ServerContext): void {
  // What a start can name: the CLI compares a local file's hash with the server's before it
  // starts, so nobody goes live with a runbook other than the one they reviewed.
  route(router, ctx, operations.listRunbooks, async () => {
    const listings = await ctx.deps.runbooks.list();
    // File names only: the server's folder layout is none of the caller's business.
    return { runbooks: listings.map((l) => ({ ...l, file: path.basename(l.file) })) };
  });

  route(router, ctx, operations.startRun, async ({ res, principal, body }) => {
    if (!principal.person.roles.some((r) => START_RUN_ROLES.includes(r))) {
      throw new HttpError(403, `starting a run needs one of the roles ${START_RUN_ROLES.join(', ')}`);
    }
    const loaded = await ctx.deps.runbooks.get(body.runbook).catch((err: unknown) => {
      if (err instanceof RunbookNotFoundError)
        throw new HttpError(400, 'unknown runbook', { issues: [{ path: 'runbook', message: err.message }] });
      throw err;
    });
    const input = await preparedInput(ctx, principal, body, loaded);
    const runId = await ctx.runs.start(input);
    ctx.metrics.runsStarted.inc({ runbook: loaded.runbook.id });
    ctx.log.info('run started', { runId, by: principal.person.id, runbook: loaded.runbook.id, system: body.system });
    res.location(`/api/runs/${encodeURIComponent(runId)}`);
    return { runId };
  });

  route(router, ctx, operations.listRuns, async ({ principal, query }) => ctx.runs.list(query, personOf(principal)));

  route(router, ctx, operations.getRun, async ({ principal, params }) => {
    const state = await ctx.runs.state(params.runId);
    assertMayReadView(params.runId, state, principal);
    return state;
  });
}
