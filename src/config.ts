import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { OutboundConfigError, OutboundPolicy } from './outbound/allowlist';
import { durationSchema } from './contract/schemas/runbook';
import { roleIdSchema as roleId } from './contract/schemas/runbook';

/**
 * Every setting golive reads from the environment, parsed once at start.
 * A bad value stops the process with the variable's name, never a stack trace.
 */
const port = z.coerce.number().int().min(1).max(65535);
const flag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');
const otlpProtocol = z.enum(['http/protobuf', 'http/json', 'grpc']).optional();
const count = (max: number) => z.coerce.number().int().min(1).max(max);

const ROLES = ['web', 'worker'] as const;
export type Role = (typeof ROLES)[number];
/** `web`, `worker`, or both (comma-separated, in any order). */
const roles = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean),
  )
  .pipe(
    z.array(z.enum(ROLES, { error: 'each role must be web or worker' })).min(1, 'name at least one role: web, worker'),
  )
  .transform((list) => [...new Set(list)]);

export const configSchema = z.object({
  /** Where the embedded dev server keeps its SQLite file, and golive its users and logs. */
  GOLIVE_DATA_DIR: z.string().min(1).default(path.resolve('.data')),
  /** Which parts this process runs: `web` (UI + API), `worker` (workflows + actions), or both. */
  GOLIVE_ROLES: roles.default(['web', 'worker']),
  /** golive's own state (sessions, refused attempts, login throttling). Unset: SQLite in the data folder. */
  GOLIVE_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// URL (unset: SQLite in the data folder)')
    .optional(),
  /** The people file; several web servers share one (mounted read-only, for example). */
  GOLIVE_USERS_FILE: z.string().min(1).optional(),
  /** On SIGTERM: how long requests in flight and running actions get to finish. */
  GOLIVE_SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().min(0).max(3600).default(10),
  /** Worker tuning (see the README's trade-offs): unset leaves the Temporal SDK's defaults. */
  GOLIVE_WORKER_MAX_CONCURRENT_ACTIVITIES: count(10_000).optional(),
  GOLIVE_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: count(10_000).optional(),
  GOLIVE_WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(1_000_000).optional(),
  /** Memory (MB) the operator gives the worker process; the sticky cache is sized from it (src/worker.ts). */
  GOLIVE_WORKER_MEMORY_MB: z.coerce.number().int().min(256).max(4_194_304).optional(),
  GOLIVE_HOST: z.string().min(1).default('127.0.0.1'),
  GOLIVE_PORT: port.default(8400),
  /** The URL people use to reach the web UI; links printed by the CLI point here. */
  GOLIVE_PUBLIC_URL: z.string().url().optional(),
  GOLIVE_RUNBOOKS_DIR: z.string().min(1).default(path.resolve('runbooks')),
  /** The Ed25519 keys that sign every message to a run (default: <data dir>/signing-keys). */
  GOLIVE_SIGNING_KEYS_DIR: z.string().min(1).optional(),
  GOLIVE_TASK_QUEUE: z.string().min(1).default('golive'),
  /** The sandbox production system that the default runbook goes live against. */
  GOLIVE_SANDBOX: flag.default(true),
  GOLIVE_SANDBOX_PORT: port.default(8410),
  /** Where monitoring-activate writes Prometheus rule files (default: <data dir>/prometheus/rules);
   *  Prometheus must load `<dir>/*.yml` through its `rule_files`. */
  GOLIVE_PROMETHEUS_RULES_DIR: z.string().min(1).optional(),
  /** Grafana's dashboard provisioning folder; unset, runbook dashboards are not installed. */
  GOLIVE_GRAFANA_DASHBOARDS_DIR: z.string().min(1).optional(),
  /** The sandbox's Alertmanager stand-in delivers alerts to this webhook (monitoring-verify's
   *  receiver in the default runbook); default: sandboxAlertWebhook below. */
  GOLIVE_SANDBOX_ALERT_WEBHOOK: z
    .string()
    .regex(/^http:\/\/\S+$/, 'must be an http URL')
    .optional(),
  /** debug | info | warn | error; debug also shows the Temporal SDK's own logs. */
  GOLIVE_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** json (for log shippers), pretty (for people), auto: pretty on a terminal, else json. */
  GOLIVE_LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  /**
   * The OpenTelemetry settings golive's tracing reads with a fixed set of values
   * (src/telemetry/tracing.ts): checked here so a typo stops golive naming the variable instead
   * of tracing silently to the default OTLP endpoint.
   */
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'console', 'none']).optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: otlpProtocol,
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: otlpProtocol,
  /** host:port of the Temporal worker's own Prometheus metrics (SDK runtime exporter); "off" disables. */
  GOLIVE_WORKER_METRICS_ADDRESS: z
    .union([z.literal('off'), z.string().regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port or off')])
    .default('127.0.0.1:8401'),
  /** The `command` action runs programs on the worker host: off unless an operator turns it on. */
  GOLIVE_ALLOW_COMMANDS: flag.default(false),
  /** Where runbook actions may connect (src/outbound/allowlist.ts); unset: the sandbox only. */
  GOLIVE_OUTBOUND_ALLOW: z
    .string()
    .optional()
    .superRefine((list, ctx) => {
      if (list === undefined) return;
      try {
        OutboundPolicy.parse(list);
      } catch (err) {
        if (!(err instanceof OutboundConfigError)) throw err;
        ctx.addIssue({ code: 'custom', message: err.message });
      }
    }),

  /** Notifications (escalations, Red Button reports, rollbacks): a Slack-compatible webhook
   *  and/or SMTP. With neither, runs started then record notifications in their state (src/notifyChannels.ts). */
  GOLIVE_SLACK_WEBHOOK_URL: z.string().url().optional(),
  GOLIVE_SMTP_HOST: z.string().min(1).optional(),
  GOLIVE_SMTP_PORT: port.default(587),
  GOLIVE_SMTP_SECURE: flag.default(false),
  GOLIVE_SMTP_USER: z.string().optional(),
  GOLIVE_SMTP_PASSWORD: z.string().optional(),
  GOLIVE_SMTP_FROM: z.string().min(3).default('golive@localhost'),
  /** JSON object mapping people or roles to e-mail addresses, for e-mail notifications. */
  GOLIVE_NOTIFY_DIRECTORY: z.string().optional(),

  /** OpenID Connect login (src/auth/oidc.ts), beside the users file. Unset issuer: off. */
  GOLIVE_OIDC_ISSUER: z
    .url({ protocol: /^https?$/, message: 'must be the issuer URL (https; http only for a loopback issuer)' })
    .refine(
      (u) => u.startsWith('https:') || isLoopbackUrl(u),
      'must be https (http only for an issuer on this machine: localhost, 127.0.0.1, [::1])',
    )
    .optional(),
  GOLIVE_OIDC_CLIENT_ID: z.string().min(1).max(400).optional(),
  /** Confidential clients; unset: a public client (PKCE only). */
  GOLIVE_OIDC_CLIENT_SECRET: z.string().min(1).max(2000).optional(),
  /** Where the provider sends people back; default: GOLIVE_PUBLIC_URL (or the request's origin) + /auth/oidc/callback. */
  GOLIVE_OIDC_REDIRECT_URL: z.url({ protocol: /^https?$/ }).optional(),
  GOLIVE_OIDC_SCOPES: z
    .string()
    .regex(/^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/, 'must be space-separated scopes')
    .default('openid profile email'),
  /** The ID token (or userinfo) claim listing the person's groups. */
  GOLIVE_OIDC_GROUPS_CLAIM: z.string().min(1).max(200).default('groups'),
  /** The claim that becomes the golive person id (bound to the subject at the first login). */
  GOLIVE_OIDC_ID_CLAIM: z.string().min(1).max(200).default('preferred_username'),
  /** JSON: group → runbook role(s), e.g. {"golive-guardians": "guardian", "/golive/sponsors": ["business-sponsor"]}. */
  GOLIVE_OIDC_GROUP_ROLES: z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object: {"group": "role" or ["role", …]}' });
        return z.NEVER;
      }
    })
    .pipe(
      z.record(z.string().min(1), z.union([roleId, z.array(roleId).min(1)]), {
        error: 'must be a JSON object: {"group": "role" or ["role", …]}',
      }),
    )
    .transform((map) =>
      Object.fromEntries(
        Object.entries(map).map(([group, roles]) => [group, typeof roles === 'string' ? [roles] : roles]),
      ),
    )
    .default({}),
  /** The login page's button: "Log in with <name>". */
  GOLIVE_OIDC_DISPLAY_NAME: z.string().min(1).max(80).default('single sign-on'),
  /** An OpenID Connect person who has not logged in for this long holds no roles until they do. */
  GOLIVE_OIDC_ROLES_MAX_AGE: durationSchema.default('30d'),
  /** How long an API token issued by `golive login` (browser) is valid. */
  GOLIVE_CLI_TOKEN_TTL: durationSchema.default('7d'),
  /** The WebAuthn relying party id passkeys are bound to; default: GOLIVE_PUBLIC_URL's host name (or the request's). */
  GOLIVE_WEBAUTHN_RP_ID: z
    .string()
    .regex(
      /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/,
      'must be a domain name such as golive.example.com (not an IP address)',
    )
    .optional(),

  /** Unset: golive starts the embedded dev server. Set: golive connects to that cluster. */
  TEMPORAL_ADDRESS: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  /** Ports of the embedded dev server (ignored when TEMPORAL_ADDRESS is set). */
  GOLIVE_TEMPORAL_PORT: port.default(7233),
  GOLIVE_TEMPORAL_UI_PORT: port.default(8233),
  /** Where the Temporal Web UI lives when connecting to a cluster (for links only). */
  GOLIVE_TEMPORAL_UI_URL: z.string().url().optional(),
  TEMPORAL_CLI_PATH: z.string().min(1).optional(),
  /** Per-user cache of the built Temporal CLI, outside the repo so fresh clones reuse it. */
  GOLIVE_CACHE_DIR: z
    .string()
    .min(1)
    .default(path.join(os.homedir(), '.cache', 'golive')),
});

