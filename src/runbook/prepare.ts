import type { Actor, Delegation, GoLiveInput, NotifyChannel } from '../contract/definitions';
import { goLiveInputSchema } from '../contract/schemas/messages';
import { checkActionCall } from './actions';
import { checkAnalysis } from './analysis';
import { checkWatch, watchCall } from './watch';
import { formatPath, StartInputError, type Issue } from './issues';
import type { LoadedRunbook } from './load';
import { roleReferences } from './roles';
import type { Runbook } from '../contract/schemas/runbook';
import { actionCalls, fillRunbook, resolveRunParams, type ParamValue } from './template';
import { zodIssues } from './zodIssues';
import type { OutboundPolicy } from '../outbound/allowlist';
import { outboundIssues } from '../outbound/destinations';

/**
 * Everything a go-live start needs, checked before anything reaches Temporal: the server and
 * the CLI call this and start the workflow only with what it returns, so bad start input
 * fails with a clear error and leaves no history behind.
 */
export interface PrepareRunInput {
  loaded: LoadedRunbook;
  system: string;
  collaborationMode: number;
  initiator: Actor;
  /** Role id → the people holding it in this run. */
  assignments: Record<string, string[]>;
  /** Named substitutes (roles the runbook marks delegable), with reasons. */
  delegations?: Delegation[];
  /** Each assigned person's roles in the directory, as checked at start. */
  directory?: Record<string, string[]>;
  /** Each assigned person's name and e-mail from the directory, for the run's documents. */
  people?: Record<string, { name: string; email?: string }>;
  /** Values for the runbook's parameters; text is accepted for numbers and booleans. */
  params?: Record<string, ParamValue>;
  /** Where actions may connect: every destination the filled runbook names must be allowed.
   *  Absent: no start check (the worker's activities still enforce their own policy). */
  outbound?: OutboundPolicy;
  /** The channels notifications are delivered over (src/notifyChannels.ts), recorded in the run. */
  notifyChannels?: NotifyChannel[];
}

export function prepareRun(input: PrepareRunInput): GoLiveInput {
  const { runbook } = input.loaded;
  const issues: Issue[] = [];
  if (!runbook.collaborationModes.includes(input.collaborationMode)) {
    issues.push({
      path: ['collaborationMode'],
      message: `Collaboration Mode ${input.collaborationMode} is not allowed by runbook ${runbook.id} (allowed: ${runbook.collaborationModes.join(', ')})`,
    });
  }
  issues.push(...checkAssignments(runbook, input.assignments, input.initiator));

  const params = resolveRunParams(runbook.parameters, input.params ?? {});
  issues.push(...params.issues);
  // Filled action params are only worth checking when the values themselves were valid.
  const filled = params.issues.length === 0 ? fillRunbook(runbook, params.values) : runbook;
  if (params.issues.length === 0) {
    for (const { call, path } of actionCalls(filled)) {
      issues.push(...checkActionCall(call, ['runbook', ...path]).map((issue) => blameParameter(issue, runbook)));
    }
    filled.steps.forEach((step, i) => {
      if (step.kind !== 'hypercare') return;
      step.analyses.forEach((a, j) =>
        issues.push(
          ...checkAnalysis(a, ['runbook', 'steps', i, 'analyses', j]).map((issue) => blameParameter(issue, runbook)),
        ),
      );
      if (step.watch)
        issues.push(
          ...checkWatch(step.watch, ['runbook', 'steps', i, 'watch']).map((issue) => blameParameter(issue, runbook)),
        );
    });
    if (input.outbound) issues.push(...destinationIssues(filled, runbook, input.outbound));
  }
  if (issues.length > 0) throw new StartInputError(issues);

  const candidate = {
    runbook: filled,
    runbookRef: input.loaded.ref,
    system: input.system,
    collaborationMode: input.collaborationMode,
    initiator: input.initiator,
    assignments: input.assignments,
    ...(input.delegations?.length ? { delegations: input.delegations } : {}),
    ...(input.directory ? { directory: input.directory } : {}),
    ...(input.people ? { people: input.people } : {}),
    params: params.values,
    ...(input.notifyChannels ? { notifyChannels: input.notifyChannels } : {}),
  };
  const parsed = goLiveInputSchema.safeParse(candidate);
  if (!parsed.success) throw new StartInputError(zodIssues(parsed.error, goLiveInputSchema, candidate));
  return parsed.data;
}

