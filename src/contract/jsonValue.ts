/**
 * A free JSON value with bounds: nesting depth, number of values, length of strings and keys,
 * and total size. Anything a person may send as an opaque value (an evidence item's value)
 * goes through this before it becomes an Update: a value nested thousands deep makes Temporal's
 * payload converter overflow its stack, and one too large bloats every query of the run.
 *
 * Part of the shared contract (the server's zod schema, messageSchemas.ts `jsonValueSchema`, and
 * the workflow's validators check with it), so it stays cheap to load: a loop, no zod, no
 * recursion (a deep value must not overflow our stack either), nothing built per value.
 */

export const JSON_VALUE_LIMITS = {
  /** Levels of arrays/objects: a document reference is 1, nothing real needs more than a few. */
  depth: 8,
  /** Values of any kind, containers included. */
  values: 2_000,
  /** Characters of one string (evidence text is capped lower by its own schema). */
  stringChars: 20_000,
  keyChars: 200,
  /** Characters of the whole value written as JSON, roughly (strings and keys counted as is). */
  totalChars: 64 * 1024,
} as const;

export type JsonValueLimits = { readonly [K in keyof typeof JSON_VALUE_LIMITS]: number };

/** The first way `value` breaks the bounds (`path: why`), or undefined when it is plain JSON within them. */
export function jsonValueProblem(
  value: unknown,
  limits: JsonValueLimits = JSON_VALUE_LIMITS,
): { path: (string | number)[]; message: string } | undefined {
  const stack: { value: unknown; path: (string | number)[]; depth: number }[] = [{ value, path: [], depth: 0 }];
  let values = 0;
  let chars = 0;
  while (stack.length > 0) {
    const { value: v, path, depth } = stack.pop()!;
    values += 1;
    if (values > limits.values) return { path, message: `must hold at most ${limits.values} values` };
    const scalar = scalarSize(v, limits);
    if (typeof scalar === 'string') return { path, message: scalar };
    chars += scalar;
    if (chars > limits.totalChars) return { path, message: `must be at most ${limits.totalChars} characters as JSON` };
    if (v === null || typeof v !== 'object') continue;
    if (depth >= limits.depth) return { path, message: `must be nested at most ${limits.depth} levels deep` };
    const size = Array.isArray(v) ? v.length : Object.keys(v).length;
    if (values + stack.length + size > limits.values)
      return { path, message: `must hold at most ${limits.values} values` };
    const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
    for (const [key, child] of entries) {
      if (typeof key === 'string') {
        if (key.length > limits.keyChars)
          return { path, message: `field names must be at most ${limits.keyChars} characters` };
        chars += key.length + 3;
      }
      stack.push({ value: child, path: [...path, key], depth: depth + 1 });
    }
  }
  return undefined;
}

/** Characters a scalar adds (containers: their brackets), or why it is not JSON. */
function scalarSize(v: unknown, limits: JsonValueLimits): number | string {
  switch (typeof v) {
    case 'string':
      return v.length > limits.stringChars ? `must be at most ${limits.stringChars} characters` : v.length + 2;
    case 'number':
      return Number.isFinite(v) ? 24 : 'must be a finite number';
    case 'boolean':
      return 5;
    case 'object':
      if (v === null) return 4;
      if (Array.isArray(v)) return 2;
      return isPlainObject(v) ? 2 : 'must be plain JSON';
    case 'undefined':
      // An absent field (JSON has no undefined; the payload converter drops it).
      return 0;
    default:
      return 'must be plain JSON (text, number, true/false, null, list or object)';
  }
}

function isPlainObject(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