export type Config = z.infer<typeof configSchema>;

/** localhost, 127.0.0.0/8 or [::1]: addresses that never leave this machine. */
export function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}

/** The rules directory monitoring-activate writes to (and the sandbox's stand-in reads). */
export function prometheusRulesDir(config: Config): string {
  return config.GOLIVE_PROMETHEUS_RULES_DIR ?? path.join(config.GOLIVE_DATA_DIR, 'prometheus', 'rules');
}

/** How far above the sandbox's port its alerts are delivered by default (8410 → 8429). */
const ALERT_WEBHOOK_PORT_OFFSET = 19;

/**
 * Where the sandbox's Alertmanager stand-in delivers alerts: GOLIVE_SANDBOX_ALERT_WEBHOOK, or a
 * port derived from the sandbox's own, so two golive instances on different sandbox ports never
 * compete for one receiver port during their monitoring checks.
 */
export function sandboxAlertWebhook(config: Pick<Config, 'GOLIVE_SANDBOX_ALERT_WEBHOOK' | 'GOLIVE_SANDBOX_PORT'>) {
  if (config.GOLIVE_SANDBOX_ALERT_WEBHOOK) return config.GOLIVE_SANDBOX_ALERT_WEBHOOK;
  const above = config.GOLIVE_SANDBOX_PORT + ALERT_WEBHOOK_PORT_OFFSET;
  const port = above <= 65535 ? above : config.GOLIVE_SANDBOX_PORT - ALERT_WEBHOOK_PORT_OFFSET;
  return `http://127.0.0.1:${port}/alerts`;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function parseConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const result = configSchema.safeParse(picked);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${i.path.slice(0, 1).join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${lines.join('; ')}`);
  }
  const config = result.data;
  if (config.GOLIVE_OIDC_ISSUER && !config.GOLIVE_OIDC_CLIENT_ID) {
    throw new ConfigError(
      'invalid configuration: GOLIVE_OIDC_CLIENT_ID: required with GOLIVE_OIDC_ISSUER (the client golive is registered as at the provider)',
    );
  }
  // The embedded dev server belongs to the whole product in one process; a process with one
  // role is one of several, and they must all reach one Temporal.
  if (!config.TEMPORAL_ADDRESS && config.GOLIVE_ROLES.length < ROLES.length) {
    throw new ConfigError(
      `invalid configuration: GOLIVE_ROLES=${config.GOLIVE_ROLES.join(',')} needs TEMPORAL_ADDRESS (the embedded Temporal dev server runs only when one process has both roles)`,
    );
  }
  return config;
}

export function hasRole(config: Pick<Config, 'GOLIVE_ROLES'>, role: Role): boolean {
  return config.GOLIVE_ROLES.includes(role);
}

export function usersFileOf(config: Pick<Config, 'GOLIVE_USERS_FILE' | 'GOLIVE_DATA_DIR'>): string {
  return config.GOLIVE_USERS_FILE ?? path.join(config.GOLIVE_DATA_DIR, 'users.json');
}

export const TEMPORAL_CLI_VERSION = 'v1.5.1';
