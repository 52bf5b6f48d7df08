import type { core } from 'zod';
import { quoteValue } from './freeText';

/**
 * Plain words for zod's defaults, for every request the server parses and every command line
 * the CLI parses (pass it as the parse's `error`): a missing or empty field is "required", a
 * wrong choice lists the allowed ones. Messages a schema sets itself ("a rejection needs a
 * comment") still win: zod prefers a schema's own message to the parse's error map.
 */

const list = (values: readonly unknown[]) => values.map((v) => String(v)).join(', ');

/** zod's type names as a person says them. */
const TYPE_NAMES: Record<string, string> = {
  array: 'a list',
  object: 'an object',
  int: 'a whole number',
  number: 'a number',
  string: 'text',
  boolean: 'true or false',
  record: 'an object',
};

/**
 * A field name as a message shows it: plain when it is a word, else quoted with DEL and the C1
 * controls escaped (quoteValue), so a key that carries a control character cannot reach a
 * terminal or a page raw.
 */
export const fieldName = (key: string): string => (/^[\w.$@+-]+$/.test(key) ? key : (quoteValue(key) ?? key));

function sizeWords(iss: core.$ZodRawIssue): string | undefined {
  if (iss.code === 'too_small') {
    if (iss.origin === 'string' && Number(iss.minimum) === 1) return 'required';
    if (iss.origin === 'array' && Number(iss.minimum) === 1) return 'needs at least one value';
    if (iss.origin === 'string') return `must be at least ${String(iss.minimum)} characters`;
    return `must be at least ${String(iss.minimum)}`;
  }
  if (iss.code === 'too_big') {
    if (iss.origin === 'string') return `must be at most ${String(iss.maximum)} characters`;
    if (iss.origin === 'array') return `must have at most ${String(iss.maximum)} values`;
    return `must be at most ${String(iss.maximum)}`;
  }
  return undefined;
}

/**
 * A union of plain types (a run parameter: text, a number or true/false) that none matched: the
 * types it takes, where zod says only "Invalid input". Undefined when a branch failed on more
 * than its type (a value of the right type that broke a rule says that rule instead).
 */
function unionOfTypes(branches: readonly (readonly core.$ZodIssue[])[]): string | undefined {
  const names = branches.map((issues) => {
    const only = issues.length === 1 ? issues[0] : undefined;
    if (only?.code !== 'invalid_type' || only.path.length > 0) return undefined;
    return only.expected === 'boolean' ? 'true/false' : TYPE_NAMES[only.expected];
  });
  if (names.length < 2 || names.some((n) => n === undefined)) return undefined;
  return `must be ${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

function unionWords(iss: core.$ZodRawIssue<core.$ZodIssueInvalidUnion>): string | undefined {
  const { options, discriminator } = iss as { options?: unknown[]; discriminator?: string };
  if (iss.note === 'No matching discriminator' && options) {
    const given =
      discriminator && iss.input && typeof iss.input === 'object'
        ? (iss.input as Record<string, unknown>)[discriminator]
        : iss.input;
    return given === undefined ? `required (one of: ${list(options)})` : `must be one of: ${list(options)}`;
  }
  // A value-or-list union (?kind=a&kind=b): say what a value may be.
  const choice = iss.errors.flat().find((e) => e.code === 'invalid_value');
  if (choice) return choice.message;
  if (iss.input === undefined) return 'required';
  return unionOfTypes(iss.errors);
}

export const humanErrors: core.$ZodErrorMap = (iss) => {
  switch (iss.code) {
    case 'invalid_type':
      if (iss.input === undefined) return 'required';
      return `must be ${TYPE_NAMES[iss.expected] ?? `a ${iss.expected}`}`;
    case 'too_small':
    case 'too_big':
      return sizeWords(iss);
    case 'invalid_value':
      return iss.values.length === 1 ? `must be ${String(iss.values[0])}` : `must be one of: ${list(iss.values)}`;
    case 'unrecognized_keys':
      return `unknown field${iss.keys.length > 1 ? 's' : ''}: ${iss.keys.map(fieldName).join(', ')}`;
    case 'invalid_key': {
      // A record's key broke the key schema: name the key and say what is wrong with it.
      const inner = iss.issues[0]?.message;
      return inner === undefined ? undefined : `key ${quoteValue(iss.input) ?? String(iss.input)}: ${inner}`;
    }
    case 'invalid_union':
      return unionWords(iss);
    default:
      return undefined;
  }
};
