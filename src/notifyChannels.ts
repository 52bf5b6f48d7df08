import type { NotifyChannel } from './contract/definitions';
import type { Config } from './config';

/**
 * The channels this golive delivers notifications over: what the notify activity would use
 * (activities/notify.ts). The web server records them in every run it starts (`notifyChannels`),
 * so a run started with none records who was to be told in its state and schedules no activity
 * that would only log the message. Web servers and workers must agree: give both the settings.
 */
export function notifyChannelsFromConfig(
  config: Pick<Config, 'GOLIVE_SLACK_WEBHOOK_URL' | 'GOLIVE_SMTP_HOST'>,
): NotifyChannel[] {
  return [
    ...(config.GOLIVE_SLACK_WEBHOOK_URL ? (['slack'] as const) : []),
    ...(config.GOLIVE_SMTP_HOST ? (['email'] as const) : []),
  ];
}
