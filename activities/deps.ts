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

interface ActivityLog {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
}

/** Where the monitoring actions put files Prometheus and Grafana load. */
export interface MonitoringConfig {
  /** Prometheus loads `<rulesDir>/*.yml` (its `rule_files`); monitoring-activate writes there. */
  rulesDir: string;
  /** Grafana's file-provisioning folder for dashboards; unset: dashboards are not installed. */
  dashboardsDir?: string;
  /** Dashboard sources named by runbooks are read from here (the runbooks directory). */
  runbooksDir?: string;
}

export interface ActivityDeps {
  /** The `command` action runs programs on the worker host; operators opt in. */
  allowCommands: boolean;
  /** Where actions may connect (GOLIVE_OUTBOUND_ALLOW); checked on every address dialled. */
  outbound: OutboundPolicy;
  secrets: (name: string) => string | undefined;
  /** Every secret value configured (GOLIVE_SECRET_*), so results and errors can be redacted. */
  secretValues?: () => string[];
  notifyConfig: NotifyConfig;
  /** Unset: monitoring-activate / -deactivate refuse (nowhere to put rule files). */
  monitoring?: MonitoringConfig;
  log?: ActivityLog;
}
