import { CONTROL_CHARACTERS_MESSAGE, nameProblem, plainTextProblem } from '../src/contract/freeText';

/**
 * A few plain checks, enough to state the message payloads' rules inside the workflow without
 * zod (see messageChecks.ts for why). Each check returns the value as zod would parse it
 * (strings trimmed where the schema trims, defaults filled) or the first problem with its path
 * and zod's own wording, so a refusal reads the same whichever side found it.
 */

export type Path = (string | number)[];
export type Checked<T> = { ok: true; value: T } | { ok: false; path: Path; message: string };
export type Check<T> = (value: unknown, path: Path) => Checked<T>;

export const fail = (path: Path, message: string): { ok: false; path: Path; message: string } => ({
  ok: false,
  path,
  message,
});
const pass = <T>(value: T): Checked<T> => ({ ok: true, value });

/** zod's name for what it received (util.parsedType, with its display of NaN and infinities). */
function received(value: unknown): string {
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : Number.isFinite(value) ? 'number' : String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') {
    const proto: unknown = Object.getPrototypeOf(value);
    const ctor = (value as { constructor?: { name?: string } }).constructor;
    if (proto !== Object.prototype && ctor?.name) return ctor.name;
  }
  return typeof value;
}

export const wrongType = (expected: string, value: unknown, path: Path) =>
  fail(path, `Invalid input: expected ${expected}, received ${received(value)}`);

export interface StringRules {
  trim?: boolean;
  min?: number;
  /** zod's message unless the schema gives its own. */
  minMessage?: string;
  max?: number;
  pattern?: RegExp;
  patternMessage?: string;
  /**
   * Free text (src/contract/freeText.ts), the schema's last rules: `true` for the fields refused
   * control characters since golive-plain-text, `'since-full'` for those (names) that took any
   * text until golive-plain-text-full.
   */
  plain?: true | 'since-full';
  /** A name: one line as well, under the full rule (freeText.ts nameProblem). */
  oneLine?: true;
}

/**
 * Which free-text rule `plain` strings obey: `full` (freeText.ts) in validators and new Signals;
 * what a recorded message met in its day when a handler replays it (see withPlainTextRule):
 * `c0`, the first rule (C0 control characters and DEL in the `true` fields), or `none`.
 */
export type PlainTextRule = 'full' | 'c0' | 'none';
let plainTextRule: PlainTextRule = 'full';

/** The first rule's characters: what golive-plain-text refused, before C1 and lone surrogates. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NO_C0_CHARACTERS = /^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$/;

/**
 * Runs `fn` with `plain` strings checked by an older rule, as checks did before the full one: a
 * handler replaying a message that an older check let into history must record it as it did then
 * (handlers.ts). Synchronous, so no other message is checked meanwhile.
 */
export function withPlainTextRule<T>(rule: PlainTextRule, fn: () => T): T {
  const before = plainTextRule;
  plainTextRule = rule;
  try {
    return fn();
  } finally {
    plainTextRule = before;
  }
}

/** Updates: the validator of their day checked the text; handlers take it as recorded. */
export const withoutPlainTextRule = <T>(fn: () => T): T => withPlainTextRule('none', fn);

function plainProblem(s: string, plain: true | 'since-full', oneLine: boolean): string | undefined {
  if (plainTextRule === 'full') return oneLine ? nameProblem(s) : plainTextProblem(s);
  if (plainTextRule === 'c0' && plain === true && !NO_C0_CHARACTERS.test(s)) return CONTROL_CHARACTERS_MESSAGE;
  return undefined;
}

/**
 * `z.string()` with `.trim()`, `.min()`, `.max()` and `.regex()`. zod runs every check and names
 * the first that failed; min and max cannot both fail, and every schema here declares its
 * pattern last, so this order gives zod's first problem.
 */
export function str(rules: StringRules = {}): Check<string> {
  return (value, path) => {
    if (typeof value !== 'string') return wrongType('string', value, path);
    const s = rules.trim ? value.trim() : value;
    if (rules.max !== undefined && s.length > rules.max)
      return fail(path, `Too big: expected string to have <=${rules.max} characters`);
    if (rules.min !== undefined && s.length < rules.min)
      return fail(path, rules.minMessage ?? `Too small: expected string to have >=${rules.min} characters`);
    if (rules.pattern && !rules.pattern.test(s))
      return fail(path, rules.patternMessage ?? `Invalid string: must match pattern ${String(rules.pattern)}`);
    const problem = rules.plain && plainProblem(s, rules.plain, rules.oneLine === true);
    return problem ? fail(path, problem) : pass(s);
  };
}

