import type { OutboundPolicy } from '../src/outbound/allowlist';

/**
 * What the activities need from the worker process. Built once from config at worker start;
 * tests build their own, so no activity reads process.env.
 */
export interface SmtpConfig {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  pass?: string;
  from: string;
}

export interface NotifyConfig {
  slackWebhookUrl?: string;
  smtp?: SmtpConfig;
  /** Role or person name → e-mail addresses; recipients given as addresses need no entry. */
  directory?: Record<string, string[]>;
}

export interface ActivityLog {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
}

export interface ActivityDeps {
  /** The `command` action runs programs on the worker host; operators opt in. */
  allowCommands: boolean;
  /** Where actions may connect (GOLIVE_OUTBOUND_ALLOW); checked on every address dialled. */
  outbound: OutboundPolicy;
  secrets: (name: string) => string | undefined;
  notifyConfig: NotifyConfig;
  log?: ActivityLog;
}
