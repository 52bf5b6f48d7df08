import type { z } from 'zod';
import { formatPath, type Issue, type IssuePath } from './issues';
import {
  evidenceItemSchema,
  roleSchema,
  runbookSchema,
  stepSchema,
  type Runbook,
  type Step,
} from '../contract/schemas/runbook';
import { validateRunbook } from './validate';

/**
 * The cross-field checks for a runbook that failed its zod parse, so one run of `validate`
 * shows every problem instead of stopping at the schema. Each part is parsed on its own; a part
 * whose broken fields may be left out (they have defaults) is checked without them; a step that
 * cannot be read at all stands in the graph as a stub (its id, kind and `after` as written), so
 * the other steps' `after` and `covers` still resolve. Issues about a broken field, or inside a
 * stub, are dropped: the schema already reported them, and anything said about them would be a guess.
 * Pure.
 */

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

interface Salvaged<T> {
  value: T;
  /** Paths (relative to the part) whose value was dropped or guessed: no issue is trusted there. */
  unreliable: IssuePath[];
}

/** Fields of an object schema, when the schema (or the option its `kind` picks) is one. */
function shapeOf(schema: z.ZodType, raw: Record<string, unknown>): Record<string, z.ZodType> | undefined {
  const d = (
    schema as unknown as { _zod: { def: { type: string; shape?: Record<string, z.ZodType>; options?: z.ZodType[] } } }
  )._zod.def;
  if (d.shape) return d.shape;
  const option = d.options?.find((o) => (o as z.ZodObject).shape?.kind?.safeParse(raw.kind).success);
  return (option as z.ZodObject | undefined)?.shape;
}

/** Parse an object; when it fails, leave out the broken fields that may be omitted and try once more. */
function salvageObject<T>(schema: z.ZodType<T>, raw: unknown): Salvaged<T> | undefined {
  const first = schema.safeParse(raw);
  if (first.success) return { value: first.data, unreliable: [] };
  if (!isRecord(raw)) return undefined;
  const shape = shapeOf(schema, raw);
  if (!shape) return undefined;
  const repaired = { ...raw };
  const unreliable: IssuePath[] = [];
  for (const issue of first.error.issues) {
    const keys = issue.path.length === 0 && issue.code === 'unrecognized_keys' ? issue.keys : [issue.path[0]];
    for (const key of keys) {
      if (typeof key !== 'string') return undefined;
      if (issue.path.length > 0 && !shape[key]?.safeParse(undefined).success) return undefined;
      delete repaired[key];
      unreliable.push([key]);
    }
  }
  const second = schema.safeParse(repaired);
  return second.success ? { value: second.data, unreliable } : undefined;
}

/** A step that cannot be read: what the graph needs of it, and nothing to check. */
function stubStep(raw: unknown, index: number): Step {
  const r = isRecord(raw) ? raw : {};
  const kind = (['action', 'approval', 'evidence', 'hypercare'] as const).find((k) => k === r.kind) ?? 'evidence';
  const id = typeof r.id === 'string' ? r.id : `\u0000unreadable-${index}`;
  const after = Array.isArray(r.after) ? { after: strings(r.after) } : {};
  // Every field a check may read, empty: a stub is never checked for itself (its fields are unreliable).
  return {
    id,
    title: '',
    kind,
    ...after,
    action: '',
    params: {},
    retry: {},
    items: [],
    escalation: [],
    approvers: [],
    covers: [],
    analyses: [],
    notifyOnReport: [],
    stopAuthority: [],
  } as unknown as Step;
}

/** An evidence item that cannot be read: its id for duplicates, nothing else. */
function stubItem(raw: unknown): Runbook['entryCriteria'][number] {
  const id = isRecord(raw) && typeof raw.id === 'string' ? raw.id : '';
  return { id, title: '', type: 'text', submittedBy: [], optional: false };
}