/**
 * Every role the runbook uses has someone; no one is assigned to a role the runbook does not
 * declare; each approval can reach its quorum with distinct people other than the initiator
 * (four-eyes), or the run would wait forever for a decision nobody may make.
 */
function checkAssignments(runbook: Runbook, assignments: Record<string, string[]>, initiator: Actor): Issue[] {
  const issues: Issue[] = [];
  const declared = runbook.roles.map((r) => r.id);
  for (const role of Object.keys(assignments)) {
    if (!declared.includes(role)) {
      issues.push({
        path: ['assignments', role],
        message: `role "${role}" is not declared by runbook ${runbook.id} (declared: ${declared.join(', ')})`,
      });
    }
  }
  const reported = new Set<string>();
  for (const ref of roleReferences(runbook)) {
    if ((assignments[ref.role]?.length ?? 0) > 0 || reported.has(ref.role) || !declared.includes(ref.role)) continue;
    reported.add(ref.role);
    issues.push({
      path: ['assignments', ref.role],
      message: `nobody is assigned to role "${ref.role}", which must ${ref.use} (${formatPath(ref.path)})`,
    });
  }
  runbook.steps.forEach((step) => {
    if (step.kind !== 'approval') return;
    for (const { role, quorum } of step.approvers) {
      const people = new Set(assignments[role] ?? []);
      if (people.size === 0) continue;
      people.delete(initiator.id);
      if (people.size < quorum) {
        issues.push({
          path: ['assignments', role],
          message: `step "${step.id}" needs ${quorum} approval${quorum > 1 ? 's' : ''} from distinct "${role}" people other than the initiator, but ${people.size} ${people.size === 1 ? 'is' : 'are'} assigned`,
        });
      }
    }
  });
  return issues;
}

/**
 * Destinations outside the outbound policy, each reported once on what a person can fix: the
 * run parameter that filled it (`params.targetUrl`), else the runbook field.
 */
function destinationIssues(filled: Runbook, written: Runbook, policy: OutboundPolicy): Issue[] {
  const seen = new Set<string>();
  // A watch's probes are written at steps[i].watch.probes[j], its call's params are { probes }.
  const watches = filled.steps.flatMap((step, i) =>
    step.kind === 'hypercare' && step.watch ? [{ call: watchCall(step.watch), path: ['steps', i, 'watch'] }] : [],
  );
  return [
    ...actionCalls(filled).map(({ call, path }) => ({ params: call.params, at: ['runbook', ...path, 'params'] })),
    ...watches.map(({ call, path }) => ({ params: call.params, at: ['runbook', ...path] })),
  ]
    .flatMap(({ params, at }) => outboundIssues(params, at, policy))
    .map((issue) => blameParameter(issue, written))
    .filter((issue) => {
      const key = formatPath(issue.path);
      return !seen.has(key) && seen.add(key);
    });
}

const PARAM_PLACEHOLDER = /\$\{params\.([A-Za-z][A-Za-z0-9_]*)\}/;

/**
 * An action parameter that is invalid only because of the value a person typed for a run
 * parameter is reported on that parameter (`params.targetPort`), which is what they can fix;
 * the runbook field it fed is named in the message.
 */
function blameParameter(issue: Issue, runbook: Runbook): Issue {
  const [root, ...inRunbook] = issue.path;
  if (root !== 'runbook') return issue;
  let written: unknown = runbook;
  for (const key of inRunbook) {
    if (written === null || typeof written !== 'object') return issue;
    written = (written as Record<string | number, unknown>)[key];
  }
  const name = typeof written === 'string' ? PARAM_PLACEHOLDER.exec(written)?.[1] : undefined;
  if (!name) return issue;
  return { path: ['params', name], message: `${issue.message} (it fills ${formatPath(inRunbook)})` };
}
