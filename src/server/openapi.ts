import { maxHeaderSize } from 'node:http';
import { z } from 'zod';
import { operations, type Operation, type OperationErrorStatus } from './api';
import type { HttpStatus } from './errors';
import { DEFAULT_BODY_LIMIT, readsIdentity } from './route';
import { STATUS_BY_REFUSAL } from './temporalRuns';
import { FRESH_LOGIN_MS } from '../auth/sessions';
import { REFUSAL_TYPES } from '../contract/definitions';

/**
 * /api/openapi.json, generated from the operations table and its zod schemas: what the document
 * says is exactly what the router parses.
 */

function schemaOf(s: z.ZodType, io: 'input' | 'output' = 'input'): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

function parametersOf(s: z.ZodType | undefined, where: 'path' | 'query'): unknown[] {
  if (!s) return [];
  const json = schemaOf(s) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, schema]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema,
  }));
}

const IDEMPOTENCY_PARAMETER = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Any unique string of 1–200 visible ASCII characters (a UUID). The message is applied at most once per key, person and kind of message (the same key on this operation and on another is two messages); sending it again with the same key (after a lost answer or a 503) returns the first outcome (Temporal keeps the Update id), marked with the response header Idempotent-Replayed: true when the web server answering took the first attempt or the decision carries a passkey.',
  schema: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[\\x21-\\x7e]{1,200}$' },
};

/** A path parameter in words, for the 404 that names nothing there. */
const NAMED_BY: Record<string, string> = {
  runId: 'run (a run you may not read is none either)',
  stepId: 'step in the run (UnknownStep)',
  reportId: 'report in the run (UnknownReport)',
  reviewId: 'oversight review (or one of a run you may not read)',
  documentId: 'deliverable (the message lists the five)',
  credentialId: 'passkey of yours',
};

/** The refusal types a judged message comes back with at this status (`reason`). */
function refusalsAt(status: HttpStatus): string {
  const types = Object.entries(STATUS_BY_REFUSAL).filter(([, s]) => s === status);
  return types.map(([type]) => type).join(', ');
}

function pathParamsOf(o: Operation): string[] {
  if (!o.params) return [];
  return Object.keys((schemaOf(o.params) as { properties?: Record<string, unknown> }).properties ?? {});
}

/**
 * The error statuses an operation can answer, each with why, derived from its definition the way
 * route() treats it: every request's parameters and query are parsed (a route without a query
 * refuses any); a body or upload can be malformed, too large or of another type; whoever is asked
 * who they are may have bad credentials (and golive's database, which holds sessions and tokens,
 * may be away); a state-changing request from a browser needs its CSRF token; a path parameter
 * may name nothing; a judged message may be refused. The handler's own answers come from `errors`.
 */
/**
 * What any request may meet before it reaches an operation: Node's HTTP parser refuses it
 * (malformedRequests.ts answers in the error shape), or no operation takes its method on its
 * path (methodNotAllowed.ts). Said once here, not under every operation: no operation's
 * definition causes it.
 */
const API_DESCRIPTION =
  'Go-live runbooks for AI systems, on Temporal. Every error answers in the Error schema. Before any ' +
  `operation, the HTTP server answers any path 431 (code invalid_request) when the request's headers ` +
  `are over ${maxHeaderSize} bytes in all (Node's limit), and 400 (code invalid_request) when the request ` +
  'cannot be read as HTTP (a header holding a control character, a malformed request line); and any path ' +
  'of this document asked with a method it does not take (POST /api/runs/{runId}, DELETE /healthz) is ' +
  'answered 405 (code method_not_allowed) with an Allow header listing the methods the path takes (HEAD ' +
  'wherever GET is, OPTIONS everywhere), and asked with OPTIONS is answered 204 with that Allow header and ' +
  'no body (there is no CORS: a browser on another origin gets no Access-Control headers); a path of none ' +
  'is 404 (code not_found); these are not listed under each operation.';

export function errorAnswers(o: Operation): Partial<Record<OperationErrorStatus, string>> {
  const why: Partial<Record<OperationErrorStatus, string[]>> = {};
  const add = (status: OperationErrorStatus, reason: string) => (why[status] ??= []).push(reason);
  const params = pathParamsOf(o);
  const body = o.body ? 'body' : o.upload ? 'upload' : undefined;
  const parts = [
    params.length ? 'path' : '',
    o.query ? 'query' : '',
    body ?? '',
    o.idempotent ? 'Idempotency-Key' : '',
  ];
  add(
    400,
    `invalid ${parts.filter(Boolean).join(', ') || 'request'}: \`issues\` name each field${o.query ? '' : ' (it takes no query: any query field is refused)'}`,
  );
  if (readsIdentity(o)) {
    add(
      401,
      o.public
        ? 'credentials sent that are not valid (an expired session or token)'
        : 'no credentials, or ones that are not valid',
    );
    if (o.method !== 'get') add(403, 'a browser session without the right x-csrf-token header (`code: csrf`)');
    if (o.session)
      add(
        403,
        `an API token: only a browser session may do this${o.session === 'fresh' ? `, logged in within the last ${FRESH_LOGIN_MS / 60_000} minutes (reason LoginNotFresh)` : ''}`,
      );
    add(503, "golive's database or Temporal is unreachable, or too busy to answer in time (Retry-After)");
  }
  if (params.length) add(404, `no such ${params.map((p) => NAMED_BY[p] ?? p).join(', or ')}`);
  if (o.body) add(413, `the JSON body is over the server's limit (${DEFAULT_BODY_LIMIT} unless configured)`);
  if (o.upload)
    add(413, `the upload is over ${o.upload.limit}${o.upload.unpacked ? ', or unpacks beyond its limits' : ''}`);
  if (body) add(415, `the body is not sent as ${o.upload?.type ?? 'application/json'}`);
  if (o.message) {
    add(400, `the workflow finds the message invalid (reason ${refusalsAt(400)})`);
    add(403, `the workflow refuses you this (reason ${refusalsAt(403)})`);
    add(409, `the workflow refuses it now (reason ${refusalsAt(409)})`);
    if (o.message === 'run')
      add(503, 'the run takes no more messages right now, or did not answer in time (`code: run_busy`)');
  }
  for (const [status, reason] of Object.entries(o.errors ?? {})) add(Number(status) as OperationErrorStatus, reason);
  return Object.fromEntries(Object.entries(why).map(([status, reasons]) => [status, reasons.join('; ')]));
}

