import path from 'node:path';
import type { Router } from 'express';
import type { Principal } from '../../auth/authenticator';
import { START_RUN_ROLES } from '../../auth/roles';
import { formatPath, StartInputError } from '../../runbook/issues';
import { operations, type StartRunBody } from '../api';
import type { ServerContext } from '../deps';
import { HttpError, type Issue } from '../errors';
import { route } from '../route';
import type { LoadedRunbook } from '../../runbook/load';
import { RunbookNotFoundError } from '../../runbook/registry';

/** Start, list and read runs. */

export function actorOf(p: Principal): { id: string; name: string } {
  return { id: p.person.id, name: p.person.name };
}

/** Role → people: the request's choice, else everyone in the users file who has the role. */
export function resolveAssignments(ctx: ServerContext, loaded: LoadedRunbook, given: StartRunBody['assignments']): { assignments: Record<string, string[]>; issues: Issue[] } {
  const assignments: Record<string, string[]> = {};
  const issues: Issue[] = [];
  for (const role of loaded.runbook.roles) {
    const people = given[role.id] ?? ctx.deps.users.withRole(role.id).map((p) => p.id);
    if (people.length) assignments[role.id] = people;
  }
  for (const [role, people] of Object.entries(given)) {
    if (!loaded.runbook.roles.some((r) => r.id === role)) {
      issues.push({ path: formatPath(['assignments', role]), message: `the runbook has no role "${role}" (roles: ${loaded.runbook.roles.map((r) => r.id).join(', ')})` });
    }
    people.forEach((id, i) => {
      if (!ctx.deps.users.get(id)) issues.push({ path: formatPath(['assignments', role, i]), message: `no person "${id}" in the users file` });
    });
  }
  return { assignments, issues };
}

export function registerRunRoutes(router: Router, ctx: ServerContext): void {
  // What a start can name: the CLI compares a local file's hash with the server's before it
  // starts, so nobody goes live with a runbook other than the one they reviewed.
  route(router, ctx, operations.listRunbooks, async () => {
    const listings = await ctx.deps.runbooks.list();
    // File names only: the server's folder layout is none of the caller's business.
    return { runbooks: listings.map((l) => ({ ...l, file: path.basename(l.file) })) };
  });

  route(router, ctx, operations.startRun, async ({ principal, body }) => {
    if (!principal.person.roles.some((r) => START_RUN_ROLES.includes(r))) {
      throw new HttpError(403, `starting a run needs one of the roles ${START_RUN_ROLES.join(', ')}`);
    }
    const loaded = await ctx.deps.runbooks.get(body.runbook).catch((err: unknown) => {
      if (err instanceof RunbookNotFoundError) throw new HttpError(400, 'unknown runbook', { issues: [{ path: 'runbook', message: err.message }] });
      throw err;
    });
    // Every problem at once: people unknown here and what prepareRun finds (params, modes, quorum).
    const { assignments, issues } = resolveAssignments(ctx, loaded, body.assignments);
    let input;
    try {
      input = await ctx.prepareRun({
        loaded,
        system: body.system,
        collaborationMode: body.collaborationMode,
        initiator: actorOf(principal),
        assignments,
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
      throw new HttpError(400, issues.some((i) => i.path.startsWith('assignments')) && issues.every((i) => i.path.startsWith('assignments')) ? 'invalid role assignments' : 'the run cannot start with this input', { issues });
    }
    const runId = await ctx.runs.start(input);
    ctx.metrics.runsStarted.inc({ runbook: loaded.runbook.id });
    ctx.log.info('run started', { runId, by: principal.person.id, runbook: loaded.runbook.id, system: body.system });
    return { runId };
  });

  route(router, ctx, operations.listRuns, async ({ principal, query }) => ctx.runs.list(query, principal.person.roles));

  route(router, ctx, operations.getRun, async ({ params }) => ctx.runs.state(params.runId));
}
