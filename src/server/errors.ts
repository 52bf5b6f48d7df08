import type { ErrorRequestHandler, Request } from 'express';
import {
  isGrpcServiceError,
  QueryNotRegisteredError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { ValueError } from '@temporalio/common';
import type { z } from 'zod';
import { formatPath } from '../runbook/issues';

// The plain words for zod's defaults are shared with the CLI's usage errors.
export { humanErrors } from '../contract/zodWords';

/**
 * The one error mapper of the web app. Every failure is answered in one shape:
 * `{error: {code, message, issues?: [{path, message}]}}` (pages get the same status and message
 * as HTML). Handlers throw `HttpError`; whatever the client caused elsewhere (a malformed
 * percent-escape the router could not decode, a body that is not JSON or too large, a value
 * Temporal cannot store) is mapped to its 4xx here; Temporal being unreachable is a 503. Only
 * what is left, our own bugs, becomes a 500, and only those are logged with their stack, once.
 */

export const ERROR_CODES = {
  400: 'invalid_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
  500: 'internal',
  501: 'not_implemented',
  503: 'unavailable',
} as const;
export type HttpStatus = keyof typeof ERROR_CODES;

/** What an unknown field's issue says: its path names it. */
export const UNKNOWN_FIELD = 'unknown field';

export interface Issue {
  path: string;
  message: string;
}

export interface ErrorBody {
  error: { code: string; message: string; issues?: Issue[]; reason?: string; runId?: string };
}

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: HttpStatus,
    message: string,
    readonly extra: {
      issues?: Issue[];
      reason?: string;
      code?: string;
      headers?: Record<string, string>;
      runId?: string;
    } = {},
  ) {
    super(message);
  }

  get code(): string {
    return this.extra.code ?? ERROR_CODES[this.status];
  }

  body(): ErrorBody {
    const { issues, reason, runId } = this.extra;
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(issues ? { issues } : {}),
        ...(reason ? { reason } : {}),
        ...(runId ? { runId } : {}),
      },
    };
  }
}

/**
 * A request part's zod issues as `{path, message}`. `root` names the part itself (`body`,
 * `query`) where an issue is about all of it, as `null` or `[1]` for a body, so the whole part is
 * named the same way whichever check refused it. An unknown field is one issue per field, at that
 * field's own path (`query.bogus`, `delegations[0].colour`), like every other field's issue.
 */
export function issuesFromZod(error: z.ZodError, prefix: (string | number)[] = [], root?: string): Issue[] {
  const pathOf = (parts: PropertyKey[]) => (parts.length === 0 && root ? root : formatPath(parts));
  const all = error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((key) => ({ path: pathOf([...prefix, ...i.path, key]), message: UNKNOWN_FIELD }))
      : [{ path: pathOf([...prefix, ...i.path]), message: i.message }],
  );
  // An empty field fails its pattern too; "required" alone says what to do.
  const required = new Set(all.filter((i) => i.message === 'required').map((i) => i.path));
  return all.filter((i) => i.message === 'required' || !required.has(i.path));
}

/** body-parser's own errors carry a `type`; map them so bad input never becomes a 500. */
function fromBodyParser(err: unknown): HttpError | undefined {
  const type = (err as { type?: unknown }).type;
  if (type === 'entity.too.large') return new HttpError(413, 'the request body is too large');
  if (type === 'entity.parse.failed') return unparsedBody((err as { body?: unknown }).body);
  if (type === 'charset.unsupported' || type === 'encoding.unsupported')
    return new HttpError(415, 'unsupported body encoding');
  if (typeof type === 'string' && type.startsWith('request.'))
    return new HttpError(400, 'the request body could not be read');
  return undefined;
}

/**
 * body-parser's strict mode refuses JSON whose top level is not an object or array (`null`,
 * `"text"`, `1`) with the same error as broken JSON; say which of the two it was.
 */
/** The path of an issue about a JSON body as a whole (its fields' paths start at the field). */
export const BODY = 'body';

function unparsedBody(raw: unknown): HttpError {
  let json = false;
  try {
    JSON.parse(String(raw));
    json = true;
  } catch {
    // broken JSON: said below
  }
  return json
    ? new HttpError(400, 'the request body must be a JSON object', {
        issues: [{ path: BODY, message: 'must be an object' }],
      })
    : new HttpError(400, 'the request body is not valid JSON');
}