function errorResponse(description: string, body?: z.ZodType): Record<string, unknown> {
  const schema = body ? schemaOf(body, 'output') : { $ref: '#/components/schemas/Error' };
  return { description, content: { 'application/json': { schema } } };
}

function operationObject(id: string, o: Operation): Record<string, unknown> {
  const bodies: Partial<Record<string, z.ZodType>> = o.errorBodies ?? {};
  const errors = Object.fromEntries(
    Object.entries(errorAnswers(o)).map(([status, description]) => [
      status,
      errorResponse(description, bodies[status]),
    ]),
  );
  return {
    operationId: id,
    summary: o.summary,
    tags: [o.tag],
    ...(o.public ? { security: [] } : {}),
    parameters: [
      ...parametersOf(o.params, 'path'),
      ...parametersOf(o.query, 'query'),
      ...(o.idempotent ? [IDEMPOTENCY_PARAMETER] : []),
    ],
    ...requestBodyOf(o),
    responses: { [String(o.status)]: successOf(o), ...errors },
  };
}

function requestBodyOf(o: Operation): Record<string, unknown> {
  if (o.body) return { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(o.body) } } } };
  if (o.upload) {
    const description = `${o.upload.description} (at most ${o.upload.limit}; larger bodies get 413)${o.upload.unpacked ? `; ${o.upload.unpacked}` : ''}`;
    return {
      requestBody: {
        required: true,
        description,
        content: { [o.upload.type]: { schema: { type: 'string', format: 'binary' } } },
      },
    };
  }
  return {};
}

/** A media type's schema: a JSON answer's documented schema; text as a string; anything else as bytes. */
function mediaOf(type: string, o: Operation): Record<string, unknown> {
  if (type === 'application/json' && o.response) return { schema: schemaOf(o.response, 'output') };
  if (type.startsWith('text/')) return { schema: { type: 'string' } };
  return { schema: { type: 'string', format: 'binary' } };
}

/**
 * The success answer: its JSON schema, or each media type it can have (`produces`, or the
 * `formats` a query picks between), with what it is in words; a 204 has no content.
 */
function successOf(o: Operation): Record<string, unknown> {
  const types = o.formats ?? (o.produces ? [o.produces] : o.response ? ['application/json'] : []);
  const content = types.length ? { content: Object.fromEntries(types.map((t) => [t, mediaOf(t, o)])) } : {};
  const headers = o.headers
    ? {
        headers: Object.fromEntries(
          Object.entries(o.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }]),
        ),
      }
    : {};
  return { description: o.answer ?? (o.status === 204 ? 'No content' : 'Success'), ...content, ...headers };
}

export function buildOpenApi(serverUrl?: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [id, o] of Object.entries(operations) as [string, Operation][]) {
    const path = o.path.replace(/:([A-Za-z]+)/g, '{$1}');
    (paths[path] ??= {})[o.method] = operationObject(id, o);
  }
  return {
    openapi: '3.1.0',
    info: { title: 'golive API', version: '1', description: API_DESCRIPTION },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    security: [{ bearer: [] }, { session: [] }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API token from the users file' },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'golive_session',
          description: 'Browser session; state-changing requests also need the x-csrf-token header',
        },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string' },
                message: { type: 'string' },
                reason: {
                  type: 'string',
                  description: `Why the run (or the server on its behalf) refused the message: the run's refusal types are ${Object.values(REFUSAL_TYPES).join(', ')} (UnknownStep and UnknownEvidenceItem, 404, name the step or the evidence item the run does not have; NotInHypercare, 409, is a Red Button report from someone who may report (anyone else hears NotAuthorized first) sent to an open run not in hypercare (before it, or whose runbook has none), RunClosed, 409, a message to a run that has ended or is rolling back, except that a stop, a rollback request, a Red Button report or an acknowledgement or resolution of one from someone who may never make it in this run is NotAuthorized, 403, whatever the run's state: authority is judged first); the server's own: NoPasskey (409: a step decided with a passkey, and the person has none registered)`,
                },
                runId: {
                  type: 'string',
                  description: 'The run in the way (a start refused because its target has a go-live in flight)',
                },
                issues: {
                  type: 'array',
                  description:
                    'One per bad field, at its path: a body field from the body (`system`, `delegations[0].reason`), a query or path parameter under `query.` or `params.` (`query.state`); an unknown field at its own path with the message `unknown field`; a query parameter that takes one value given more than once with `must be given once`; a body that is not a JSON object at `body`.',
                  items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } },
                },
              },
            },
          },
        },
      },
    },
    paths,
  };
}
