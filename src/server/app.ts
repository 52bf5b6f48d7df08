import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { ApiTokens } from '../auth/apiTokens';
import { Authenticator } from '../auth/authenticator';
import { Directory } from '../auth/directory';
import { OidcClient } from '../auth/oidc';
import { OidcPeople } from '../auth/oidcPeople';
import { OneTimeValues } from '../auth/oneTime';
import { PasskeyStore } from '../auth/passkeys';
import { SessionStore } from '../auth/sessions';
import { LoginThrottle } from '../auth/throttle';
import type { AppDeps, PrepareRun, ServerContext } from './deps';
import { errorHandler, HttpError } from './errors';
import { registerIdempotentReplays } from './idempotency';
import { Metrics, RunCounts } from './metrics';
import { requestIds, routeOf } from './requestIds';
import { createLogger } from '../log';
import { prepareRun } from '../runbook/prepare';
import { ensurePrivateDir } from '../privateFiles';
import { RefusalLog } from '../audit/refusalLog';
import { registerAuditRoutes } from './routes/audit';
import { registerIdentityRoutes } from './routes/identity';
import { registerMessageRoutes } from './routes/messages';
import { registerOversightRoutes } from './routes/oversight';
import { registerRunRoutes } from './routes/runs';
import { registerSystemRoutes } from './routes/system';
import { RunAudit } from './runAudit';
import { DossierVerifier } from './dossierVerify/verifier';
import { PageTokens, pageTokenKey, TemporalRuns } from './temporalRuns';
import { Keyring, SIGNING_KEYS_DIR } from '../signing/keyring';
import { translateOutages } from './unavailable';
import { registerUiRoutes } from './ui/routes';
import { errorPage } from './ui/layout';
import { identify } from './route';
import { answerOptions, methodNotAllowed } from './methodNotAllowed';
import type { Principal } from '../auth/authenticator';

/**
 * The golive web app: JSON API, server-rendered UI and static assets. Not listening: start.ts
 * (or a test) decides where it listens.
 */

const ASSETS_DIR = path.resolve(__dirname, '../../ui/assets');
/** @simplewebauthn/browser's ES modules, served by golive itself for the passkey ceremonies (no CDN). */
const WEBAUTHN_BROWSER_DIR = path.resolve(path.dirname(require.resolve('@simplewebauthn/browser')), '../esm');

const webLog = createLogger('web');

/** No inline script or style anywhere, so the policy can forbid them: XSS has nothing to run. */
function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  );
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'same-origin');
  res.setHeader('X-Frame-Options', 'DENY');
  next();
}

function countRequests(metrics: Metrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = performance.now();
    res.on('finish', () => {
      const labels = { method: req.method, route: routeOf(req), status: String(res.statusCode) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, (performance.now() - started) / 1000);
    });
    next();
  };
}

/** Requests outside the API that a browser makes get an error page; everything else JSON. */
function wantsPage(req: Request): boolean {
  const api =
    req.path === '/api' ||
    req.path.startsWith('/api/') ||
    req.path === '/healthz' ||
    req.path === '/readyz' ||
    req.path === '/metrics' ||
    req.path.startsWith('/assets/');
  return !api && req.accepts(['json', 'html']) === 'html';
}

/** Who sees the error page (its header shows them); bad credentials just mean nobody. */
async function principalOf(ctx: ServerContext, req: Request): Promise<Principal | undefined> {
  return identify(ctx, req, false).catch(() => undefined);
}

/** Every start is checked against the outbound policy and records the notification channels, whoever calls prepareRun. */
function withStartChecks(prepare: PrepareRun, deps: Pick<AppDeps, 'outbound' | 'notifyChannels'>): PrepareRun {
  const { outbound, notifyChannels } = deps;
  if (!outbound && !notifyChannels) return prepare;
  return (input) =>
    prepare({ ...input, ...(outbound ? { outbound } : {}), ...(notifyChannels ? { notifyChannels } : {}) });
}

export function buildContext(deps: AppDeps): ServerContext {
  ensurePrivateDir(deps.dataDir);
  const sessions = new SessionStore(deps.database.db, deps.serverSecret);
  const refusals = new RefusalLog(deps.database);
  const keyring = deps.keyring ?? Keyring.loadOrCreate(path.join(deps.dataDir, SIGNING_KEYS_DIR));
  const db = deps.database.db;
  const directory = new Directory(deps.users, deps.oidc ? new OidcPeople(db, deps.oidc.rolesMaxAgeMs) : undefined);
  return {
    deps,
    keyring,
    directory,
    ...(deps.oidc ? { oidc: new OidcClient(deps.oidc) } : {}),
    passkeys: new PasskeyStore(db),
    oneTime: new OneTimeValues(db),
    runs: new TemporalRuns(
      deps.client,
      deps.taskQueue,
      deps.namespace,
      keyring,
      new PageTokens(pageTokenKey(deps.serverSecret)),
    ),
    auth: new Authenticator({
      directory,
      tokens: new ApiTokens(db),
      sessions,
      throttle: new LoginThrottle(deps.database.driver),
      ...(deps.trustedProxy ? { proxy: deps.trustedProxy } : {}),
    }),
    metrics: new Metrics(new RunCounts(deps.client, deps.namespace)),
    refusals,
    audit: new RunAudit(deps.client, refusals),
    log: deps.log ?? webLog,
    prepareRun: withStartChecks(deps.prepareRun ?? prepareRun, deps),
    secureCookies: deps.publicUrl?.startsWith('https:') ?? false,
    dossiers: new DossierVerifier(),
  };
}

export function createApp(deps: AppDeps): express.Express {
  const ctx = buildContext(deps);
  const app = express();
  app.disable('x-powered-by');
  app.use(requestIds(ctx.log));
  app.use(securityHeaders);
  app.use(countRequests(ctx.metrics));
  app.use(
    '/assets/vendor/simplewebauthn',
    express.static(WEBAUTHN_BROWSER_DIR, { fallthrough: false, index: false, maxAge: '1h' }),
  );
  app.use('/assets', express.static(ASSETS_DIR, { fallthrough: false, index: false, maxAge: '1h' }));

  app.use(answerOptions);
  const api = express.Router();
  registerRunRoutes(api, ctx);
  registerIdempotentReplays(api, ctx);
  registerMessageRoutes(api, ctx);
  registerOversightRoutes(api, ctx);
  registerAuditRoutes(api, ctx);
  registerSystemRoutes(api, ctx);
  registerIdentityRoutes(api, ctx);
  app.use(api);
  app.use(methodNotAllowed);
  app.use('/api', (req) => {
    throw new HttpError(404, `no API route ${req.method} ${req.originalUrl}`);
  });
  registerUiRoutes(app, ctx);
  app.use(translateOutages(ctx.deps.availability));
  app.use(
    errorHandler(ctx.log, async (req, error) =>
      wantsPage(req) ? errorPage(await principalOf(ctx, req), error.status, error.message) : undefined,
    ),
  );
  return app;
}