/**
 * The router decodes path parameters with decodeURIComponent; a malformed escape (`%ZZ`, a cut
 * UTF-8 sequence) throws a URIError that carries status 400 but no `expose`.
 */
function fromUriError(err: unknown): HttpError | undefined {
  if (!(err instanceof URIError)) return undefined;
  return new HttpError(400, 'the URL path holds a malformed percent-escape', {
    issues: [{ path: 'params', message: 'is not valid percent-encoded UTF-8' }],
  });
}

/** gRPC status codes the Temporal client reports (google.rpc.Code). */
export const GRPC = { invalidArgument: 3, deadlineExceeded: 4, resourceExhausted: 8, unavailable: 14 } as const;

export function grpcCodeOf(err: unknown): number | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if (isGrpcServiceError(e)) return e.code;
  }
  return undefined;
}

/**
 * What Temporal says about a request: a value its payload converter cannot serialize (the
 * request's content, e.g. nesting too deep for JSON.stringify) is the client's; a server that is
 * unreachable, overloaded or too slow is nobody's bug, so 503 and try again.
 */
function fromTemporal(err: unknown): HttpError | undefined {
  if (err instanceof ValueError)
    return new HttpError(400, 'the request holds a value that cannot be stored (not plain JSON, or nested too deep)');
  if (err instanceof QueryNotRegisteredError) return new HttpError(404, 'no such run');
  const code = grpcCodeOf(err);
  const unavailable =
    code === GRPC.unavailable ||
    code === GRPC.deadlineExceeded ||
    code === GRPC.resourceExhausted ||
    err instanceof WorkflowUpdateRPCTimeoutOrCancelledError;
  if (unavailable)
    return new HttpError(503, 'Temporal did not answer in time: try again shortly', {
      headers: { 'Retry-After': '5' },
    });
  return undefined;
}

/** Client errors from express's own middleware (express.static's missing file: a 404 with `expose` false) keep their status. */
function fromExposed(err: unknown): HttpError | undefined {
  const { status, expose } = err as { status?: unknown; expose?: unknown };
  if (typeof status !== 'number' || !(status in ERROR_CODES) || status >= 500 || (status !== 404 && expose !== true))
    return undefined;
  return new HttpError(status as HttpStatus, status === 404 ? 'no such file' : 'the request was not accepted');
}

function toHttpError(err: unknown): HttpError | undefined {
  return err instanceof HttpError
    ? err
    : (fromBodyParser(err) ?? fromUriError(err) ?? fromTemporal(err) ?? fromExposed(err));
}

export interface ErrorLog {
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

/**
 * The answer for any error, logged where it is ours to look at: a 500 (our bug) once with its
 * stack, a 503 (Temporal unreachable) as a warning. Client errors are not logged here: the
 * refusal log and the metrics count them.
 */
export function answerFor(err: unknown, req: Pick<Request, 'method' | 'originalUrl'>, log: ErrorLog): HttpError {
  const known = toHttpError(err);
  if (known && known.status < 500) return known;
  const where = `${req.method} ${req.originalUrl.slice(0, 300)}`;
  if (known) {
    log.warn(`${where}: ${known.message}`, { error: err instanceof Error ? err.message : String(err) });
    return known;
  }
  log.error(`${where} failed`, { error: err instanceof Error ? err.stack : String(err) });
  return new HttpError(500, 'internal error: the server logged the details');
}

/**
 * The last middleware. `page` renders the answer as HTML for requests that want a page (the
 * UI's routes); the API always answers JSON.
 */
export function errorHandler(
  log: ErrorLog,
  page?: (req: Request, error: HttpError) => Promise<string | undefined>,
): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known = answerFor(err, req, log);
    if (res.headersSent) return;
    for (const [k, v] of Object.entries(known.extra.headers ?? {})) res.setHeader(k, v);
    // The page names who is looking, which takes a session lookup; a failing lookup means JSON.
    void (page?.(req, known) ?? Promise.resolve(undefined))
      .catch(() => undefined)
      .then((html) => {
        if (res.headersSent) return;
        if (html !== undefined) res.status(known.status).type('html').send(html);
        else res.status(known.status).json(known.body());
      });
  };
}
