import { formatDuration, durationToMs } from '../contract/duration';
import { ENTRY_CRITERIA_STEP_ID, materialiseSteps, type PlannedStep } from '../contract/steps';
import type { Runbook, Step } from '../contract/schemas/runbook';

/**
 * The runbook's steps as a plan: who waits for whom, which steps run side by side, and the
 * same picture as text (CLI) and as a Mermaid flowchart (UI, `--mermaid`).
 *
 * Pure (no Node APIs). Dependencies come from the interpreter's `materialiseSteps`, so the
 * plan people review and the order the workflow runs are one computation.
 */

export { ENTRY_CRITERIA_STEP_ID };
export type ResolvedStep = PlannedStep;

/**
 * Every step the run executes (the entry criteria first), with what it waits for. This is the
 * interpreter's own resolution, so the plan people review is exactly the order that runs:
 * `after` omitted means the previous step, `after: []` means at once.
 */
export const resolveDependencies = materialiseSteps;

type StepSource = Parameters<typeof materialiseSteps>[0];

/**
 * A dependency cycle as the ids along it, first id repeated at the end (`a → b → a`), or
 * undefined. Ids that name no step are ignored here (the validator reports them on their own).
 */
export function findCycle(resolved: readonly ResolvedStep[]): string[] | undefined {
  const deps = new Map(resolved.map((r) => [r.step.id, r.after] as const));
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'open') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'open');
    stack.push(id);
    for (const dep of deps.get(id) ?? []) {
      if (!deps.has(dep)) continue;
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const r of resolved) {
    const cycle = visit(r.step.id);
    // The walk follows `after` backwards; reverse so the cycle reads in run order.
    if (cycle) return cycle.reverse();
  }
  return undefined;
}

/**
 * Stages of steps that may run side by side: a step's stage is one more than the latest stage
 * it waits for. Throws on a cycle (a validated runbook has none).
 */
export function topologicalLevels(resolved: readonly ResolvedStep[]): ResolvedStep[][] {
  const byId = new Map(resolved.map((r) => [r.step.id, r] as const));
  const level = new Map<string, number>();
  const depth = (r: ResolvedStep, seen: Set<string>): number => {
    const known = level.get(r.step.id);
    if (known !== undefined) return known;
    if (seen.has(r.step.id)) throw new Error(`dependency cycle through step "${r.step.id}"`);
    seen.add(r.step.id);
    let d = 0;
    for (const dep of r.after) {
      const target = byId.get(dep);
      if (target) d = Math.max(d, depth(target, seen) + 1);
    }
    seen.delete(r.step.id);
    level.set(r.step.id, d);
    return d;
  };
  const levels: ResolvedStep[][] = [];
  for (const r of resolved) (levels[depth(r, new Set())] ??= []).push(r);
  return levels;
}

/** Ids of every step `id` waits for, directly or through others. */
export function ancestorsOf(resolved: readonly ResolvedStep[], id: string): Set<string> {
  const deps = new Map(resolved.map((r) => [r.step.id, r.after] as const));
  const seen = new Set<string>();
  const queue = [...(deps.get(id) ?? [])];
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    if (seen.has(next)) continue;
    seen.add(next);
    queue.push(...(deps.get(next) ?? []));
  }
  return seen;
}

/** One line about what a step does: "action http-check (undo: access-revoke)", "approval by guardian". */
function describeStep(step: Step): string {
  switch (step.kind) {
    case 'action':
      return `action ${step.action}${step.compensate ? ` (undo: ${step.compensate.action})` : ''}`;
    case 'approval': {
      const who = step.approvers.map((a) => (a.quorum > 1 ? `${a.quorum}× ${a.role}` : a.role)).join(' + ');
      return `approval by ${who} within ${formatDuration(durationToMs(step.deadline))}${step.covers.length ? `, covers ${step.covers.join(', ')}` : ''}`;
    }
    case 'evidence':
      return `evidence: ${step.items.length} item${step.items.length === 1 ? '' : 's'} (${step.items.map((i) => i.id).join(', ')})`;
    case 'hypercare':
      return `hypercare for ${formatDuration(durationToMs(step.duration))}, reports answered within ${formatDuration(durationToMs(step.responseDeadline))}`;
  }
}

