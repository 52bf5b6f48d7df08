import type { ActivityDeps } from './deps';
import { permanent } from './errors';

const placeholder = /\$\{secrets\.([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Params travel through Temporal history, so they carry `${secrets.NAME}` placeholders and the
 * values are substituted only here, at call time. `used` collects the substituted values so that
 * captured output can be scrubbed with `redactSecrets` before it becomes evidence.
 */
export function resolveSecrets<T>(value: T, deps: Pick<ActivityDeps, 'secrets'>, used?: Set<string>): T {
  if (typeof value === 'string') {
    return value.replace(placeholder, (_match, name: string) => {
      const secret = deps.secrets(name);
      // The name is safe to report; the value never is.
      if (secret === undefined) return permanent('MissingSecret', `secret ${name} is not configured`, { name });
      used?.add(secret);
      return secret;
    }) as T;
  }
  if (Array.isArray(value)) return value.map((v: unknown) => resolveSecrets(v, deps, used)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveSecrets(v, deps, used)])) as T;
  }
  return value;
}

export function redactSecrets(text: string, used: ReadonlySet<string>): string {
  let out = text;
  for (const secret of used) if (secret.length > 0) out = out.split(secret).join('[redacted]');
  return out;
}
