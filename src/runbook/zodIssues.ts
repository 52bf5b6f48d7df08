import type { z } from 'zod';
import { quoteValue } from '../contract/freeText';
import { listNames, type Issue, type IssuePath } from './issues';
import { allowedKeys, schemaAt, type UnknownKey } from './zodWalk';

/**
 * Zod's issues rewritten for someone fixing a YAML file by hand: an unknown field names itself
 * (and the field probably meant), a wrong `kind` lists the kinds, a missing field says
 * "required". Used for the runbook schema, the action param schemas and the start input.
 */

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The candidate a typo most likely meant, if any is close enough to be a good guess. */
export function closestName(word: string, candidates: readonly string[]): string | undefined {
  if (typeof word !== 'string') return undefined;
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

export function unknownKeyIssue(u: UnknownKey, base: IssuePath = []): Issue {
  const guess = closestName(u.key, u.allowed);
  const hint = guess ? `; did you mean "${guess}"?` : u.allowed.length ? ` (allowed: ${u.allowed.join(', ')})` : '';
  return { path: [...base, ...u.path], message: `unknown field ${quoteValue(u.key) ?? u.key}${hint}` };
}

/** How much of a wrong value a problem quotes: a 3 MB string was once printed whole. */
const QUOTED_MAX = 80;

function received(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  const quoted = quoteValue(value) ?? String(value);
  if (quoted.length <= QUOTED_MAX) return `${typeof value} ${quoted}`;
  const length = typeof value === 'string' ? ` (${value.length} characters)` : '';
  return `${typeof value} ${quoted.slice(0, QUOTED_MAX - 1)}…${length}`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const part of path)
    v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[part] : undefined;
  return v;
}

/** "must be at least 1", "needs at least 1 item": bounds in words. */
function boundMessage(
  code: 'too_small' | 'too_big',
  origin: string,
  bound: number,
  inclusive: boolean,
): string | undefined {
  const least = code === 'too_small';
  if (origin === 'number')
    return `must be ${least ? (inclusive ? 'at least' : 'more than') : inclusive ? 'at most' : 'less than'} ${bound}`;
  const unit = origin === 'array' ? 'item' : origin === 'string' ? 'character' : undefined;
  if (!unit) return undefined;
  if (least && bound === 1) return origin === 'array' ? 'needs at least one item' : 'must not be empty';
  return `${least ? 'needs at least' : 'may have at most'} ${bound} ${unit}${bound === 1 ? '' : 's'}`;
}

/**
 * Every issue of a failed parse of `value` against `schema`, paths prefixed with `base`.
 * `schema` and `value` let unknown-key messages list the fields that are allowed.
 */
export function zodIssues(error: z.ZodError, schema: z.ZodType, value: unknown, base: IssuePath = []): Issue[] {
  const out: Issue[] = [];
  for (const issue of error.issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeys(schemaAt(schema, value, path)) ?? [];
      for (const key of issue.keys) out.push(unknownKeyIssue({ path: [...path, key], key, allowed }, base));
      continue;
    }
    const here = valueAt(value, path);
    let message = issue.message;
    // Zod 4 puts the allowed tags on a discriminated union's issue, outside its declared type.
    const tags = (issue as { options?: unknown }).options;
    if (issue.code === 'invalid_union' && Array.isArray(tags)) {
      const options = tags.map(String);
      message =
        here === undefined
          ? `is required: one of ${listNames(options)}`
          : `${received(here)} is not one of ${listNames(options)}`;
    } else if (issue.code === 'invalid_type' && here === undefined) {
      message = `is required (${issue.expected})`;
    } else if (issue.code === 'invalid_type') {
      message = `must be ${issue.expected === 'array' ? 'a list' : issue.expected === 'object' ? 'an object' : `a ${issue.expected}`}, not ${received(here)}`;
    } else if ((issue.code === 'too_small' || issue.code === 'too_big') && typeof issue.origin === 'string') {
      message =
        boundMessage(
          issue.code,
          issue.origin,
          Number(issue.code === 'too_small' ? issue.minimum : issue.maximum),
          issue.inclusive !== false,
        ) ?? message;
    } else if (issue.code === 'invalid_value' && Array.isArray(issue.values)) {
      const options = listNames(issue.values.map(String));
      message = here === undefined ? `is required: one of ${options}` : `${received(here)} is not one of ${options}`;
    }
    out.push({ path: [...base, ...path], message });
  }
  return out;
}
