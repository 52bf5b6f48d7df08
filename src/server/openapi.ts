import { z } from 'zod';
import { operations, type Operation } from './api';
import { ERROR_CODES } from './errors';
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
    'Any unique string of 1–200 visible ASCII characters (a UUID). The message is applied at most once per key and person; sending it again with the same key (after a lost answer or a 503) returns the first outcome (Temporal keeps the Update id), marked with the response header Idempotent-Replayed: true when the web server answering took the first attempt or the decision carries a passkey.',
  schema: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[\\x21-\\x7e]{1,200}$' },
};

const errorResponse = {
  description: 'An error: `{error: {code, message, issues?: [{path, message}]}}`',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
};

function operationObject(id: string, o: Operation): Record<string, unknown> {
  const errors = Object.fromEntries(
    (Object.keys(ERROR_CODES) as string[])
      // Not an operation's answer: 405 (a method the path has no operation for), 500 (a defect), 501.
      .filter((s) => !['405', '500', '501'].includes(s))
      .map((status) => [status, errorResponse]),
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

function successOf(o: Operation): Record<string, unknown> {
  const json = o.response ? { content: { 'application/json': { schema: schemaOf(o.response, 'output') } } } : {};
  const binary =
    o.produces === 'application/zip'
      ? { content: { 'application/zip': { schema: { type: 'string', format: 'binary' } } } }
      : {};
  const text =
    o.produces === 'text/plain' || o.produces === 'text/csv' || o.produces === 'text/html'
      ? { content: { [o.produces]: {} } }
      : o.formats
        ? { content: Object.fromEntries(o.formats.map((t) => [t, {}])) }
        : {};
  const headers = o.headers
    ? {
        headers: Object.fromEntries(
          Object.entries(o.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }]),
        ),
      }
    : {};
  return { description: 'Success', ...json, ...binary, ...text, ...headers };
}

export function buildOpenApi(serverUrl?: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [id, o] of Object.entries(operations) as [string, Operation][]) {
    const path = o.path.replace(/:([A-Za-z]+)/g, '{$1}');
    (paths[path] ??= {})[o.method] = operationObject(id, o);
  }
  return {
    openapi: '3.1.0',
    info: { title: 'golive API', version: '1', description: 'Go-live runbooks for AI systems, on Temporal.' },
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
                  description: `Why the run (or the server on its behalf) refused the message: the run's refusal types are ${Object.values(REFUSAL_TYPES).join(', ')} (UnknownStep and UnknownEvidenceItem, 404, name the step or the evidence item the run does not have; NotInHypercare, 409, is a Red Button report sent to an open run not in hypercare (before it, or whose runbook has none), RunClosed, 409, a message to a run that has ended or is rolling back); the server's own: NoPasskey (409: a step decided with a passkey, and the person has none registered)`,
                },
                runId: {
                  type: 'string',
                  description: 'The run in the way (a start refused because the system has a go-live in flight)',
                },
                issues: {
                  type: 'array',
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
