import path from 'node:path';
import type { Client } from '@temporalio/client';
import { usersFileOf, type Config } from '../config';
import type { Logger } from '../log';
import { ensureDemoUsers } from '../auth/demoUsers';
import { oidcSettingsOf } from '../auth/oidc';
import { trustedProxyFromEnv } from '../auth/proxy';
import { durationToMs } from '../contract/duration';
import { UserStore } from '../auth/users';
import type { GoLiveDatabase } from '../db/database';
import { RunbookRegistry } from '../runbook/registry';
import { sandboxAddress } from '../sandbox/address';
import type { TemporalAvailability } from '../temporal/availability';
import { outboundPolicyFromConfig } from '../outbound/fromConfig';
import { notifyChannelsFromConfig } from '../notifyChannels';
import { startWebServer, type WebServer } from './start';
import { Keyring, SIGNING_KEYS_DIR } from '../signing/keyring';

/**
 * What the web role needs in one call: demo users on first start, the users file, runbooks,
 * proxy SSO from the environment, and the listening server. `banner` holds the lines main.ts
 * prints (how to log in).
 */
export interface GoLiveWebOptions {
  config: Config;
  client: Client;
  database: GoLiveDatabase;
  availability?: TemporalAvailability;
  namespace: string;
  temporalUiUrl?: string;
  log: Logger;
  env?: NodeJS.ProcessEnv;
}

/** The sandbox the default runbook's `${sandbox.*}` parameter defaults point at, when one runs. */
function sandboxOption(config: Config): { sandbox?: NonNullable<ReturnType<typeof sandboxAddress>> } {
  const sandbox = sandboxAddress(config);
  return sandbox ? { sandbox } : {};
}

export async function startGoLiveWeb(o: GoLiveWebOptions): Promise<WebServer & { banner: string[] }> {
  const dataDir = o.config.GOLIVE_DATA_DIR;
  const demo = await ensureDemoUsers(dataDir, usersFileOf(o.config));
  const users = await UserStore.load(demo.usersFile);
  const trustedProxy = trustedProxyFromEnv(o.env ?? process.env);
  const oidc = oidcSettingsOf(o.config);
  const keyring = Keyring.loadOrCreate(o.config.GOLIVE_SIGNING_KEYS_DIR ?? path.join(dataDir, SIGNING_KEYS_DIR));
  const server = await startWebServer(
    {
      client: o.client,
      taskQueue: o.config.GOLIVE_TASK_QUEUE,
      namespace: o.namespace,
      runbooks: new RunbookRegistry(o.config.GOLIVE_RUNBOOKS_DIR, sandboxOption(o.config)),
      users,
      dataDir,
      keyring,
      database: o.database,
      log: o.log,
      ...(o.availability ? { availability: o.availability } : {}),
      ...(o.temporalUiUrl ? { temporalUiUrl: o.temporalUiUrl } : {}),
      ...(o.config.GOLIVE_PUBLIC_URL ? { publicUrl: o.config.GOLIVE_PUBLIC_URL } : {}),
      ...(trustedProxy ? { trustedProxy } : {}),
      outbound: outboundPolicyFromConfig(o.config),
      notifyChannels: notifyChannelsFromConfig(o.config),
      ...(oidc ? { oidc } : {}),
      cliTokenTtlMs: durationToMs(o.config.GOLIVE_CLI_TOKEN_TTL),
      ...(o.config.GOLIVE_WEBAUTHN_RP_ID ? { webauthnRpId: o.config.GOLIVE_WEBAUTHN_RP_ID } : {}),
    },
    { host: o.config.GOLIVE_HOST, port: o.config.GOLIVE_PORT },
  );
  // The key every run started here pins: what auditors pass to `golive verify --expect-key`.
  const signing = `  signing key     ${keyring.current.keyId} (GET /api/signing-keys; golive verify --expect-key ${keyring.current.keyId})`;
  const banner = demo.created
    ? [
        signing,
        '',
        'Demo users were created (first start). Log in as one of them:',
        ...demo.created.map((c) => `  ${c.id.padEnd(10)} ${c.roles.join(', ').padEnd(24)} password ${c.password}`),
        `  API tokens and passwords are in ${demo.credentialsFile} (mode 600); this is the only time they are printed.`,
      ]
    : [signing, `  users           ${demo.usersFile} (demo passwords: ${demo.credentialsFile})`];
  // Passkeys belong to a domain name: on this machine, that is localhost.
  if (!o.config.GOLIVE_PUBLIC_URL && /^127\./.test(o.config.GOLIVE_HOST))
    banner.push(
      `  passkeys        open ${server.url.replace(/\/\/127\.[\d.]+/, '//localhost')} to sign approvals with a passkey (not at an IP address)`,
    );
  if (oidc)
    banner.push(
      `  single sign-on  ${oidc.issuer} (client ${oidc.clientId}; roles from the "${oidc.groupsClaim}" claim)`,
    );
  return { ...server, url: o.config.GOLIVE_PUBLIC_URL ?? server.url, banner };
}
