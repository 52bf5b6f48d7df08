import fc from 'fast-check';

/**
 * fast-check arbitraries from the JSON Schemas of the OpenAPI document (which the server
 * generates from its zod schemas): values the schema accepts, and values just outside it.
 * Sizes stay small (a fuzz run sends thousands of these); `mutated` adds the near misses.
 */

export interface JsonSchema {
  type?: string;
  const?: unknown;
  enum?: unknown[];
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  default?: unknown;
}

const SMALL = 40;

function stringOf(s: JsonSchema): fc.Arbitrary<string> {
  const min = s.minLength ?? 0;
  const max = Math.min(s.maxLength ?? SMALL, Math.max(min, SMALL));
  if (s.pattern)
    return fc
      .stringMatching(new RegExp(s.pattern))
      .filter((v) => v.length >= min && v.length <= (s.maxLength ?? Infinity));
  return fc.string({ minLength: min, maxLength: max, unit: 'grapheme' });
}

function objectOf(s: JsonSchema): fc.Arbitrary<Record<string, unknown>> {
  const props = Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, valid(v)]));
  const fixed = fc.record(props, { requiredKeys: (s.required ?? []).filter((k) => k in props) });
  if (typeof s.additionalProperties !== 'object') return fixed;
  const extra = fc.dictionary(
    s.propertyNames ? stringOf(s.propertyNames) : fc.string({ maxLength: 12 }),
    valid(s.additionalProperties),
    { maxKeys: 3 },
  );
  return fc.tuple(fixed, extra).map(([a, b]) => ({ ...b, ...a }));
}

/** Values the schema accepts. */
export function valid(s: JsonSchema): fc.Arbitrary<unknown> {
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const options = s.oneOf ?? s.anyOf;
  if (options) return fc.oneof(...options.map(valid));
  switch (s.type) {
    case 'string':
      return stringOf(s);
    case 'integer':
      return fc.integer({ min: s.minimum ?? -1_000_000, max: s.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({ min: s.minimum ?? -1e9, max: s.maximum ?? 1e9, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(s.items ? valid(s.items) : fc.jsonValue({ maxDepth: 2 }), {
        minLength: s.minItems ?? 0,
        maxLength: Math.max(s.minItems ?? 0, Math.min(s.maxItems ?? 4, 4)),
      });
    case 'object':
      return objectOf(s);
    default:
      // `{}`: anything (the evidence value): plain JSON, sometimes far too deep.
      return fc.oneof(
        { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
        { weight: 1, arbitrary: deeplyNested() },
      );
  }
}

/** A list nested `depth` deep, kept as a marker: JSON.stringify itself overflows on 6,000 levels. */
export class Deep {
  constructor(readonly depth: number) {}
}

export function deeplyNested(): fc.Arbitrary<unknown> {
  return fc.integer({ min: 9, max: 6_000 }).map((depth) => new Deep(depth));
}

/** JSON text of a generated value, `Deep` markers written out as brackets. */
export function toJson(v: unknown): string {
  if (v instanceof Deep) return '['.repeat(v.depth) + ']'.repeat(v.depth);
  if (Array.isArray(v)) return `[${v.map(toJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const fields = Object.entries(v).filter(([, x]) => x !== undefined);
    return `{${fields.map(([k, x]) => `${JSON.stringify(k)}:${toJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

const wrongValue = fc.oneof(
  fc.constant(null),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.string({ maxLength: 8 }),
  fc.constant('x'.repeat(9_000)),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.object({ maxDepth: 1 }),
  deeplyNested(),
);

/** A valid object with one thing wrong: a field missing, a stray field, or a value of the wrong kind. */
export function mutated(s: JsonSchema): fc.Arbitrary<unknown> {
  const keys = Object.keys(s.properties ?? {});
  return fc
    .tuple(valid(s), fc.nat(), fc.constantFrom('drop', 'stray', 'wrong', 'whole'), wrongValue)
    .map(([value, pick, how, wrong]) => {
      if (how === 'whole' || value === null || typeof value !== 'object' || Array.isArray(value) || keys.length === 0)
        return wrong;
      const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
      const key = keys[pick % keys.length]!;
      if (how === 'drop') delete copy[key];
      else if (how === 'stray') copy[`x${pick % 100}`] = wrong;
      else copy[key] = wrong;
      return copy;
    });
}
