import { z } from 'zod';
import type { ActivityDeps } from '../activities/deps';
import { ConfigError, prometheusRulesDir, type Config } from './config';
import type { Logger } from './log';
import { outboundPolicyFromConfig } from './outbound/fromConfig';

/**
 * What the worker's activities get from the environment: secrets for `${secrets.NAME}`
 * placeholders (read at call time from GOLIVE_SECRET_<NAME>, so they never enter history),
 * notification channels, and whether the `command` action may run programs.
 */
const directorySchema = z.record(z.string(), z.array(z.string().email()));

export function activityDepsFromConfig(
  config: Config,
  log: Logger,
  env: NodeJS.ProcessEnv = process.env,
): ActivityDeps {
  let directory: Record<string, string[]> | undefined;
  if (config.GOLIVE_NOTIFY_DIRECTORY) {
    const parsed = directorySchema.safeParse(safeJson(config.GOLIVE_NOTIFY_DIRECTORY));
    if (!parsed.success)
      throw new ConfigError(`GOLIVE_NOTIFY_DIRECTORY: must be a JSON object of name → [e-mail addresses]`);
    directory = parsed.data;
  }
  return {
    allowCommands: config.GOLIVE_ALLOW_COMMANDS,
    outbound: outboundPolicyFromConfig(config),
    secrets: (name) => env[`GOLIVE_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`],
    secretValues: () => Object.entries(env).flatMap(([k, v]) => (k.startsWith('GOLIVE_SECRET_') && v ? [v] : [])),
    notifyConfig: {
      ...(config.GOLIVE_SLACK_WEBHOOK_URL ? { slackWebhookUrl: config.GOLIVE_SLACK_WEBHOOK_URL } : {}),
      ...(config.GOLIVE_SMTP_HOST
        ? {
            smtp: {
              host: config.GOLIVE_SMTP_HOST,
              port: config.GOLIVE_SMTP_PORT,
              secure: config.GOLIVE_SMTP_SECURE,
              ...(config.GOLIVE_SMTP_USER ? { user: config.GOLIVE_SMTP_USER } : {}),
              ...(config.GOLIVE_SMTP_PASSWORD ? { pass: config.GOLIVE_SMTP_PASSWORD } : {}),
              from: config.GOLIVE_SMTP_FROM,
            },
          }
        : {}),
      ...(directory ? { directory } : {}),
    },
    monitoring: {
      rulesDir: prometheusRulesDir(config),
      runbooksDir: config.GOLIVE_RUNBOOKS_DIR,
      ...(config.GOLIVE_GRAFANA_DASHBOARDS_DIR ? { dashboardsDir: config.GOLIVE_GRAFANA_DASHBOARDS_DIR } : {}),
    },
    log,
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
