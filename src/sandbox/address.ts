import { sandboxAlertWebhook, type Config } from '../config';
import type { SandboxAddress } from '../runbook/sandboxDefaults';

/** Listening on every interface still means the sandbox is reached on loopback. */
const ANY_ADDRESS = new Set(['0.0.0.0', '::']);

/**
 * Where this golive's sandbox answers, as `npm start` prints it and as the default runbook's
 * `${sandbox.*}` parameter defaults and the start form use it; undefined when it runs none.
 */
export function sandboxAddress(
  config: Pick<Config, 'GOLIVE_SANDBOX' | 'GOLIVE_SANDBOX_PORT' | 'GOLIVE_HOST' | 'GOLIVE_SANDBOX_ALERT_WEBHOOK'>,
): SandboxAddress | undefined {
  if (!config.GOLIVE_SANDBOX) return undefined;
  const host = ANY_ADDRESS.has(config.GOLIVE_HOST) ? '127.0.0.1' : config.GOLIVE_HOST;
  const port = config.GOLIVE_SANDBOX_PORT;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    host,
    port,
    alertReceiverUrl: sandboxAlertWebhook(config),
  };
}
