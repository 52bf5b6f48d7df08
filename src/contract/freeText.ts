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

/** Whether a refusal's message is about free text (either rule above). */
export const isPlainTextProblem = (message: string): boolean =>
  message.endsWith(CONTROL_CHARACTERS_MESSAGE) || message.endsWith(LONE_SURROGATE_MESSAGE);
