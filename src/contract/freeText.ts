/**
 * Free text people write (comments, reasons, reports, answers, evidence text, names) is shown on
 * pages, in the CLI, in exports and in PDFs: a NUL or an escape sequence there is invisible at
 * best and rewrites a terminal at worst. C0 and C1 control characters (and DEL) are refused; tab,
 * line feed and carriage return are text. A lone UTF-16 surrogate is no character at all: UTF-8
 * (exports, PostgreSQL, the PDF) cannot hold it and writes U+FFFD in its place, so what was
 * signed and hashed is not what is shown. One rule for the server's zod schemas and the
 * workflow's checks (workflows/checks.ts), in this order.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const NO_CONTROL_CHARACTERS = /^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$/;
export const CONTROL_CHARACTERS_MESSAGE =
  'must not contain control characters (such as NUL or ESC; tab and line breaks are fine)';
/** Every surrogate in a pair (no `u` flag: the OpenAPI document's JSON Schema carries it as it is). */
export const NO_LONE_SURROGATES = /^(?:[^\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF])*$/;
export const LONE_SURROGATE_MESSAGE = 'must be valid Unicode (a lone UTF-16 surrogate is not a character)';

/** The first thing wrong with `text` as free text, in the schemas' words; undefined when it is fine. */
export function plainTextProblem(text: string): string | undefined {
  if (!NO_CONTROL_CHARACTERS.test(text)) return CONTROL_CHARACTERS_MESSAGE;
  if (!NO_LONE_SURROGATES.test(text)) return LONE_SURROGATE_MESSAGE;
  return undefined;
}

/** Names (a person's, a document's, a label) are one line: a tab or line break is no part of them. */
export const ONE_LINE = /^[^\t\n\r]*$/;
export const ONE_LINE_MESSAGE = 'must be one line (no tab or line break)';

/**
 * A control character in a name, in words true of a name: CONTROL_CHARACTERS_MESSAGE says "tab
 * and line breaks are fine", which a name (one line) refuses too. The server's own name schemas
 * (the users file, people's names in a start input, passkey and token labels) say this; the
 * workflow's checks and the message schemas they mirror (workflows/messageChecks.ts: the actor's
 * name, a document's name) keep the free-text words, which history records for refused Signals.
 */
export const NAME_CONTROL_CHARACTERS_MESSAGE =
  'must not contain control characters (such as NUL or ESC; a name is one line, without tab or line break)';

/** The first thing wrong with `text` as a name: free text's rules, then one line. */
export function nameProblem(text: string): string | undefined {
  return plainTextProblem(text) ?? (ONE_LINE.test(text) ? undefined : ONE_LINE_MESSAGE);
}

/** Whether a refusal's message is about free text or a name (the rules above). */
export const isPlainTextProblem = (message: string): boolean =>
  [CONTROL_CHARACTERS_MESSAGE, LONE_SURROGATE_MESSAGE, ONE_LINE_MESSAGE].some((m) => message.endsWith(m));

/**
 * A value quoted in a problem, as JSON: JSON escapes C0 characters but writes DEL and the C1
 * characters (U+0085 NEL, U+009B CSI) as they are, which the CLI would print to a terminal,
 * invisible at best ("http://h/a\u0085b" read "http://h/ab", a URL that looks right).
 */
export const quoteValue = (value: unknown): string | undefined =>
  JSON.stringify(value)?.replace(/[\x7F-\x9F]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
