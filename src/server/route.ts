import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { Principal } from '../auth/authenticator';
import { FRESH_LOGIN_MS } from '../auth/sessions';
import type { Operation } from './api';
import { HttpError, humanErrors, issuesFromZod, UNKNOWN_FIELD } from './errors';
import { formatPath } from '../runbook/issues';
import { takesList } from '../runbook/zodWalk';
import type { ServerContext } from './deps';

/**
 * Registers one API operation: identifies the caller, checks CSRF on state-changing requests,
 * parses params, query and body with the operation's schemas, and sends what the handler
 * returns with the operation's status. Handlers see only parsed values.
 */

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;
type BodyOf<O extends Operation> = O['upload'] extends object ? Buffer : Out<O['body']>;

interface Ctx<O extends Operation> {
  req: Request;
  res: Response;
  principal: O['public'] extends true ? Principal | undefined : Principal;
  params: Out<O['params']>;
  query: Out<O['query']>;
  body: BodyOf<O>;
}

/** A handler returns the JSON body, or `undefined` when it wrote the response itself. */
export type Handler<O extends Operation> = (ctx: Ctx<O>) => Promise<unknown>;

const PRINCIPAL_LOCAL = 'principal';

/** A route that takes no query still refuses one: an unknown field is a mistake worth naming. */
const NO_QUERY = z.strictObject({});

function parsePart(schema: z.ZodType | undefined, value: unknown, where: string): unknown {
  if (!schema && where === 'query') schema = NO_QUERY;
  if (!schema) return undefined;
  const result = schema.safeParse(value ?? {}, { error: humanErrors });
  const proto = where === 'body' ? protoFieldPath(value) : undefined;
  const repeated = where === 'query' ? repeatedOnce(schema, value) : [];
  if (!result.success || proto || repeated.length) {
    const zodIssues = result.success ? [] : issuesFromZod(result.error, where === 'body' ? [] : [where], where);
    // A repeated parameter's own issue ("must be one of") would blame its value, not its count.
    const repeatedPaths = repeated.map((key) => formatPath([where, key]));
    const issues = [
      ...repeatedPaths.map((path) => ({ path, message: 'must be given once' })),
      ...zodIssues.filter((i) => !repeatedPaths.some((p) => i.path === p || i.path.startsWith(`${p}[`))),
    ];
    // A strict object names it itself; a record does not.
    const protoPath = proto && formatPath(proto);
    const named = issues.some((i) => i.path === protoPath);
    throw new HttpError(400, `invalid ${where}`, {
      issues: [...(protoPath && !named ? [{ path: protoPath, message: UNKNOWN_FIELD }] : []), ...issues],
    });
  }
  return result.data;
}

/**
 * The query parameters given more than once (`?state=a&state=b`, which the query parser makes a
 * list) where the schema takes one value: only a few take a list (`kind`, the Red Button's `runbook`).
 */
function repeatedOnce(schema: z.ZodType, query: unknown): string[] {
  const shape = (schema as { shape?: Record<string, z.ZodType> }).shape;
  if (!shape || query === null || typeof query !== 'object') return [];
  return Object.entries(query as Record<string, unknown>)
    .filter(([key, v]) => Array.isArray(v) && Object.hasOwn(shape, key) && !takesList(shape[key]!))
    .map(([key]) => key);
}

/**
 * Where a JSON body holds a field named `__proto__`. JSON.parse keeps it as data, but zod's
 * records drop it without a word: a run parameter or a role so named was silently ignored where
 * every other unknown name is refused. Bodies are capped (256 KB), and so is the walk's depth.
 */
function protoFieldPath(value: unknown, path: (string | number)[] = []): (string | number)[] | undefined {
  if (value === null || typeof value !== 'object' || path.length > 64) return undefined;
  if (!Array.isArray(value) && Object.hasOwn(value, '__proto__')) return [...path, '__proto__'];
  for (const [key, child] of Object.entries(value)) {
    const found = protoFieldPath(child, [...path, Array.isArray(value) ? Number(key) : key]);
    if (found) return found;
  }
  return undefined;
}

