import type { Router } from 'express';
import { clearSessionCookieHeader, sessionCookieHeader } from '../../auth/sessions';
import { operations } from '../api';
import type { ServerContext } from '../deps';
import { HttpError } from '../errors';
import { buildOpenApi } from '../openapi';
import { route } from '../route';

/** Session, health, metrics and the OpenAPI document. */

const HEALTH_TIMEOUT_MS = 2000;

export function registerSystemRoutes(router: Router, ctx: ServerContext): void {
  route(router, ctx, operations.login, async ({ req, res, body }) => {
    const result = await ctx.auth.login(body.username, body.password, req.socket.remoteAddress ?? 'unknown');
    if (result.kind === 'throttled') {
      throw new HttpError(429, `too many failed logins: try again in ${result.retryAfterSeconds} s`, { headers: { 'Retry-After': String(result.retryAfterSeconds) } });
    }
    if (result.kind === 'invalid') throw new HttpError(401, 'wrong user name or password');
    res.setHeader('Set-Cookie', sessionCookieHeader(result.cookie, result.maxAgeMs, ctx.secureCookies));
    ctx.log.info('login', { user: result.person.id });
    return { user: result.person };
  });

  route(router, ctx, operations.logout, async ({ res, principal }) => {
    ctx.auth.logout(principal);
    res.setHeader('Set-Cookie', clearSessionCookieHeader(ctx.secureCookies));
    res.status(204).end();
    return undefined;
  });

  route(router, ctx, operations.me, async ({ principal }) => ({ user: principal.person, via: principal.via, csrfToken: ctx.auth.csrfToken(principal) }));

  route(router, ctx, operations.healthz, async ({ res }) => {
    const temporal = await Promise.race([
      ctx.deps.client.workflowService.getSystemInfo({}).then(() => 'ok' as const),
      new Promise<'unreachable'>((resolve) => setTimeout(() => resolve('unreachable'), HEALTH_TIMEOUT_MS).unref()),
    ]).catch(() => 'unreachable' as const);
    res.status(temporal === 'ok' ? 200 : 503).json({ status: temporal === 'ok' ? 'ok' : 'degraded', temporal });
    return undefined;
  });

  route(router, ctx, operations.metrics, async ({ res }) => {
    res.type(ctx.metrics.contentType).send(await ctx.metrics.render());
    return undefined;
  });

  const openapi = buildOpenApi(ctx.deps.publicUrl);
  route(router, ctx, operations.openapi, async () => openapi);
}
