import { parseArgs } from 'node:util';
import { z } from 'zod';
import { humanErrors } from '../contract/zodWords';
import type { ExitCode } from './errors';
import { UsageError } from './errors';
import type { CommandContext } from './context';

/**
 * Commands as data: each declares its arguments and flags, one zod object validates them all,
 * and help text and usage lines are generated from the same declaration, so what `--help` says
 * is what the parser accepts. `node:util` parseArgs splits the command line (and refuses unknown
 * flags); zod turns strings into values and names the flag when one is wrong.
 */

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** Repeatable: `--assign a=b --assign c=d` gives an array. */
  multiple?: boolean;
  short?: string;
  /** The value's placeholder in help: `--assign ROLE=PERSON`. */
  value?: string;
  description: string;
}

export interface PositionalSpec {
  /** Upper case in help (`RUN`); the input key is its camel-cased lower form (`run`). */
  name: string;
  description: string;
}

export type CommandGroup = 'runbooks' | 'runs' | 'decisions' | 'red-button' | 'audit' | 'session' | 'keys';

export interface CommandSpec<S extends z.ZodObject = z.ZodObject> {
  /** One or two words: `status`, `runbook validate`. */
  name: string;
  group: CommandGroup;
  summary: string;
  /** More paragraphs for `--help`. */
  description?: string;
  positionals?: readonly PositionalSpec[];
  /** Keyed by the long flag name (`waiting-for-me`); the input key is camel case. */
  options?: Readonly<Record<string, OptionSpec>>;
  /** Validates `{...positionals, ...options}`: a missing required key is a usage error naming it. */
  schema: S;
  examples?: readonly string[];
  // Method syntax on purpose: a registry holds commands of different input types.
  run(input: z.output<S>, ctx: CommandContext): Promise<ExitCode | void>;
}

/** Keeps each command's input type while letting the registry hold them side by side. */
export function defineCommand<S extends z.ZodObject>(spec: CommandSpec<S>): CommandSpec<S> {
  return spec;
}

export const camelCase = (name: string): string =>
  name.toLowerCase().replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** What people type for an input key: `--waiting-for-me` or `RUN`. */
function labelFor(spec: CommandSpec, key: string): string {
  const option = Object.keys(spec.options ?? {}).find((name) => camelCase(name) === key);
  if (option) return `--${option}`;
  return spec.positionals?.find((p) => camelCase(p.name) === key)?.name ?? key;
}

/** parseArgs' messages are good but mention its own internals; keep what people need. */
function fromParseArgs(err: unknown, command: string): UsageError {
  const message = err instanceof Error ? err.message : String(err);
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return new UsageError(`unknown flag ${unknown[1]}`, command);
  const missing = /Option '(-\w, )?(--[\w-]+)[^']*' argument missing/.exec(message);
  if (missing) return new UsageError(`${missing[2]} needs a value`, command);
  const ambiguous = /Option '(-\w, )?(--[\w-]+)[^']*' argument is ambiguous/.exec(message);
  const valueless = /Option '(-\w, )?(--[\w-]+)[^']*' does not take an argument/.exec(message);
  if (valueless) return new UsageError(`${valueless[2]} takes no value`, command);
  if (ambiguous)
    return new UsageError(`${ambiguous[2]}: the value starts with "-"; write ${ambiguous[2]}=VALUE`, command);
  return new UsageError(message.split('\n')[0]!, command);
}

export type Parsed<S extends z.ZodObject> = { help: true } | { help: false; input: z.output<S> };

