import type { Express, NextFunction, Request, Response } from 'express';
import type { Principal } from '../../auth/authenticator';
import { runIdSchema } from '../api';
import type { ServerContext } from '../deps';
import { answerFor, HttpError } from '../errors';
import { identify } from '../route';
import { assertMayReadView, personOf } from '../runAccess';
import { temporalWorkflowUrl } from '../temporalUi';
import { outageError } from '../unavailable';
import { html, type SafeHtml } from './html';
import { errorPage, page } from './layout';
import { directoryNames } from './names';
import { personIdsOf, type RunView } from './runPage';
import { runbookOfRun } from './runbookInfo';

/**
 * What every page route uses: `pageRoute` (a person or the login page, errors as a page in the
 * app's look), `render` (the page frame with the CSRF token app.mjs posts with) and `send`.
 */

export type Send = (res: Response, status: number, body: string) => void;
type UiHandler = (req: Request, res: Response, principal: Principal) => Promise<void>;
/** `fragment`: a piece of a page the browser polls (answers a bare message, never a redirect). */
type PageRoute = (path: string, handler: UiHandler, fragment?: boolean) => void;
type Nav = 'runs' | 'approvals' | 'passkeys' | 'reports';
type Render = (res: Response, principal: Principal, title: string, body: SafeHtml, nav?: Nav) => void;

export interface PageKit {
  app: Express;
  ctx: ServerContext;
  send: Send;
  pageRoute: PageRoute;
  render: Render;
}

export function pageKit(app: Express, ctx: ServerContext): PageKit {
  const send: Send = (res, status, body) => void res.status(status).type('html').send(body);

  const pageRoute: PageRoute = (path, handler, fragment = false) =>
    void app.get(path, async (req: Request, res: Response, _next: NextFunction) => {
      let principal: Principal | undefined;
      try {
        principal = await identify(ctx, req, false);
        if (!principal) {
          if (fragment) return void send(res, 401, 'log in again');
          return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
        }
        await handler(req, res, principal);
      } catch (err) {
        const known = answerFor(outageError(err, ctx.deps.availability) ?? err, req, ctx.log);
        for (const [k, v] of Object.entries(known.extra.headers ?? {})) res.setHeader(k, v);
        const { status, message } = known;
        send(
          res,
          status,
          fragment ? html`<p class="error">${message}</p>`.value : errorPage(principal, status, message),
        );
      }
    });

  const render: Render = (res, principal, title, body, nav) => {
    const csrfToken = ctx.auth.csrfToken(principal);
    send(res, 200, page({ title, principal, body, ...(csrfToken ? { csrfToken } : {}), ...(nav ? { nav } : {}) }));
  };

  return { app, ctx, send, pageRoute, render };
}

/** A read that may hang (a run whose worker is away): undefined after `ms` instead. */
export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([
    p.catch(() => undefined),
    new Promise<undefined>((r) => setTimeout(() => r(undefined), ms).unref()),
  ]);
}

/** A run as its page shows it; 404 for an id that is not one, refused when the person may not read it. */
export async function runView(ctx: ServerContext, runIdRaw: unknown, principal: Principal): Promise<RunView> {
  const runId = runIdSchema.safeParse(runIdRaw);
  if (!runId.success) throw new HttpError(404, 'no such run');
  const state = await ctx.runs.state(runId.data);
  assertMayReadView(runId.data, state, principal);
  const temporalUrl = temporalWorkflowUrl(ctx.deps, runId.data, principal.person);
  return {
    runId: runId.data,
    state,
    runbook: await runbookOfRun(ctx, state),
    me: personOf(principal),
    people: await directoryNames(ctx, personIdsOf(state)),
    ...(temporalUrl ? { temporalUrl } : {}),
  };
}
