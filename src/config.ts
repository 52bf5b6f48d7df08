import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { OutboundConfigError, OutboundPolicy } from './outbound/allowlist';

/**
 * Every setting golive reads from the environment, parsed once at start.
 * A bad value stops the process with the variable's name, never a stack trace.
 */
const port = z.coerce.number().int().min(1).max(65535);
const flag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

export const configSchema = z.object({
  /** Where the embedded dev server keeps its SQLite file, and golive its users and logs. */
  GOLIVE_DATA_DIR: z.string().min(1).default(path.resolve('.data')),
  GOLIVE_HOST: z.string().min(1).default('127.0.0.1'),
  GOLIVE_PORT: port.default(8400),
  /** The URL people use to reach the web UI; links printed by the CLI point here. */
  GOLIVE_PUBLIC_URL: z.string().url().optional(),
  GOLIVE_RUNBOOKS_DIR: z.string().min(1).default(path.resolve('runbooks')),
  GOLIVE_TASK_QUEUE: z.string().min(1).default('golive'),
  /** The sandbox production system that the default runbook goes live against. */
  GOLIVE_SANDBOX: flag.default(true),
  GOLIVE_SANDBOX_PORT: port.default(8410),
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
   *  and/or SMTP. With neither, notifications are recorded as "logged only". */
  GOLIVE_SLACK_WEBHOOK_URL: z.string().url().optional(),
  GOLIVE_SMTP_HOST: z.string().min(1).optional(),
  GOLIVE_SMTP_PORT: port.default(587),
  GOLIVE_SMTP_SECURE: flag.default(false),
  GOLIVE_SMTP_USER: z.string().optional(),
  GOLIVE_SMTP_PASSWORD: z.string().optional(),
  GOLIVE_SMTP_FROM: z.string().min(3).default('golive@localhost'),
  /** JSON object mapping people or roles to e-mail addresses, for e-mail notifications. */
  GOLIVE_NOTIFY_DIRECTORY: z.string().optional(),

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
  GOLIVE_CACHE_DIR: z.string().min(1).default(path.join(os.homedir(), '.cache', 'golive')),
});

export type Config = z.infer<typeof configSchema>;

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
    const lines = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${lines.join('; ')}`);
  }
  return result.data;
}

export const TEMPORAL_CLI_VERSION = 'v1.5.1';
