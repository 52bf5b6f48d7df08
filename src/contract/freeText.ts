/**
 * Free text people write (comments, reasons, reports, answers, evidence text) is shown on pages,
 * in the CLI, in exports and in PDFs: a NUL or an escape sequence there is invisible at best and
 * rewrites a terminal at worst. C0 control characters (and DEL) are refused; tab, line feed and
 * carriage return are text. One rule for the server's zod schemas and the workflow's checks.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const NO_CONTROL_CHARACTERS = /^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$/;
export const CONTROL_CHARACTERS_MESSAGE =
  'must not contain control characters (such as NUL or ESC; tab and line breaks are fine)';