export const bool =
  (fallback?: boolean): Check<boolean> =>
  (value, path) =>
    value === undefined && fallback !== undefined
      ? pass(fallback)
      : typeof value === 'boolean'
        ? pass(value)
        : wrongType('boolean', value, path);

export function oneOf<const T extends string>(options: readonly T[]): Check<T> {
  return (value, path) =>
    (options as readonly unknown[]).includes(value)
      ? pass(value as T)
      : // zod words a single choice as an expected value, several as options.
        fail(
          path,
          options.length === 1
            ? `Invalid input: expected "${options[0]}"`
            : `Invalid option: expected one of ${options.map((o) => `"${o}"`).join('|')}`,
        );
}

export function arrayOf<T>(item: Check<T>, max: number): Check<T[]> {
  return (value, path) => {
    if (!Array.isArray(value)) return wrongType('array', value, path);
    // zod names a list that is too long before what is wrong inside it.
    if (value.length > max) return fail(path, `Too big: expected array to have <=${max} items`);
    const out: T[] = [];
    for (let i = 0; i < value.length; i++) {
      const r = item(value[i], [...path, i]);
      if (!r.ok) return r;
      out.push(r.value);
    }
    return pass(out);
  };
}

/** `z.unknown()` as a field: any value, but the key must be there (zod calls it "nonoptional"). */
export const present: Check<unknown> = (value, path) =>
  value === undefined ? fail(path, 'Invalid input: expected nonoptional, received undefined') : pass(value);

/** Marks a field that may be absent (or undefined); absent stays absent in the output. */
export function optional<T>(check: Check<T>): Check<T | undefined> & { optional: true } {
  return Object.assign((value: unknown, path: Path) => (value === undefined ? pass(undefined) : check(value, path)), {
    optional: true as const,
  });
}

type Shape = Record<string, Check<unknown>>;
type Out<S extends Shape> = { [K in keyof S]: S[K] extends Check<infer T> ? T : never };

/** `z.strictObject(shape)`: fields in declaration order, then keys the shape does not know. */
export function strictObject<S extends Shape>(shape: S): Check<Out<S>> {
  const keys = Object.keys(shape);
  return (value, path) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return wrongType('object', value, path);
    const input = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      const r = shape[key]!(input[key], [...path, key]);
      if (!r.ok) return r;
      // zod leaves an optional field that came as undefined out of its output.
      if (r.value !== undefined) out[key] = r.value;
    }
    const unknown = Object.keys(input).filter((k) => !Object.hasOwn(shape, k));
    if (unknown.length > 0)
      return fail(path, `Unrecognized key${unknown.length > 1 ? 's' : ''}: ${unknown.map((k) => `"${k}"`).join(', ')}`);
    return pass(out as Out<S>);
  };
}

/** `z.number().int()`: a finite whole number within JavaScript's safe range. */
export const int: Check<number> = (value, path) => {
  if (typeof value !== 'number' || !Number.isFinite(value)) return wrongType('number', value, path);
  if (!Number.isInteger(value)) return fail(path, 'Invalid input: expected int, received number');
  if (value > Number.MAX_SAFE_INTEGER) return fail(path, `Too big: expected int to be <=${Number.MAX_SAFE_INTEGER}`);
  if (value < Number.MIN_SAFE_INTEGER) return fail(path, `Too small: expected int to be >=${Number.MIN_SAFE_INTEGER}`);
  return pass(value);
};

/** `z.number().int().min(min).max(max)`: zod names the whole-number rule first, then the bounds. */
export function intIn(min: number, max: number): Check<number> {
  return (value, path) => {
    const whole = int(value, path);
    if (!whole.ok) return whole;
    if (whole.value < min) return fail(path, `Too small: expected number to be >=${min}`);
    if (whole.value > max) return fail(path, `Too big: expected number to be <=${max}`);
    return whole;
  };
}

/** `.default(value)` on a field: absent (or undefined) gives the default, anything else is checked. */
export function withDefault<T>(check: Check<T>, fallback: () => T): Check<T> {
  return (value, path) => (value === undefined ? pass(fallback()) : check(value, path));
}
