import type { ErrorRequestHandler } from 'express';
import type { z } from 'zod';
import type { core } from 'zod';
import { formatPath } from '../runbook/issues';

/**
 * One error shape for every failure the API reports:
 * `{error: {code, message, issues?: [{path, message}]}}`. Handlers throw `HttpError`; the error
 * middleware writes it. Anything else becomes a 500 with a generic message (and is logged).
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
    readonly extra: { issues?: Issue[]; reason?: string; code?: string; headers?: Record<string, string>; runId?: string } = {},
  ) {
    super(message);
  }

  get code(): string {
    return this.extra.code ?? ERROR_CODES[this.status];
  }

  body(): ErrorBody {
    const { issues, reason, runId } = this.extra;
    return { error: { code: this.code, message: this.message, ...(issues ? { issues } : {}), ...(reason ? { reason } : {}), ...(runId ? { runId } : {}) } };
  }
}

export function issuesFromZod(error: z.ZodError, prefix: (string | number)[] = []): Issue[] {
  const all = error.issues.map((i) => ({ path: formatPath([...prefix, ...i.path]), message: i.message }));
  // An empty field fails its pattern too; "required" alone says what to do.
  const required = new Set(all.filter((i) => i.message === 'required').map((i) => i.path));
  return all.filter((i) => i.message === 'required' || !required.has(i.path));
}

const list = (values: readonly unknown[]) => values.map((v) => String(v)).join(', ');

/**
 * Plain words for zod's defaults, for every request the server parses (pass it as the parse's
 * `error`): a missing or empty field is "required", a wrong choice lists the allowed ones.
 * Messages a schema sets itself ("a rejection needs a comment") still win.
 */
export const humanErrors: core.$ZodErrorMap = (iss) => {
  switch (iss.code) {
    case 'invalid_type':
      if (iss.input === undefined) return 'required';
      return `must be ${iss.expected === 'array' ? 'a list' : `a ${iss.expected}`}`;
    case 'too_small':
      if (iss.origin === 'string' && Number(iss.minimum) === 1) return 'required';
      if (iss.origin === 'array' && Number(iss.minimum) === 1) return 'needs at least one value';
      if (iss.origin === 'string') return `must be at least ${String(iss.minimum)} characters`;
      return `must be at least ${String(iss.minimum)}`;
    case 'too_big':
      if (iss.origin === 'string') return `must be at most ${String(iss.maximum)} characters`;
      if (iss.origin === 'array') return `must have at most ${String(iss.maximum)} values`;
      return `must be at most ${String(iss.maximum)}`;
    case 'invalid_value':
      return iss.values.length === 1 ? `must be ${String(iss.values[0])}` : `must be one of: ${list(iss.values)}`;
    case 'unrecognized_keys':
      return `unknown field${iss.keys.length > 1 ? 's' : ''}: ${iss.keys.join(', ')}`;
    case 'invalid_union': {
      const { options, discriminator } = iss as { options?: unknown[]; discriminator?: string };
      if (iss.note === 'No matching discriminator' && options) {
        const given = discriminator && iss.input && typeof iss.input === 'object' ? (iss.input as Record<string, unknown>)[discriminator] : iss.input;
        return given === undefined ? `required (one of: ${list(options)})` : `must be one of: ${list(options)}`;
      }
      // A value-or-list union (?kind=a&kind=b): say what a value may be.
      const choice = iss.errors.flat().find((e) => e.code === 'invalid_value');
      return choice?.message ?? (iss.input === undefined ? 'required' : undefined);
    }
    default:
      return undefined;
  }
};

/** body-parser's own errors carry a `type`; map them so bad input never becomes a 500. */
function fromBodyParser(err: unknown): HttpError | undefined {
  const type = (err as { type?: unknown }).type;
  if (type === 'entity.too.large') return new HttpError(413, 'the request body is too large');
  if (type === 'entity.parse.failed') return new HttpError(400, 'the request body is not valid JSON');
  if (type === 'charset.unsupported' || type === 'encoding.unsupported') return new HttpError(415, 'unsupported body encoding');
  if (typeof type === 'string' && type.startsWith('request.')) return new HttpError(400, 'the request body could not be read');
  return undefined;
}

/** Client errors from express's own middleware (express.static's missing file: a 404 with `expose` false) keep their status. */
function fromExposed(err: unknown): HttpError | undefined {
  const { status, expose } = err as { status?: unknown; expose?: unknown };
  if (typeof status !== 'number' || !(status in ERROR_CODES) || status >= 500 || (status !== 404 && expose !== true)) return undefined;
  return new HttpError(status as HttpStatus, status === 404 ? 'no such file' : 'the request was not accepted');
}

export function toHttpError(err: unknown): HttpError | undefined {
  return err instanceof HttpError ? err : (fromBodyParser(err) ?? fromExposed(err));
}

export function errorHandler(log: (message: string, err: unknown) => void): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known = toHttpError(err) ?? new HttpError(500, 'internal error: the server logged the details');
    if (known.status === 500) log(`${req.method} ${req.originalUrl} failed`, err);
    if (res.headersSent) return;
    for (const [k, v] of Object.entries(known.extra.headers ?? {})) res.setHeader(k, v);
    res.status(known.status).json(known.body());
  };
}
