import type { z } from 'zod';
import type { IssuePath } from './issues';

/**
 * A small walk over zod schemas: which fields an object at a path allows, and which fields of
 * a value no schema asks for. Zod only reports unknown keys for strict objects, and the action
 * schemas are plain objects (they strip unknown keys silently), so a typo such as
 * `expectedStatus` in an action's params would vanish without this.
 * Pure; reads zod's public `_zod.def` introspection data.
 */
interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
  valueType?: z.ZodType;
  catchall?: z.ZodType;
  discriminator?: string;
  values?: unknown[];
  getter?: () => z.ZodType;
}

const def = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

/** The schema under optional/default/pipe wrappers. */
function unwrap(schema: z.ZodType): z.ZodType {
  for (;;) {
    const d = def(schema);
    if (WRAPPERS.has(d.type) && d.innerType) schema = d.innerType;
    else if (d.type === 'pipe' && d.in) schema = d.in;
    else if (d.type === 'lazy' && d.getter) schema = d.getter();
    else return schema;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** For a union, the option meant for this value: by discriminator, else every object option. */
function unionOptions(d: Def, value: unknown): z.ZodType[] {
  const options = (d.options ?? []).map(unwrap);
  if (d.discriminator && isRecord(value)) {
    const tag = value[d.discriminator];
    const picked = options.filter((o) => {
      const field = def(o).shape?.[d.discriminator!];
      return field !== undefined && (def(unwrap(field)).values ?? []).includes(tag);
    });
    if (picked.length > 0) return picked;
  }
  return options;
}

/** The schema that describes `path` inside `value`, when it can be told. */
export function schemaAt(schema: z.ZodType, value: unknown, path: IssuePath): z.ZodType | undefined {
  // A union stands for the one option this value is meant as, when that can be told.
  const pick = (s: z.ZodType | undefined, v: unknown): z.ZodType | undefined => {
    if (!s || def(s).type !== 'union') return s;
    const options = unionOptions(def(s), v);
    return options.length === 1 ? options[0] : undefined;
  };
  let current: z.ZodType | undefined = unwrap(schema);
  let v = value;
  for (const part of path) {
    current = pick(current, v);
    if (!current) return undefined;
    const dd = def(current);
    if (dd.type === 'object') current = dd.shape?.[String(part)];
    else if (dd.type === 'array') current = dd.element;
    else if (dd.type === 'record') current = dd.valueType;
    else return undefined;
    if (current) current = unwrap(current);
    v = isRecord(v) || Array.isArray(v) ? (v as Record<string | number, unknown>)[part] : undefined;
  }
  return pick(current, v);
}

/** The fields an object schema allows; undefined when it is not an object or takes any key. */
export function allowedKeys(schema: z.ZodType | undefined): string[] | undefined {
  if (!schema) return undefined;
  const d = def(unwrap(schema));
  if (d.type !== 'object' || !d.shape) return undefined;
  if (d.catchall && def(d.catchall).type !== 'never') return undefined;
  return Object.keys(d.shape);
}

export interface UnknownKey {
  path: IssuePath;
  key: string;
  allowed: string[];
}

/** Keys in `value` that its schema does not know, wherever they are nested. */
export function unknownKeys(schema: z.ZodType, value: unknown, path: IssuePath = []): UnknownKey[] {
  const s = unwrap(schema);
  const d = def(s);
  if (d.type === 'array' && d.element && Array.isArray(value)) {
    return value.flatMap((item, i) => unknownKeys(d.element!, item, [...path, i]));
  }
  if (d.type === 'record' && d.valueType && isRecord(value)) {
    return Object.entries(value).flatMap(([k, v]) => unknownKeys(d.valueType!, v, [...path, k]));
  }
  if (d.type === 'union' && isRecord(value)) {
    // The option that fits best (fewest unknown keys) is the one the author meant.
    const candidates = unionOptions(d, value)
      .filter((o) => def(o).type === 'object')
      .map((o) => unknownKeys(o, value, path));
    candidates.sort((a, b) => a.length - b.length);
    return candidates[0] ?? [];
  }
  if (d.type !== 'object' || !d.shape || !isRecord(value)) return [];
  const allowed = allowedKeys(s);
  const found: UnknownKey[] = [];
  for (const [key, v] of Object.entries(value)) {
    const field = d.shape[key];
    if (field) found.push(...unknownKeys(field, v, [...path, key]));
    else if (allowed) found.push({ path: [...path, key], key, allowed });
  }
  return found;
}

/** Whether a schema takes a list (an array, or a union with an array among its options). */
export function takesList(schema: z.ZodType): boolean {
  const d = def(unwrap(schema));
  if (d.type === 'array') return true;
  return d.type === 'union' && (d.options ?? []).some(takesList);
}
