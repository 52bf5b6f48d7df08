import type { Config } from '../config';
import { OutboundPolicy } from './allowlist';

/**
 * The policy a golive process enforces. `GOLIVE_OUTBOUND_ALLOW` when the operator set it
 * (`none`: no destination at all), exactly as written: loopback and the sandbox are not added.
 * Unset, the embedded default: the sandbox's port on loopback when the sandbox runs (so
 * `npm start` and the default runbook work out of the box), and nothing when it does not.
 */
const LOOPBACK_OR_ANY = new Set(['127.0.0.1', 'localhost', '::1', '0.0.0.0', '::']);

export function outboundPolicyFromConfig(
  config: Pick<Config, 'GOLIVE_OUTBOUND_ALLOW' | 'GOLIVE_SANDBOX' | 'GOLIVE_SANDBOX_PORT' | 'GOLIVE_HOST'>,
): OutboundPolicy {
  const given = config.GOLIVE_OUTBOUND_ALLOW?.trim();
  if (given !== undefined) return OutboundPolicy.parse(given === 'none' ? '' : given);
  if (!config.GOLIVE_SANDBOX)
    return OutboundPolicy.parse(
      '',
      'the embedded default (no sandbox: set GOLIVE_OUTBOUND_ALLOW to name your systems)',
    );
  const port = config.GOLIVE_SANDBOX_PORT;
  const host = config.GOLIVE_HOST;
  const sandbox = [
    `127.0.0.1:${port}`,
    `localhost:${port}`,
    `[::1]:${port}`,
    ...(LOOPBACK_OR_ANY.has(host) ? [] : [`${host.includes(':') ? `[${host}]` : host}:${port}`]),
  ];
  return OutboundPolicy.parse(
    sandbox.join(', '),
    'the embedded default (the sandbox only; set GOLIVE_OUTBOUND_ALLOW to reach other systems)',
  );
}
