import type { Express, NextFunction, Request, Response } from 'express';
import type { Principal } from '../../auth/authenticator';
import { START_RUN_ROLES } from '../../auth/roles';
import { viewTrail } from '../../audit';
import { documentParamsSchema, historyQuerySchema, listRunsQuerySchema, runIdSchema } from '../api';
import { documentPage } from './documentPage';
import type { ServerContext } from '../deps';
import { answerFor, HttpError, humanErrors } from '../errors';
import { identify } from '../route';
import { outageError } from '../unavailable';
import { trailFilter } from '../routes/audit';
import { temporalHistoryLinks, temporalWorkflowUrl } from '../temporalUi';
import { auditPage } from './auditPage';
import { readableReview, runOversight } from '../oversightReviews';
import { reviewParamsSchema } from '../api';
import { oversightPage, reviewPage } from './oversightPage';
import { redButtonView } from '../redButtonView';
import { redButtonQuerySchema } from '../api';
import { reportsPage } from './reportsPage';
import { html, type SafeHtml } from './html';
import { badFiltersNotice, errorPage, filledIn, filterProblems, page } from './layout';
import { registerIdentityPages, safeNext, singleSignOn } from './identityPages';
import { approvalsList, approvalsPage, loginPage, workItems } from './pages';
import { liveRegion, runPage, type RunView } from './runPage';
import { runbookOfRun, startableRunbooks } from './runbookInfo';
import { assertMayReadView, personOf } from '../runAccess';
import { filtersForm, runsTable, startForm, type RunRow } from './runsPage';

/**
 * Server-rendered pages. Every page needs a person (else: to the login page); forms post JSON to
 * the API through app.js with the page's CSRF token, so the UI can do nothing the API refuses.
 */

const STATE_TIMEOUT_MS = 3000;
const APPROVALS_SCAN = 50;
const UNSUCCESSFUL = new Set<string>(['rolled-back', 'rollback-incomplete', 'cancelled']);

type UiHandler = (req: Request, res: Response, principal: Principal) => Promise<void>;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([
    p.catch(() => undefined),
    new Promise<undefined>((r) => setTimeout(() => r(undefined), ms).unref()),
  ]);
}

