import type { NextFunction, Request, Response } from 'express';
import { operations, type Operation } from './api';
import { HttpError } from './errors';

/**
 * A request no operation took, on a path some operation serves with another method: 405 with an
 * `Allow` header naming the methods that path takes, in the error shape (`method_not_allowed`),
 * rather than the 404 of a path that does not exist. OPTIONS on such a path is answered 204 with
 * the same `Allow` and no body (Express's own answer was a 200 text/plain that skipped the error
 * shape's design; golive has no CORS, so there is no preflight to answer). The paths come from the
 * operations table, so a new operation is covered without a word here.
 */

/** An Express path (`/api/runs/:runId`) as a pattern matching it the way the router does. */
function patternOf(path: string): RegExp {
  const escaped = path
    .split('/')
    .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  // The router is case-insensitive and not strict about one trailing slash.
  return new RegExp(`^${escaped}/?$`, 'i');
}

const ROUTES = (Object.values(operations) as Operation[]).map((o) => ({
  pattern: patternOf(o.path),
  method: o.method.toUpperCase(),
}));

/**
 * The methods a path takes (HEAD with GET: the router answers it; OPTIONS on every path of an
 * operation: answerOptions below), or none for an unknown path.
 */
export function allowedMethods(path: string): string[] {
  const methods = new Set(ROUTES.filter((r) => r.pattern.test(path)).map((r) => r.method));
  if (methods.size === 0) return [];
  if (methods.has('GET')) methods.add('HEAD');
  methods.add('OPTIONS');
  return ['GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS'].filter((m) => methods.has(m));
}

/** Before the routes (whose router would answer OPTIONS itself): 204 with `Allow` on a path of an operation. */
export function answerOptions(req: Request, res: Response, next: NextFunction): void {
  const allow = req.method === 'OPTIONS' ? allowedMethods(req.path) : [];
  if (allow.length === 0) return next();
  res.setHeader('Allow', allow.join(', '));
  res.status(204).end();
}

/** After every operation's route: a known path with an unknown method is a 405, anything else passes on. */
export function methodNotAllowed(req: Request, _res: Response, next: NextFunction): void {
  const allow = allowedMethods(req.path);
  if (allow.length === 0) return next();
  throw new HttpError(405, `${req.method} is not a method of ${req.path} (it takes ${allow.join(', ')})`, {
    headers: { Allow: allow.join(', ') },
  });
}