/** Identifies the caller; 401 for bad credentials, or none where the operation needs some. */
export async function identify(ctx: ServerContext, req: Request, required: boolean): Promise<Principal | undefined> {
  const id = await ctx.auth.identify(req);
  if (id.kind === 'invalid') throw new HttpError(401, id.message);
  if (id.kind === 'anonymous') {
    if (required)
      throw new HttpError(401, 'log in, or send "Authorization: Bearer <token>"', {
        headers: { 'WWW-Authenticate': 'Bearer realm="golive"' },
      });
    return undefined;
  }
  return id.principal;
}

/**
 * Some acts belong to a person at a browser, not to whoever holds a token: handing a token to
 * the CLI, and — after a login within minutes, so a stolen session cannot add a key — passkeys.
 */
function assertSession(principal: Principal, need: 'any' | 'fresh'): void {
  if (principal.via !== 'session')
    throw new HttpError(
      403,
      "this is done in golive's web UI, logged in in a browser (not with an API token or through the proxy)",
    );
  if (need === 'fresh' && Date.now() - principal.session.createdAt > FRESH_LOGIN_MS) {
    throw new HttpError(
      403,
      `log out and in again first: this needs a login within the last ${FRESH_LOGIN_MS / 60_000} minutes (a stolen session cannot add a passkey)`,
      { reason: 'LoginNotFresh' },
    );
  }
}

/** An upload's bytes (express.raw below): a Buffer, empty when nothing was sent. */
function uploaded(op: Operation, body: unknown): Buffer | undefined {
  if (!op.upload) return undefined;
  if (!Buffer.isBuffer(body) || body.length === 0)
    throw new HttpError(400, `send the ${op.upload.type} file as the request body`);
  return body;
}

/** The JSON request body limit when the deployment sets none (AppDeps.bodyLimit). */
export const DEFAULT_BODY_LIMIT = '256kb';

/**
 * The JSON body parser, for the operations that take a body (and the idempotent replays that
 * look into one): nothing else reads a body, so a body sent where none is taken (a GET, a
 * logout) is ignored, never a 400, 413 or 415 the operation does not document.
 */
export function jsonBody(ctx: ServerContext) {
  return express.json({ limit: ctx.deps.bodyLimit ?? DEFAULT_BODY_LIMIT, strict: true });
}

/**
 * Whether the operation looks at who is asking. A public read does not: its answer is the same
 * for everyone, so a liveness probe never waits for the database to look a session up, and a
 * stale token does not turn the document or the signing keys into a 401.
 */
export function readsIdentity(op: Operation): boolean {
  return !op.public || op.method !== 'get';
}

export function route<O extends Operation>(router: Router, ctx: ServerContext, op: O, handler: Handler<O>): void {
  const stateChanging = op.method !== 'get';
  const identified = readsIdentity(op);
  // Who is asking, CSRF and the content type are settled before any body is read, so an
  // anonymous or cross-site request never makes the server buffer a body or an upload.
  const gate = async (req: Request, res: Response, next: NextFunction) => {
    const principal = identified ? await identify(ctx, req, !op.public) : undefined;
    if (principal && stateChanging && !ctx.auth.checkCsrf(principal, req)) {
      throw new HttpError(403, 'missing or wrong CSRF token: reload the page and try again', { code: 'csrf' });
    }
    if (principal && op.session) assertSession(principal, op.session);
    if (op.body && !req.is('application/json')) throw new HttpError(415, 'send the body as application/json');
    if (op.upload && !req.is(op.upload.type)) throw new HttpError(415, `send the body as ${op.upload.type}`);
    res.locals[PRINCIPAL_LOCAL] = principal;
    next();
  };
  const read = op.upload
    ? [express.raw({ type: op.upload.type, limit: op.upload.limit })]
    : op.body
      ? [jsonBody(ctx)]
      : [];
  router[op.method](op.path, gate, ...read, async (req: Request, res: Response) => {
    const principal = res.locals[PRINCIPAL_LOCAL] as Principal | undefined;
    const parsed = {
      params: parsePart(op.params, req.params, 'params'),
      query: parsePart(op.query, req.query, 'query'),
      body: op.upload ? uploaded(op, req.body) : parsePart(op.body, req.body, 'body'),
    };
    const out = await handler({ req, res, principal, ...parsed } as Ctx<O>);
    if (out !== undefined && !res.headersSent) res.status(op.status).json(out);
  });
}