export function registerUiRoutes(app: Express, ctx: ServerContext): void {
  const send = (res: Response, status: number, body: string) => res.status(status).type('html').send(body);

  const pageRoute = (path: string, handler: UiHandler, fragment = false) =>
    app.get(path, async (req: Request, res: Response, _next: NextFunction) => {
      let principal: Principal | undefined;
      try {
        principal = await identify(ctx, req, false);
        if (!principal) {
          if (fragment) return void send(res, 401, 'log in again');
          return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
        }
        await handler(req, res, principal);
      } catch (err) {
        const known = answerFor(outageError(err) ?? err, req, ctx.log);
        for (const [k, v] of Object.entries(known.extra.headers ?? {})) res.setHeader(k, v);
        const { status, message } = known;
        send(
          res,
          status,
          fragment ? html`<p class="error">${message}</p>`.value : errorPage(principal, status, message),
        );
      }
    });

  const render = (
    res: Response,
    principal: Principal,
    title: string,
    body: SafeHtml,
    nav?: 'runs' | 'approvals' | 'passkeys' | 'reports',
  ) => {
    const csrfToken = ctx.auth.csrfToken(principal);
    send(res, 200, page({ title, principal, body, ...(csrfToken ? { csrfToken } : {}), ...(nav ? { nav } : {}) }));
  };

  const runView = async (runIdRaw: unknown, principal: Principal): Promise<RunView> => {
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
      ...(temporalUrl ? { temporalUrl } : {}),
    };
  };

  // Runs waiting for my roles, and runs in hypercare (their open reports may be mine to resolve).
  const myWork = async (principal: Principal) => {
    const lists = await Promise.all([
      ctx.runs.list(listRunsQuerySchema.parse({ waitingFor: 'me', pageSize: APPROVALS_SCAN }), personOf(principal)),
      ctx.runs.list(listRunsQuerySchema.parse({ state: 'hypercare', pageSize: APPROVALS_SCAN }), personOf(principal)),
    ]);
    const runs = [...new Map(lists.flatMap((l) => l.runs).map((r) => [r.runId, r] as const)).values()];
    const views = await Promise.all(runs.map((r) => withTimeout(runView(r.runId, principal), STATE_TIMEOUT_MS)));
    return views.filter((v): v is RunView => v !== undefined);
  };

  app.get('/', (_req, res) => res.redirect(303, '/runs'));
  // Browsers ask for /favicon.ico whatever the page links.
  app.get('/favicon.ico', (_req, res) => res.redirect(301, '/assets/favicon.svg'));

  app.get('/login', async (req, res) => {
    // The login page must show even when a cookie cannot be checked (the database is away).
    const principal = await identify(ctx, req, false).catch(() => undefined);
    if (principal) return res.redirect(303, safeNext(req.query.next));
    const next = safeNext(req.query.next);
    send(res, 200, page({ title: 'Log in', body: loginPage(next, singleSignOn(ctx, next)) }));
  });

  pageRoute('/runs', async (req, res, principal) => {
    const parsed = listRunsQuerySchema.safeParse(filledIn(req.query), { error: humanErrors });
    const query = parsed.success ? parsed.data : listRunsQuerySchema.parse({});
    const { runs, nextPageToken } = await ctx.runs.list(query, personOf(principal));
    const rows: RunRow[] = await Promise.all(
      runs.map(async (summary) => {
        // Open runs for their current step; failed ones for the reason (ended states are cached).
        const wanted = summary.executionStatus === 'RUNNING' || UNSUCCESSFUL.has(summary.state ?? '');
        const state = wanted ? await withTimeout(ctx.runs.state(summary.runId), STATE_TIMEOUT_MS) : undefined;
        return { summary, ...(state ? { state } : {}) };
      }),
    );
    const filterQuery = new URLSearchParams(
      Object.entries({
        state: query.state,
        system: query.system,
        runbook: query.runbook,
        waitingFor: query.waitingFor,
      }).filter((e): e is [string, string] => !!e[1]),
    ).toString();
    const mayStart = principal.person.roles.some((r) => START_RUN_ROLES.includes(r));
    render(
      res,
      principal,
      'Runs',
      html`<h1>Go-live runs</h1>
      ${!parsed.success && badFiltersNotice(filterProblems(parsed.error.issues))}
      <div class="columns wide-left">
        <section aria-label="Runs">${filtersForm(query)}${runsTable(rows, nextPageToken, filterQuery)}</section>
        ${mayStart ? startForm(await startableRunbooks(ctx), await ctx.directory.list()) : html`<p class="hint">Release managers and implementation engineers start runs.</p>`}
      </div>`,
      'runs',
    );
  });

  pageRoute('/runs/:runId', async (req, res, principal) => {
    const v = await runView(req.params.runId, principal);
    render(res, principal, `${v.state.system} run`, runPage(v), 'runs');
  });

  // Same readers as the API (RunAudit checks); bad filters are ignored with a notice, as on /runs.
  pageRoute('/runs/:runId/audit', async (req, res, principal) => {
    const runId = runIdSchema.safeParse(req.params.runId);
    if (!runId.success) throw new HttpError(404, 'no such run');
    const parsed = historyQuerySchema.safeParse(filledIn(req.query), { error: humanErrors });
    const query = parsed.success ? parsed.data : {};
    const trail = await ctx.audit.trail(runId.data, principal);
    const view = {
      runId: runId.data,
      trail: viewTrail(trail, trailFilter(query)),
      query,
      badFilters: parsed.success ? [] : filterProblems(parsed.error.issues),
      temporalUi: temporalHistoryLinks(ctx.deps, trail.workflowId, trail.runIds, principal.person),
      all: trail.entries,
    };
    render(res, principal, `Audit trail · ${trail.input.system}`, auditPage(view), 'runs');
  });

  // The five deliverables, each a page; the same readers as the audit trail (RunAudit checks).
  pageRoute('/runs/:runId/documents/:documentId', async (req, res, principal) => {
    const params = documentParamsSchema.safeParse(req.params);
    if (!params.success) throw new HttpError(404, `no run with id ${String(req.params.runId)}`);
    const doc = await ctx.audit.document(params.data.runId, principal, params.data.documentId);
    render(
      res,
      principal,
      `${doc.deliverable.title} · ${doc.facts.find(([k]) => k === 'System')?.[1] ?? ''}`,
      documentPage({ runId: params.data.runId, id: doc.deliverable.id, doc }),
      'runs',
    );
  });

  // Bad filters are ignored with a notice, as on /runs.
  pageRoute('/reports', async (req, res, principal) => {
    const parsed = redButtonQuerySchema.safeParse(filledIn(req.query), { error: humanErrors });
    const query = parsed.success ? parsed.data : {};
    const figures = await redButtonView(ctx, principal, query);
    render(
      res,
      principal,
      'Red Button',
      html`${!parsed.success && badFiltersNotice(filterProblems(parsed.error.issues))}${reportsPage(figures, query)}`,
      'reports',
    );
  });

  pageRoute('/runs/:runId/oversight', async (req, res, principal) => {
    const runId = runIdSchema.safeParse(req.params.runId);
    if (!runId.success) throw new HttpError(404, 'no such run');
    const o = await runOversight(ctx, runId.data, principal);
    render(res, principal, `Oversight · ${o.system}`, oversightPage(o), 'runs');
  });

  pageRoute('/reviews/:reviewId', async (req, res, principal) => {
    const params = reviewParamsSchema.safeParse(req.params);
    if (!params.success) throw new HttpError(404, 'no such review');
    const { review, run } = await readableReview(ctx, params.data.reviewId, principal);
    render(res, principal, `Review · ${review.system}`, reviewPage(review, run, personOf(principal)), 'runs');
  });

  pageRoute(
    '/runs/:runId/live',
    async (req, res, principal) => {
      send(res, 200, liveRegion(await runView(req.params.runId, principal)).value);
    },
    true,
  );

  pageRoute('/approvals', async (_req, res, principal) => {
    render(res, principal, 'My approvals', approvalsPage(workItems(await myWork(principal))), 'approvals');
  });

  pageRoute(
    '/approvals/live',
    async (_req, res, principal) => {
      send(res, 200, approvalsList(workItems(await myWork(principal))).value);
    },
    true,
  );

  registerIdentityPages(app, ctx, { send, pageRoute, render });

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
    send(res, 404, errorPage(principal, 404, message));
  });
}