/** Splits and validates one command's arguments; throws UsageError naming the flag. */
export function parseCommandLine<S extends z.ZodObject>(spec: CommandSpec<S>, argv: readonly string[]): Parsed<S> {
  const options = Object.fromEntries(
    Object.entries(spec.options ?? {}).map(([name, o]) => [
      name,
      { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) },
    ]),
  );
  let split;
  try {
    split = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw fromParseArgs(err, spec.name);
  }
  if (split.values.help) return { help: true };

  const positionals = spec.positionals ?? [];
  const extra = split.positionals[positionals.length];
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`, spec.name);
  const raw: Record<string, unknown> = {};
  positionals.forEach((p, i) => (raw[camelCase(p.name)] = split.positionals[i]));
  for (const [name, value] of Object.entries(split.values)) if (name !== 'help') raw[camelCase(name)] = value;

  const result = spec.schema.safeParse(raw, { error: humanErrors });
  if (result.success) return { help: false, input: result.data };
  const messages = usageProblems(spec, raw, result.error);
  throw new UsageError(messages[0] ?? 'invalid arguments', spec.name, messages.slice(1));
}

/**
 * Every command's usage problems, in one voice: the input's label (`--mode`, `RUN`), then what
 * it must be, in the server's plain words (zodWords.ts) or the schema's own. One problem per
 * input, the first: an empty `--system` is "must not be empty", not that and its pattern too.
 */
export function usageProblems(spec: CommandSpec, raw: Record<string, unknown>, error: z.ZodError): string[] {
  const seen = new Set<string>();
  const messages: string[] = [];
  for (const issue of error.issues) {
    if (issue.path.length === 0) {
      messages.push(issue.message);
      continue;
    }
    const key = String(issue.path[0]);
    if (seen.has(key)) continue;
    seen.add(key);
    const label = labelFor(spec, key);
    if (issue.message !== 'required') messages.push(`${label}: ${issue.message}`);
    else messages.push(raw[key] === undefined ? `${label} is required` : `${label} must not be empty`);
  }
  return messages;
}

// ---------------------------------------------------------------------------------------------
// Value schemas shared by commands

/** `KEY=VALUE` pairs from a repeatable flag, in order. */
export const keyValuePairs = z
  .array(z.string())
  .default([])
  .transform((items, ctx) => {
    const pairs: [string, string][] = [];
    for (const item of items) {
      const at = item.indexOf('=');
      if (at <= 0) ctx.addIssue({ code: 'custom', message: `"${item}" must be KEY=VALUE` });
      else pairs.push([item.slice(0, at), item.slice(at + 1)]);
    }
    return pairs;
  });

/** A whole number typed as text, then checked by `inner` (the API's own field schema). */
export function wholeNumber<T extends z.ZodType<unknown, number>>(inner: T) {
  return z.string().regex(/^\d+$/, 'must be a whole number').transform(Number).pipe(inner);
}

export const jsonFlag = z.boolean().default(false);

// ---------------------------------------------------------------------------------------------
// Help

/** Optional inputs are the ones the schema accepts as absent. */
function isRequired(spec: CommandSpec, key: string): boolean {
  const field = spec.schema.shape[key] as z.ZodType | undefined;
  return field !== undefined && !field.safeParse(undefined).success;
}

function flagUsage(name: string, o: OptionSpec): string {
  return o.type === 'boolean' ? `--${name}` : `--${name} ${o.value ?? 'VALUE'}`;
}

/** `start RUN`: the name and its arguments, for the overview. */
export const shortUsage = (spec: CommandSpec): string =>
  [spec.name, ...(spec.positionals ?? []).map((p) => p.name)].join(' ');

/** `golive start --runbook ID|FILE --system NAME --mode N [options]`. */
export function usageLine(spec: CommandSpec): string {
  const required = Object.entries(spec.options ?? {})
    .filter(([name]) => isRequired(spec, camelCase(name)))
    .map(([name, o]) => flagUsage(name, o) + (o.multiple ? ' ...' : ''));
  const hasOptional = Object.keys(spec.options ?? {}).some((name) => !isRequired(spec, camelCase(name)));
  return [
    'golive',
    spec.name,
    ...(spec.positionals ?? []).map((p) => p.name),
    ...required,
    ...(hasOptional ? ['[options]'] : []),
  ].join(' ');
}

/** Two aligned columns; `width` aligns several blocks alike. */
export function twoColumns(
  rows: readonly (readonly [string, string])[],
  indent = 2,
  width = Math.max(0, ...rows.map(([left]) => left.length)),
): string[] {
  return rows.map(([left, right]) => `${' '.repeat(indent)}${left.padEnd(width)}  ${right}`);
}

export function commandHelp(spec: CommandSpec): string {
  const lines = [`Usage: ${usageLine(spec)}`, '', spec.summary];
  if (spec.description) lines.push('', spec.description);
  if (spec.positionals?.length)
    lines.push('', 'Arguments:', ...twoColumns(spec.positionals.map((p) => [p.name, p.description])));
  const options = Object.entries(spec.options ?? {}).map(([name, o]): [string, string] => [
    `${o.short ? `-${o.short}, ` : ''}${flagUsage(name, o)}`,
    `${o.description}${isRequired(spec, camelCase(name)) ? ' (required)' : ''}${o.multiple ? ' (repeatable)' : ''}`,
  ]);
  lines.push('', 'Options:', ...twoColumns([...options, ['-h, --help', 'show this help']]));
  if (spec.examples?.length) lines.push('', 'Examples:', ...spec.examples.map((e) => `  ${e}`));
  return lines.join('\n');
}
