import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { requestContext } from '../log';
import type { ServerLog } from './deps';

/**
 * Gives every request an id (the caller's `X-Request-Id` when it is a sane token, else a new
 * UUID), returns it in the response, and runs the request inside requestContext so each log
 * line, and each Temporal call the request makes (see src/temporal/requestIdInterceptor.ts),
 * carries it on to the workflow and its activities. Logs one line per request: changes at info,
 * reads at debug, server errors at error.
 */
const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIds(log: ServerLog) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const incoming = req.get('x-request-id');
    const requestId = incoming && SANE_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    const started = performance.now();
    res.on('finish', () => {
      const line = {
        method: req.method,
        route: routeOf(req),
        status: res.statusCode,
        durationMs: Math.round(performance.now() - started),
      };
      const level = res.statusCode >= 500 ? 'error' : req.method === 'GET' || req.method === 'HEAD' ? 'debug' : 'info';
      requestContext.run({ requestId }, () => log[level]?.('http request', line));
    });
    requestContext.run({ requestId }, next);
  };
}

/** The route pattern, not the URL, so run ids do not explode label sets or log indexes. */
export function routeOf(req: Request): string {
  // express.static leaves req.path relative to its mount: look at the original URL.
  if (req.route) return `${req.baseUrl}${String(req.route.path)}`;
  return req.originalUrl.startsWith('/assets/') ? '/assets' : 'unmatched';
}
