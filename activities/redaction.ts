import { ApplicationFailure } from '@temporalio/common';
import type { ActivityDeps } from './deps';

/**
 * The last line of defence for secrets: every activity's result and error passes through here
 * before Temporal records it (history, then the run's state, trail and dossier). Known secret
 * values — the Slack webhook URL and its token path, the SMTP password, every GOLIVE_SECRET_* —
 * and passwords in URLs are replaced, wherever a library happened to quote them.
 */

const REDACTED = '[redacted]';
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:)[^@\s/]+@/gi;
/** Shorter values would redact ordinary words: such "secrets" are not secrets anyway. */
const MIN_SECRET_LENGTH = 6;

/** Every secret value the worker knows, longest first (so a URL goes before its own path). */
export function knownSecrets(deps: Pick<ActivityDeps, 'notifyConfig' | 'secretValues'>): string[] {
  const values = new Set<string>(deps.secretValues?.() ?? []);
  const slack = deps.notifyConfig.slackWebhookUrl;
  if (slack) {
    values.add(slack);
    try {
      const { pathname, search } = new URL(slack);
      values.add(pathname + search);
    } catch {
      // not a URL: the whole value is redacted all the same
    }
  }
  if (deps.notifyConfig.smtp?.pass) values.add(deps.notifyConfig.smtp.pass);
  return [...values].filter((v) => v.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

export function redactText(text: string, secrets: readonly string[]): string {
  let out = text.replace(URL_PASSWORD, `$1${REDACTED}@`);
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}

/** Every string inside a value, redacted; the shape kept. */
function redactDeep<T>(value: T, secrets: readonly string[]): T {
  if (typeof value === 'string') return redactText(value, secrets) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => redactDeep(v, secrets)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, secrets)])) as T;
  }
  return value;
}

function redactError(err: unknown, secrets: readonly string[]): unknown {
  if (err instanceof ApplicationFailure) {
    const copy = ApplicationFailure.create({
      message: redactText(err.message, secrets),
      ...(err.type ? { type: err.type } : {}),
      nonRetryable: err.nonRetryable ?? false,
      details: redactDeep(err.details ?? [], secrets) as unknown[],
      ...(err.nextRetryDelay !== undefined ? { nextRetryDelay: err.nextRetryDelay } : {}),
    });
    copy.stack = redactText(err.stack ?? '', secrets);
    return copy;
  }
  if (err instanceof Error) {
    // Cancellation and the SDK's own failures keep their class; only their words are cleaned.
    err.message = redactText(err.message, secrets);
    if (err.stack) err.stack = redactText(err.stack, secrets);
  }
  return err;
}

/** An activity whose result and error never carry a known secret. */
export function withRedaction<A extends unknown[], R>(
  fn: (...args: A) => Promise<R>,
  secrets: () => readonly string[],
): (...args: A) => Promise<R> {
  const wrapped = async (...args: A): Promise<R> => {
    try {
      return redactDeep(await fn(...args), secrets());
    } catch (err) {
      throw redactError(err, secrets());
    }
  };
  Object.defineProperty(wrapped, 'name', { value: fn.name });
  return wrapped;
}
