import type { Client } from '@temporalio/client';
import type { Request } from 'express';
import type { DossierVerifier } from './dossierVerify/verifier';
import type { OutboundPolicy } from '../outbound/allowlist';
import type { NotifyChannel } from '../contract/definitions';
import type { Authenticator } from '../auth/authenticator';
import type { Directory } from '../auth/directory';
import type { OidcClient, OidcSettings } from '../auth/oidc';
import type { OneTimeValues } from '../auth/oneTime';
import type { PasskeyStore } from '../auth/passkeys';
import type { GoLiveDatabase } from '../db/database';
import type { TemporalAvailability } from '../temporal/availability';
import type { TrustedProxy } from '../auth/proxy';
import type { UserStore } from '../auth/users';
import type { Metrics } from './metrics';
import type { RefusalLog } from '../audit/refusalLog';
import type { RunAudit } from './runAudit';
import type { prepareRun } from '../runbook/prepare';
import type { RunbookRegistry } from '../runbook/registry';
import type { TemporalRuns } from './temporalRuns';
import type { Keyring } from '../signing/keyring';

export type PrepareRun = typeof prepareRun;

export interface ServerLog {
  /** Optional: per-request lines of reads go here (dropped when absent). */
  debug?(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

export interface AppDeps {
  client: Client;
  taskQueue: string;
  namespace: string;
  runbooks: RunbookRegistry;
  users: UserStore;
  /** Where users.json lives (unless `usersFile` says otherwise). */
  dataDir: string;
  /** The Ed25519 keys that sign every message to a run; default: loaded from `<dataDir>/signing-keys`. */
  keyring?: Keyring;
  /** golive's own state: sessions, refused attempts, login throttling. */
  database: GoLiveDatabase;
  /** The HMAC key for CSRF tokens, shared by every web server (from the database). */
  serverSecret: Buffer;
  /** Whether Temporal answers; without it the app waits for each call to fail by itself. */
  availability?: TemporalAvailability;
  /** Defaults to src/runbook's prepareRun. */
  prepareRun?: PrepareRun;
  /** e.g. http://127.0.0.1:8233: the UI links each run to its page there. */
  temporalUiUrl?: string;
  /** The URL people use; an https URL makes the session cookie `Secure`. */
  publicUrl?: string;
  /** Single sign-on through a reverse proxy (see src/auth/README.md). */
  trustedProxy?: TrustedProxy;
  log?: ServerLog;
  /** Request bodies larger than this are refused with 413. */
  bodyLimit?: string;
  /** Where runbook actions may connect; a start naming another destination is a 400.
   *  Absent: no start check (the worker enforces its own policy in the activities). */
  outbound?: OutboundPolicy;
  /** The notification channels the workers deliver over, recorded in every run started here
   *  (empty: none, so runs record notifications in their state). Absent: not recorded. */
  notifyChannels?: NotifyChannel[];
  /** OpenID Connect login beside the users file (src/auth/oidc.ts); absent: off. */
  oidc?: OidcSettings;
  /** How long an API token issued by `golive login` through the browser is valid. */
  cliTokenTtlMs?: number;
  /** The WebAuthn relying party id passkeys are bound to (default: the public URL's or the request's host). */
  webauthnRpId?: string;
}

/** What route modules share, built once by createApp. */
export interface ServerContext {
  deps: AppDeps;
  runs: TemporalRuns;
  keyring: Keyring;
  auth: Authenticator;
  /** Everyone golive knows and their roles: the users file and OpenID Connect people. */
  directory: Directory;
  oidc?: OidcClient;
  passkeys: PasskeyStore;
  oneTime: OneTimeValues;
  metrics: Metrics;
  refusals: RefusalLog;
  audit: RunAudit;
  log: ServerLog;
  prepareRun: PrepareRun;
  secureCookies: boolean;
  /** Dossier uploads are unpacked and checked in a worker thread (src/server/dossierVerify). */
  dossiers: DossierVerifier;
}

/** The browser's origin for this request: the public URL when configured, else the request's own. */
export function publicOrigin(ctx: ServerContext, req: Request): string {
  return ctx.deps.publicUrl
    ? new URL(ctx.deps.publicUrl).origin
    : `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}