/** The plan as text for the CLI: stages in order, parallel steps side by side in one stage. */
export function formatPlan(runbook: StepSource & Pick<Runbook, 'id' | 'version' | 'title'>): string {
  const levels = topologicalLevels(resolveDependencies(runbook));
  const total = levels.reduce((n, l) => n + l.length, 0);
  const lines = [`${runbook.title} (${runbook.id} ${runbook.version}): ${total} steps in ${levels.length} stages`];
  levels.forEach((stage, i) => {
    lines.push('', `Stage ${i + 1}${stage.length > 1 ? ` (${stage.length} in parallel)` : ''}`);
    for (const { step, after } of stage) {
      lines.push(`  ${step.id}: ${step.title}`);
      lines.push(`      ${describeStep(step)}${after.length ? `; after ${after.join(', ')}` : ''}`);
    }
  });
  return lines.join('\n');
}

const MERMAID_SHAPES: Record<Step['kind'], [string, string]> = {
  action: ['[', ']'],
  approval: ['{', '}'],
  evidence: ['[/', '/]'],
  hypercare: ['([', '])'],
};

/** A quoted Mermaid label, one line per part; Mermaid wants its own escapes inside quotes. */
function mermaidLabel(parts: string[]): string {
  const escaped = parts.map((p) => p.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;'));
  return `"${escaped.join('<br/>')}"`;
}

/**
 * A Mermaid flowchart of the plan. Node ids are generated (s0, s1, …) because step ids may
 * contain words Mermaid reserves (`end`, `graph`); shapes show the kind: rectangle action,
 * diamond approval, parallelogram evidence, stadium hypercare.
 */
export function toMermaid(runbook: StepSource): string {
  const resolved = resolveDependencies(runbook);
  const nodeId = new Map(resolved.map((r, i) => [r.step.id, `s${i}`] as const));
  const lines = ['flowchart TD'];
  for (const { step } of resolved) {
    const [open, close] = MERMAID_SHAPES[step.kind];
    const detail = step.kind === 'action' ? step.action : step.kind;
    lines.push(`  ${nodeId.get(step.id)}${open}${mermaidLabel([step.title, detail])}${close}`);
  }
  for (const { step, after } of resolved) {
    for (const dep of after) {
      const from = nodeId.get(dep);
      if (from) lines.push(`  ${from} --> ${nodeId.get(step.id)}`);
    }
  }
  for (const kind of Object.keys(MERMAID_SHAPES) as Step['kind'][]) {
    const ids = resolved.filter((r) => r.step.kind === kind).map((r) => nodeId.get(r.step.id));
    if (ids.length) lines.push(`  class ${ids.join(',')} ${kind}`);
  }
  lines.push(
    '  classDef action fill:#e8f0fe,stroke:#3367d6',
    '  classDef approval fill:#fef7e0,stroke:#f9ab00',
    '  classDef evidence fill:#e6f4ea,stroke:#1e8e3e',
    '  classDef hypercare fill:#fce8e6,stroke:#d93025',
  );
  return lines.join('\n');
}

/**
 * How many steps a run executes, counted as the interpreter does (`materialiseSteps`): the
 * entry criteria become a step of their own, first, so a runbook with 20 `steps` and entry
 * criteria runs 21. `golive runbook validate`/`show` and
 * `GET /api/runbooks` all say it this way.
 */
export function stepCount(runbook: Pick<Runbook, 'entryCriteria' | 'steps'>): {
  steps: number;
  text: string;
  withEntryCriteria: boolean;
} {
  const steps = resolveDependencies(runbook).length;
  const withEntryCriteria = runbook.entryCriteria.length > 0;
  return {
    steps,
    withEntryCriteria,
    text: `${steps} step${steps === 1 ? '' : 's'}${withEntryCriteria ? ', including the entry criteria' : ''}`,
  };
}
