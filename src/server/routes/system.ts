import type { Router } from 'express';
import { clientAddress } from '../../auth/proxy';
import { clearSessionCookieHeader, sessionCookieHeader } from '../../auth/sessions';
import { operations } from '../api';
import type { ServerContext } from '../deps';
import { HttpError } from '../errors';
import { RETRY_AFTER_SECONDS } from '../unavailable';
import { buildOpenApi } from '../openapi';
import { route } from '../route';
import { readiness } from '../readiness';

/** Session, health, metrics and the OpenAPI document. */

export function registerSystemRoutes(router: Router, ctx: ServerContext): void {
  route(router, ctx, operations.login, async ({ req, res, body }) => {
    const result = await ctx.auth.login(body.username, body.password, clientAddress(req, ctx.deps.trustedProxy));
    if (result.kind === 'throttled') {
      throw new HttpError(429, `too many failed logins: try again in ${result.retryAfterSeconds} s`, {
        headers: { 'Retry-After': String(result.retryAfterSeconds) },
      });
    }
    if (result.kind === 'invalid') throw new HttpError(401, 'wrong user name or password');
    res.setHeader('Set-Cookie', sessionCookieHeader(result.cookie, result.maxAgeMs, ctx.secureCookies));
    ctx.log.info('login', { user: result.person.id });
    return { user: result.person };
  });

  route(router, ctx, operations.logout, async ({ res, principal }) => {
    await ctx.auth.logout(principal);
    res.setHeader('Set-Cookie', clearSessionCookieHeader(ctx.secureCookies));
    res.status(204).end();
    return undefined;
  });

  route(router, ctx, operations.me, async ({ principal }) => ({
    user: principal.person,
    via: principal.via,
    csrfToken: ctx.auth.csrfToken(principal),
  }));

  // Alive: the process answers. Orchestrators restart what fails this, so it checks nothing else.
  route(router, ctx, operations.healthz, async () => ({ status: 'ok' }));

  // Ready: Temporal and the database answer. Load balancers send traffic only where this is 200.
  route(router, ctx, operations.readyz, async ({ res }) => {
    const report = await readiness(ctx);
    if (!report.ready) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    res.status(report.ready ? 200 : 503).json(report.body);
    return undefined;
  });

  route(router, ctx, operations.metrics, async ({ res }) => {
    res.type(ctx.metrics.contentType).send(await ctx.metrics.render());
    return undefined;
  });

  const openapi = buildOpenApi(ctx.deps.publicUrl);
  route(router, ctx, operations.openapi, async () => openapi);
}
