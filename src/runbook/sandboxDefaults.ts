import type { Issue } from './issues';

/**
 * `${sandbox.url}`, `${sandbox.host}`, `${sandbox.port}` and `${sandbox.alertReceiverUrl}` in a
 * parameter's default: the sandbox production system this golive runs (GOLIVE_SANDBOX_PORT), so
 * the default runbook goes live against the sandbox `npm start` printed, whatever its port. Where
 * no sandbox runs (GOLIVE_SANDBOX=false, or a runbook checked on its own), such a parameter has no
 * default and must be given at start. Filled on the raw document, before the schema parse, so a
 * number parameter gets a number. Pure.
 */
export interface SandboxAddress {
  url: string;
  host: string;
  port: number;
  /** Where the sandbox's Alertmanager stand-in delivers alerts (GOLIVE_SANDBOX_ALERT_WEBHOOK). */
  alertReceiverUrl: string;
}

const FIELDS = ['url', 'host', 'port', 'alertReceiverUrl'] as const;
const SANDBOX = /\$\{sandbox\.([^}]*)\}/g;
const WHOLE = /^\$\{sandbox\.([^}]*)\}$/;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const known = (f: string): f is (typeof FIELDS)[number] => (FIELDS as readonly string[]).includes(f);

export function fillSandboxDefaults(
  raw: unknown,
  sandbox: SandboxAddress | undefined,
): { raw: unknown; issues: Issue[] } {
  if (!isRecord(raw) || !isRecord(raw.parameters)) return { raw, issues: [] };
  const issues: Issue[] = [];
  const parameters: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(raw.parameters)) {
    const value = isRecord(spec) ? spec.default : undefined;
    if (!isRecord(spec) || typeof value !== 'string' || !value.includes('${sandbox.')) {
      parameters[name] = spec;
      continue;
    }
    const unknown = [...value.matchAll(SANDBOX)].map((m) => m[1]!).filter((f) => !known(f));
    if (unknown.length > 0) {
      issues.push({
        path: ['parameters', name, 'default'],
        message: `unknown placeholder \${sandbox.${unknown[0]}} (the sandbox gives ${FIELDS.join(', ')})`,
      });
      parameters[name] = spec;
      continue;
    }
    const { default: _dropped, ...withoutDefault } = spec;
    parameters[name] = sandbox ? { ...spec, default: fill(value, sandbox) } : withoutDefault;
  }
  return { raw: { ...raw, parameters }, issues };
}

function fill(value: string, sandbox: SandboxAddress): string | number {
  const whole = WHOLE.exec(value);
  if (whole && known(whole[1]!)) return sandbox[whole[1]];
  return value.replace(SANDBOX, (_m, f: string) => String(sandbox[f as (typeof FIELDS)[number]]));
}
