import type { Express, Request, Response } from 'express';
import type { Principal } from '../../auth/authenticator';
import type { ServerContext } from '../deps';
import { identify } from '../route';
import { registerIdentityPages, safeNext, singleSignOn } from './identityPages';
import { errorPage, page } from './layout';
import { pageKit } from './pageKit';
import { registerApprovalsPages } from './pageRoutes/approvals';
import { registerAuditPage } from './pageRoutes/audit';
import { registerDocumentPages } from './pageRoutes/documents';
import { registerOversightPages } from './pageRoutes/oversight';
import { registerReportsPage } from './pageRoutes/reports';
import { registerRunsPages } from './pageRoutes/runs';
import { loginPage } from './pages';

/**
 * Server-rendered pages, one module a page in pageRoutes/ (like the API's routes/). Every page
 * needs a person (else: to the login page); forms post JSON to the API through app.mjs with the
 * page's CSRF token, so the UI can do nothing the API refuses.
 */
export function registerUiRoutes(app: Express, ctx: ServerContext): void {
  const kit = pageKit(app, ctx);

  app.get('/', (_req, res) => res.redirect(303, '/runs'));
  // Browsers ask for /favicon.ico whatever the page links.
  app.get('/favicon.ico', (_req, res) => res.redirect(301, '/assets/favicon.svg'));

  app.get('/login', async (req, res) => {
    // The login page must show even when a cookie cannot be checked (the database is away).
    const principal = await identify(ctx, req, false).catch(() => undefined);
    if (principal) return res.redirect(303, safeNext(req.query.next));
    const next = safeNext(req.query.next);
    kit.send(res, 200, page({ title: 'Log in', body: loginPage(next, singleSignOn(ctx, next)) }));
  });

  registerRunsPages(kit);
  registerAuditPage(kit);
  registerDocumentPages(kit);
  registerReportsPage(kit);
  registerOversightPages(kit);
  registerApprovalsPages(kit);
  registerIdentityPages(kit);

  // Anything else a browser asks for: a page in the app's look, not Express's bare "Cannot GET".
  app.use(async (req: Request, res: Response) => {
    let principal: Principal | undefined;
    try {
      principal = await identify(ctx, req, false);
    } catch {
      principal = undefined;
    }
    const message =
      req.method === 'GET' || req.method === 'HEAD'
        ? `There is no page at ${req.path}.`
        : `${req.method} ${req.path} is not something this site does.`;
    kit.send(res, 404, errorPage(principal, 404, message));
  });
}
