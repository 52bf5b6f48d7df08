import type { ErrorRequestHandler } from 'express';
import type { z } from 'zod';
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
  error: { code: string; message: string; issues?: Issue[]; reason?: string };
}

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: HttpStatus,
    message: string,
    readonly extra: { issues?: Issue[]; reason?: string; code?: string; headers?: Record<string, string> } = {},
  ) {
    super(message);
  }

  get code(): string {
    return this.extra.code ?? ERROR_CODES[this.status];
  }

  body(): ErrorBody {
    const { issues, reason } = this.extra;
    return { error: { code: this.code, message: this.message, ...(issues ? { issues } : {}), ...(reason ? { reason } : {}) } };
  }
}

export function issuesFromZod(error: z.ZodError, prefix: (string | number)[] = []): Issue[] {
  return error.issues.map((i) => ({ path: formatPath([...prefix, ...i.path]), message: i.message }));
}

/** body-parser's own errors carry a `type`; map them so bad input never becomes a 500. */
function fromBodyParser(err: unknown): HttpError | undefined {
  const type = (err as { type?: unknown }).type;
  if (type === 'entity.too.large') return new HttpError(413, 'the request body is too large');
  if (type === 'entity.parse.failed') return new HttpError(400, 'the request body is not valid JSON');
  if (type === 'charset.unsupported' || type === 'encoding.unsupported') return new HttpError(415, 'unsupported body encoding');
  if (typeof type === 'string' && type.startsWith('request.')) return new HttpError(400, 'the request body could not be read');
  return undefined;
}

export function toHttpError(err: unknown): HttpError | undefined {
  return err instanceof HttpError ? err : fromBodyParser(err);
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
