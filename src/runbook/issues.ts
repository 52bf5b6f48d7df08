/**
 * One shape for every problem found in a runbook or a start input, so the loader, the start
 * check, the server and the CLI report them the same way. Pure: the plan module (which the
 * workflow bundle may import) uses these types too.
 */
import { quoteValue } from '../contract/freeText';

export type IssuePath = (string | number)[];

export interface Issue {
  path: IssuePath;
  message: string;
}

/**
 * `steps[3].approvers[0].role`: how people find a field in YAML they wrote. A key that is not a
 * word is quoted as values are (quoteValue), DEL and C1 controls escaped, never shown raw.
 */
export function formatPath(path: readonly (string | number | symbol)[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (typeof part === 'string' && /^[A-Za-z_$][\w$-]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${quoteValue(String(part))}]`;
  }
  return out || '(root)';
}

/** `a`, `a and b`, `a, b and c`: for messages that list names. */
export function listNames(names: readonly string[], quote = true): string {
  const q = names.map((n) => (quote ? `"${n}"` : n));
  if (q.length <= 1) return q.join('');
  return `${q.slice(0, -1).join(', ')} and ${q[q.length - 1]}`;
}

/** Thrown when a start input is wrong: every problem, each with its path (`params.targetUrl`). */
export class StartInputError extends Error {
  override name = 'StartInputError';
  constructor(readonly issues: Issue[]) {
    super(`invalid start input:\n${issues.map((i) => `  ${formatPath(i.path)}: ${i.message}`).join('\n')}`);
  }
}
