import { isActionName } from '../contract/schemas/catalog';
import { checkActionCall } from './actions';
import { checkAnalysis, fillAnalysis } from './analysis';
import { checkWatch, fillWatch } from './watch';
import { durationToMs } from '../contract/duration';
import { listNames, type Issue, type IssuePath } from './issues';
import { ancestorsOf, ENTRY_CRITERIA_STEP_ID, findCycle, resolveDependencies } from './plan';
import { roleReferences } from './roles';
import type { EscalationLevel, EvidenceItem, Runbook } from '../contract/schemas/runbook';
import { closestName } from './zodIssues';
import {
  actionCalls,
  checkParamValue,
  fillParams,
  parameterDefaults,
  placeholdersIn,
  type PlaceholderUse,
} from './template';

/**
 * The rules one field cannot check alone, run after the zod parse: ids unique, `after` and
 * `covers` pointing at real steps, no cycles, every role declared, actions known and their
 * params valid, hypercare last. Returns every problem (never stops at the first), each with
 * the path of the field to fix. Pure.
 */
export function validateRunbook(runbook: Runbook): Issue[] {
  return [
    ...checkRoles(runbook),
    ...checkParameters(runbook),
    ...checkStepGraph(runbook),
    ...checkActions(runbook),
    ...checkApprovals(runbook),
    ...checkEvidence(runbook),
    ...checkHypercare(runbook),
    ...checkFailurePolicies(runbook),
    ...checkTarget(runbook),
    ...checkOversight(runbook),
  ];
}

/** Placeholders that name no declared parameter, or are not placeholders golive knows. */
/** `runbook`: where `${evidence.STEP.ITEM}` may point (absent where evidence cannot be used, e.g. the target). */
function placeholderIssues(uses: readonly PlaceholderUse[], declared: readonly string[], runbook?: Runbook): Issue[] {
  return uses.flatMap((use): Issue[] => {
    if (use.unknown)
      return [
        {
          path: use.path,
          message: `unknown placeholder ${use.unknown} (use \${params.NAME}, \${secrets.NAME}${runbook ? ' or ${evidence.STEP.ITEM}' : ''})`,
        },
      ];
    if (use.evidence) {
      const problem = runbook
        ? evidencePlaceholderProblem(runbook, use.evidence)
        : 'an ${evidence.STEP.ITEM} placeholder is filled only in action params, not here';
      return problem ? [{ path: use.path, message: problem }] : [];
    }
    if (use.param === undefined || declared.includes(use.param)) return [];
    const guess = closestName(use.param, declared);
    return [
      {
        path: use.path,
        message: `\${params.${use.param}} names no declared parameter${guess ? `; did you mean "${guess}"?` : ''} (declared: ${declared.length ? declared.join(', ') : 'none'})`,
      },
    ];
  });
}

/** The target is made of run parameters only: a secret in it would be shown in every refusal. */
function checkTarget(runbook: Runbook): Issue[] {
  if (runbook.target === undefined) return [];
  const issues = placeholderIssues(placeholdersIn(runbook.target, ['target']), Object.keys(runbook.parameters));
  if (runbook.target.includes('${secrets.'))
    issues.push({
      path: ['target'],
      message:
        'a target is named by run parameters, never by a secret (it is shown to everyone whose start it refuses)',
    });
  return issues;
}

/** An AI activity needs approval from a mode no higher than the one it may act alone from. */
function checkOversight(runbook: Runbook): Issue[] {
  const activities = runbook.oversight?.aiActivities ?? [];
  const issues = duplicates(
    activities,
    (a) => a.id,
    (i) => ['oversight', 'aiActivities', i, 'id'],
    'AI activity id',
  );
  activities.forEach((a, i) => {
    if (a.aloneFrom !== undefined && a.approvalFrom !== undefined && a.approvalFrom > a.aloneFrom) {
      issues.push({
        path: ['oversight', 'aiActivities', i, 'approvalFrom'],
        message: `approvalFrom (${a.approvalFrom}) is above aloneFrom (${a.aloneFrom}): from mode ${a.aloneFrom} the AI already acts alone`,
      });
    }
  });
  return issues;
}