function salvageList<T>(
  raw: unknown,
  schema: z.ZodType<T>,
  base: IssuePath,
  stub: (raw: unknown, i: number) => T,
  keepInStub: string[],
): Salvaged<T[]> {
  const unreliable: IssuePath[] = [];
  const value = (Array.isArray(raw) ? raw : []).map((item, i) => {
    const got = salvageObject(schema, item);
    if (got) {
      unreliable.push(...got.unreliable.map((p) => [...base, i, ...p]));
      return got.value;
    }
    // Everything in a stub but the fields it was built from.
    const fields = isRecord(item) ? Object.keys(item) : [];
    unreliable.push(...fields.filter((f) => !keepInStub.includes(f)).map((f) => [...base, i, f]));
    if (!isRecord(item)) unreliable.push([...base, i]);
    return stub(item, i);
  });
  return { value, unreliable };
}

/** A runbook built part by part from what parses, and the paths not to trust in it. */
function partialRunbook(raw: Record<string, unknown>): Salvaged<Runbook> {
  const unreliable: IssuePath[] = [];
  const field = <K extends keyof Runbook>(key: K, fallback: () => Runbook[K]): Runbook[K] => {
    const parsed = runbookSchema.shape[key].safeParse(raw[key]);
    if (parsed.success) return parsed.data as Runbook[K];
    unreliable.push([key]);
    return fallback();
  };
  const list = <T>(
    key: 'steps' | 'entryCriteria' | 'roles',
    schema: z.ZodType<T>,
    stub: (raw: unknown, i: number) => T,
    keep: string[],
  ): T[] => {
    const got = salvageList(raw[key], schema, [key], stub, keep);
    unreliable.push(...got.unreliable);
    return got.value;
  };
  const runbook: Runbook = {
    id: 'unreadable',
    version: '0.0.0',
    title: '',
    roles: list(
      'roles',
      roleSchema,
      (r) => ({ id: isRecord(r) && typeof r.id === 'string' ? r.id : '', title: '', delegable: false }),
      ['id'],
    ),
    collaborationModes: field('collaborationModes', () => []),
    // Placeholders naming a parameter that is written but broken are not reported as undeclared;
    // without its default, the action using it is checked at start only.
    parameters: field('parameters', () =>
      Object.fromEntries(
        Object.keys(isRecord(raw.parameters) ? raw.parameters : {}).map((k) => [k, { type: 'string' as const }]),
      ),
    ),
    entryCriteria: list('entryCriteria', evidenceItemSchema, stubItem, ['id']),
    stopAuthority: field('stopAuthority', () => strings(raw.stopAuthority)),
    rollbackAuthority: field('rollbackAuthority', () => strings(raw.rollbackAuthority)),
    readAuthority: field('readAuthority', () => strings(raw.readAuthority)),
    separationOfDuties: { initiatorNeverApproves: true, submitterNeverApproves: true, onePersonOneDecision: true },
    oversight: field('oversight', () => undefined),
    steps: list('steps', stepSchema, stubStep, ['id', 'kind', 'after']),
  };
  return { value: runbook, unreliable };
}

const under = (path: IssuePath, prefix: IssuePath): boolean =>
  prefix.length <= path.length && prefix.every((p, i) => p === path[i]);

/**
 * The cross-field issues of a raw runbook whose schema parse failed, minus those about fields
 * the schema already rejected (`schemaIssues`) or that could not be read.
 */
export function salvageIssues(raw: unknown, schemaIssues: readonly Issue[]): Issue[] {
  if (!isRecord(raw)) return [];
  const { value, unreliable } = partialRunbook(raw);
  const skip = [...unreliable, ...schemaIssues.map((i) => i.path)];
  let issues: Issue[];
  try {
    issues = validateRunbook(value);
  } catch {
    // A part salvaged in a shape no check foresaw: the schema's issues already say what is wrong.
    return [];
  }
  return issues.filter((issue) => !skip.some((p) => under(issue.path, p)));
}

/** One issue per path and message, in the order first seen. */
export function uniqueIssues<T extends Issue>(issues: readonly T[]): T[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${formatPath(i.path)}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