/** Only a notification may fail without rolling back: a failed deploy or check must not be waved through. */
function checkFailurePolicies(runbook: Runbook): Issue[] {
  return runbook.steps.flatMap((step, i): Issue[] => {
    if (step.kind !== 'action' || step.action === 'notify') return [];
    if (step.onFailure && step.onFailure !== 'fail') {
      return [
        {
          path: ['steps', i, 'onFailure'],
          message: `"${step.onFailure}" is for notify steps only: a failed ${step.action} must roll the run back (use "fail" or leave it out)`,
        },
      ];
    }
    return step.escalateTo
      ? [
          {
            path: ['steps', i, 'escalateTo'],
            message: 'escalateTo is for notify steps (who hears of an undelivered notification)',
          },
        ]
      : [];
  });
}

function duplicates<T>(
  list: readonly T[],
  key: (t: T) => string,
  path: (i: number) => IssuePath,
  what: string,
): Issue[] {
  const first = new Map<string, number>();
  const issues: Issue[] = [];
  list.forEach((item, i) => {
    const k = key(item);
    const earlier = first.get(k);
    if (earlier === undefined) first.set(k, i);
    else issues.push({ path: path(i), message: `duplicate ${what} "${k}" (already used at index ${earlier})` });
  });
  return issues;
}

function checkRoles(runbook: Runbook): Issue[] {
  const declared = runbook.roles.map((r) => r.id);
  const issues = duplicates(
    runbook.roles,
    (r) => r.id,
    (i) => ['roles', i, 'id'],
    'role id',
  );
  for (const ref of roleReferences(runbook)) {
    if (!declared.includes(ref.role)) {
      const guess = closestName(ref.role, declared);
      issues.push({
        path: ref.path,
        message: `role "${ref.role}" is not declared in roles${guess ? `; did you mean "${guess}"?` : ''} (declared: ${declared.join(', ')})`,
      });
    }
  }
  return issues;
}

function checkParameters(runbook: Runbook): Issue[] {
  const issues = duplicates(runbook.collaborationModes, String, (i) => ['collaborationModes', i], 'Collaboration Mode');
  for (const [name, spec] of Object.entries(runbook.parameters)) {
    if (spec.default === undefined) continue;
    const checked = checkParamValue(spec.type, spec.default);
    if ('problem' in checked)
      issues.push({
        path: ['parameters', name, 'default'],
        message: `default ${checked.problem} (type is ${spec.type})`,
      });
  }
  return issues;
}

function checkStepGraph(runbook: Runbook): Issue[] {
  const issues = duplicates(
    runbook.steps,
    (s) => s.id,
    (i) => ['steps', i, 'id'],
    'step id',
  );
  const ids = new Set(runbook.steps.map((s) => s.id));
  // What `after` may name: the steps, and the entry criteria when the runbook has them.
  const targets = new Set(runbook.entryCriteria.length > 0 ? [ENTRY_CRITERIA_STEP_ID, ...ids] : ids);
  runbook.steps.forEach((step, i) => {
    if (step.id === ENTRY_CRITERIA_STEP_ID) {
      issues.push({
        path: ['steps', i, 'id'],
        message: `"${ENTRY_CRITERIA_STEP_ID}" is reserved for the entry criteria; choose another id`,
      });
    }
    // The Definition of Ready comes before everything; `after: []` would start beside it.
    if (step.after?.length === 0 && runbook.entryCriteria.length > 0) {
      issues.push({
        path: ['steps', i, 'after'],
        message: `after: [] would start this step before the entry criteria are met; write after: [${ENTRY_CRITERIA_STEP_ID}] to start it as soon as they are`,
      });
    }
    step.after?.forEach((target, j) => {
      if (!targets.has(target))
        issues.push({
          path: ['steps', i, 'after', j],
          message: `step "${target}" does not exist${nearIds(target, targets)}`,
        });
    });
  });
  // With duplicate ids the graph is ambiguous, and any cycle in it an echo of the duplicate.
  const cycle = ids.size === runbook.steps.length ? findCycle(resolveDependencies(runbook)) : undefined;
  if (cycle) {
    const index = runbook.steps.findIndex((s) => s.id === cycle[0]);
    issues.push({
      path: ['steps', index, 'after'],
      message: `steps wait for each other in a cycle: ${cycle.join(' → ')}`,
    });
  }
  return issues;
}

/** A hint for a mistyped step id, as for roles and actions: the likely one, and the ids there are. */
function nearIds(target: string, ids: ReadonlySet<string>): string {
  const guess = closestName(target, [...ids]);
  return `${guess ? `; did you mean "${guess}"?` : ''} (steps: ${[...ids].join(', ')})`;
}

/** `${evidence.step.item}` must name an evidence item of the runbook (the run fills it from the last submission). */
function evidencePlaceholderProblem(runbook: Runbook, ref: { stepId: string; itemId: string }): string | undefined {
  const step = runbook.steps.find((s) => s.id === ref.stepId);
  if (!step || step.kind !== 'evidence')
    return `\${evidence.${ref.stepId}.${ref.itemId}} names no evidence step "${ref.stepId}"`;
  if (!step.items.some((i) => i.id === ref.itemId))
    return `\${evidence.${ref.stepId}.${ref.itemId}}: step "${ref.stepId}" has no item "${ref.itemId}" (items: ${step.items.map((i) => i.id).join(', ')})`;
  return undefined;
}

function checkActions(runbook: Runbook): Issue[] {
  const declared = Object.keys(runbook.parameters);
  const defaults = parameterDefaults(runbook);
  const issues: Issue[] = [];
  for (const { call, path } of actionCalls(runbook)) {
    const uses = placeholdersIn(call.params, [...path, 'params']);
    issues.push(...placeholderIssues(uses, declared, runbook));
    // A param without a default is only known at start; its action is checked strictly then.
    const waitsForStart = uses.some((u) => u.param !== undefined && !Object.hasOwn(defaults, u.param));
    if (waitsForStart) {
      if (!isActionName(call.action)) issues.push(...checkActionCall(call, path));
    } else {
      issues.push(...checkActionCall({ action: call.action, params: fillParams(call.params, defaults) }, path));
    }
    if (call.heartbeatTimeout !== undefined && durationToMs(call.heartbeatTimeout) > durationToMs(call.timeout)) {
      issues.push({
        path: [...path, 'heartbeatTimeout'],
        message: `${call.heartbeatTimeout} is longer than the timeout (${call.timeout})`,
      });
    }
    const { initialInterval, maximumInterval } = call.retry;
    if (maximumInterval !== undefined && durationToMs(maximumInterval) < durationToMs(initialInterval)) {
      issues.push({
        path: [...path, 'retry', 'maximumInterval'],
        message: `${maximumInterval} is shorter than initialInterval (${initialInterval})`,
      });
    }
  }
  return [...issues, ...checkAnalyses(runbook, declared, defaults)];
}

/** Hypercare analyses: placeholders declared, the metrics-check they become valid, ids unique. */
function checkAnalyses(runbook: Runbook, declared: string[], defaults: ReturnType<typeof parameterDefaults>): Issue[] {
  const issues: Issue[] = [];
  runbook.steps.forEach((step, i) => {
    if (step.kind !== 'hypercare') return;
    const base: IssuePath = ['steps', i, 'analyses'];
    issues.push(
      ...duplicates(
        step.analyses,
        (a) => a.id,
        (j) => [...base, j, 'id'],
        'analysis id',
      ),
    );
    step.analyses.forEach((a, j) => {
      const uses = placeholdersIn({ prometheusUrl: a.prometheusUrl, query: a.query }, [...base, j]);
      issues.push(...placeholderIssues(uses, declared));
      if (uses.every((u) => u.param === undefined || Object.hasOwn(defaults, u.param))) {
        issues.push(
          ...checkAnalysis(
            fillAnalysis(a, (s) => fillParams(s, defaults)),
            [...base, j],
          ),
        );
      }
    });
    if (step.watch) issues.push(...checkWatchOf(step.watch, ['steps', i, 'watch'], declared, defaults));
  });
  return issues;
}

/** The hypercare watch: placeholders declared, probe ids unique, the target-snapshot call valid. */
function checkWatchOf(
  watch: NonNullable<Extract<Runbook['steps'][number], { kind: 'hypercare' }>['watch']>,
  base: IssuePath,
  declared: string[],
  defaults: ReturnType<typeof parameterDefaults>,
): Issue[] {
  const issues = duplicates(
    watch.probes,
    (p) => p.id,
    (j) => [...base, 'probes', j, 'id'],
    'probe id',
  );
  const uses = placeholdersIn(
    watch.probes.map((p) => ({ url: p.url, select: p.select })),
    [...base, 'probes'],
  );
  issues.push(...placeholderIssues(uses, declared));
  if (uses.every((u) => u.param === undefined || Object.hasOwn(defaults, u.param)))
    issues.push(
      ...checkWatch(
        fillWatch(watch, (s) => fillParams(s, defaults)),
        base,
      ),
    );
  return issues;
}

/** Levels must come in time order; for a step that rejects at its deadline, before it. */
function checkEscalation(levels: readonly EscalationLevel[], base: IssuePath, rejectsAt?: string): Issue[] {
  const issues: Issue[] = [];
  levels.forEach((level, i) => {
    const previous = levels[i - 1];
    if (previous && durationToMs(level.after) <= durationToMs(previous.after)) {
      issues.push({
        path: [...base, i, 'after'],
        message: `${level.after} must be later than the level before (${previous.after})`,
      });
    }
    if (rejectsAt !== undefined && durationToMs(level.after) >= durationToMs(rejectsAt)) {
      issues.push({
        path: [...base, i, 'after'],
        message: `${level.after} is not before the deadline (${rejectsAt}), where the step is rejected: this level never fires (use onDeadline: hold to keep escalating)`,
      });
    }
  });
  return issues;
}

function checkApprovals(runbook: Runbook): Issue[] {
  const issues: Issue[] = [];
  const resolved = resolveDependencies(runbook);
  const kinds = new Map(resolved.map((r) => [r.step.id, r.step.kind] as const));
  runbook.steps.forEach((step, i) => {
    if (step.kind !== 'approval') return;
    const base: IssuePath = ['steps', i];
    issues.push(
      ...duplicates(
        step.approvers,
        (a) => a.role,
        (j) => [...base, 'approvers', j, 'role'],
        'approver role',
      ),
    );
    issues.push(
      ...checkEscalation(
        step.escalation,
        [...base, 'escalation'],
        step.onDeadline === 'reject' ? step.deadline : undefined,
      ),
    );
    const before = ancestorsOf(resolved, step.id);
    step.covers.forEach((target, j) => {
      const path = [...base, 'covers', j];
      const kind = kinds.get(target);
      if (kind === undefined)
        issues.push({ path, message: `step "${target}" does not exist${nearIds(target, new Set(kinds.keys()))}` });
      else if (kind !== 'evidence')
        issues.push({ path, message: `step "${target}" is an ${kind} step; an approval covers evidence steps only` });
      else if (!before.has(target)) {
        issues.push({
          path,
          message: `evidence step "${target}" does not run before this approval; add it to after so its evidence exists when people decide`,
        });
      }
    });
  });
  return issues;
}

function checkItems(items: readonly EvidenceItem[], base: IssuePath): Issue[] {
  const issues = duplicates(
    items,
    (item) => item.id,
    (i) => [...base, i, 'id'],
    'evidence item id',
  );
  items.forEach((item, i) => {
    for (const bound of ['min', 'max'] as const) {
      if (item[bound] !== undefined && item.type !== 'number') {
        issues.push({
          path: [...base, i, bound],
          message: `${bound} applies to number items only (this item is ${item.type})`,
        });
      }
    }
    if (item.min !== undefined && item.max !== undefined && item.min > item.max) {
      issues.push({
        path: [...base, i, 'min'],
        message: `min (${item.min}) is greater than max (${item.max}): no value could pass`,
      });
    }
  });
  return issues;
}

function checkEvidence(runbook: Runbook): Issue[] {
  const issues = checkItems(runbook.entryCriteria, ['entryCriteria']);
  runbook.steps.forEach((step, i) => {
    if (step.kind !== 'evidence') return;
    issues.push(...checkItems(step.items, ['steps', i, 'items']));
    issues.push(...checkEscalation(step.escalation, ['steps', i, 'escalation']));
  });
  return issues;
}

/** Hypercare is the watch after go-live: the last step, after everything else, only once. */
function checkHypercare(runbook: Runbook): Issue[] {
  const issues: Issue[] = [];
  const resolved = resolveDependencies(runbook);
  const last = runbook.steps.length - 1;
  runbook.steps.forEach((step, i) => {
    if (step.kind !== 'hypercare') return;
    const base: IssuePath = ['steps', i];
    if (i !== last) {
      issues.push({
        path: [...base, 'kind'],
        message: `hypercare must be the last step (it is followed by ${listNames(runbook.steps.slice(i + 1).map((s) => s.id))})`,
      });
      return;
    }
    const before = ancestorsOf(resolved, step.id);
    const beside = runbook.steps.filter((s) => s.id !== step.id && !before.has(s.id)).map((s) => s.id);
    if (beside.length) {
      issues.push({
        path: [...base, 'after'],
        message: `hypercare must come after every other step, but ${listNames(beside)} may still be running`,
      });
    }
    issues.push(...checkEscalation(step.escalation, [...base, 'escalation']));
  });
  return issues;
}
