import fc from 'fast-check';
import { zipSync } from 'fflate';
import { mutated, toJson, valid, type JsonSchema } from './schemaArbitrary';

/**
 * Generated HTTP requests for the fuzz test, built from the OpenAPI document: every operation
 * with path parameters (known runs and steps, made-up ones, malformed percent-escapes), query
 * parameters (valid, wrong, stray, repeated, malformed), bodies (valid from the schema, near
 * misses, not JSON, too deep, too large, zip bombs), headers and identities (tokens, session
 * cookies with and without CSRF, forged ones, nobody). Plus the UI's pages.
 */

export interface FuzzRequest {
  /** Operation label for the tally: `POST /api/runs/{runId}/stop`. */
  op: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** The run the request addresses, if one of ours. */
  run?: string;
}

export interface FuzzContext {
  /** Run ids by state. */
  runs: Record<string, string>;
  stepIds: string[];
  tokens: Record<string, string>;
  session: { cookie: string; csrf: string };
}

interface OpenApiOperation {
  parameters?: { name: string; in: 'path' | 'query'; schema: JsonSchema }[];
  requestBody?: { content: Record<string, { schema?: JsonSchema }> };
  /** Status → answer: the success and every error status the operation can answer. */
  responses?: Record<string, unknown>;
}
export type OpenApiDocument = { paths: Record<string, Record<string, OpenApiOperation>> };

export const MALFORMED = [
  '%',
  '%ZZ',
  '%E0%A4%A',
  '%C0%AE%C0%AE',
  '%FF',
  '%00',
  '%2F..%2F',
  '..',
  '%25%',
  'a%20b%',
  '%uD800',
  '%F0%9F%98',
];
const malformed = fc.constantFrom(...MALFORMED);

function pathValue(name: string, schema: JsonSchema, ctx: FuzzContext): fc.Arbitrary<{ text: string; run?: string }> {
  const made = valid(schema).map((v) => ({ text: encodeURIComponent(String(v)) }));
  const bad = malformed.map((text) => ({ text }));
  if (name === 'runId') {
    const known = fc.constantFrom(...Object.values(ctx.runs)).map((run) => ({ text: run, run }));
    return fc.oneof(
      { weight: 8, arbitrary: known },
      { weight: 1, arbitrary: made },
      { weight: 1, arbitrary: fc.constant({ text: 'golive-nothing-00000000' }) },
      { weight: 2, arbitrary: bad },
    );
  }
  const named = name === 'stepId' ? fc.constantFrom(...ctx.stepIds) : fc.constantFrom('report-1', 'r-1', 'nope');
  return fc.oneof(
    { weight: 5, arbitrary: named.map((text) => ({ text })) },
    { weight: 2, arbitrary: made },
    { weight: 2, arbitrary: bad },
  );
}

function queryString(params: { name: string; schema: JsonSchema }[]): fc.Arbitrary<string> {
  const one = (p: { name: string; schema: JsonSchema }) =>
    fc.oneof(
      {
        weight: 4,
        arbitrary: valid(p.schema).map((v) =>
          Array.isArray(v)
            ? v.map((x) => `${p.name}=${encodeURIComponent(String(x))}`).join('&')
            : `${p.name}=${encodeURIComponent(String(v))}`,
        ),
      },
      { weight: 1, arbitrary: fc.string({ maxLength: 20 }).map((v) => `${p.name}=${encodeURIComponent(v)}`) },
      { weight: 1, arbitrary: malformed.map((m) => `${p.name}=${m}`) },
      { weight: 1, arbitrary: fc.constant(`${p.name}=a&${p.name}=b`) },
    );
  const stray = fc.oneof(
    fc.constant('x=1'),
    fc.constant('pageToken=Zm9v.AAAA'),
    fc.constant('%ZZ=1'),
    fc.constant('a[b]=1&a[c]=2'),
  );
  return fc
    .tuple(fc.subarray(params), fc.option(stray, { freq: 4 }))
    .chain(([picked, extra]) =>
      fc.tuple(...picked.map(one)).map((parts) => [...parts, ...(extra ? [extra] : [])].join('&')),
    );
}

function jsonBody(schema: JsonSchema | undefined): fc.Arbitrary<string | undefined> {
  const base = schema ?? { type: 'object', properties: {}, additionalProperties: false };
  return fc.oneof(
    { weight: 4, arbitrary: valid(base).map(toJson) },
    { weight: 4, arbitrary: mutated(base).map(toJson) },
    { weight: 1, arbitrary: fc.constantFrom('{"a":', 'null', '[]', '"text"', 'not json', '{"__proto__":{"x":1}}', '') },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constant(`{"x":"${'y'.repeat(300 * 1024)}"}`) },
  );
}

const TINY_BOMB = zipSync({ 'd/manifest.json': new Uint8Array(4 * 1024 * 1024) }, { level: 9 });

function uploadBody(): fc.Arbitrary<Uint8Array | string> {
  return fc.oneof(
    fc.uint8Array({ maxLength: 2_000 }),
    fc
      .dictionary(fc.stringMatching(/^d\/[a-z.]{1,12}$/), fc.uint8Array({ maxLength: 500 }), { maxKeys: 4 })
      .map((files) => zipSync(files)),
    fc.constant(TINY_BOMB),
    fc.constant(''),
  );
}

function identity(ctx: FuzzContext, stateChanging: boolean): fc.Arbitrary<Record<string, string>> {
  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
  return fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...Object.values(ctx.tokens)).map(bearer) },
    { weight: 1, arbitrary: fc.constant<Record<string, string>>({}) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((t) => bearer(`glt_${t.replace(/[^\x21-\x7e]/g, 'x')}`)) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<Record<string, string>>(
        { authorization: 'Basic YTpi' },
        { authorization: 'Bearer' },
        { cookie: 'golive_session=%ZZ' },
        { cookie: 'golive_session=e30.forged' },
      ),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom<Record<string, string>>(
        { cookie: ctx.session.cookie, ...(stateChanging ? { 'x-csrf-token': ctx.session.csrf } : {}) },
        { cookie: ctx.session.cookie, 'x-csrf-token': 'forged' },
      ),
    },
  );
}

function contentType(upload: boolean): fc.Arbitrary<Record<string, string>> {
  const right = upload ? 'application/zip' : 'application/json';
  return fc.oneof(
    { weight: 8, arbitrary: fc.constant<Record<string, string>>({ 'content-type': right }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<Record<string, string>>(
        {},
        { 'content-type': 'text/plain' },
        { 'content-type': 'application/json; charset=utf-16' },
        { 'content-type': 'application/x-www-form-urlencoded' },
        { 'content-type': 'multipart/form-data; boundary=x' },
      ),
    },
  );
}

function apiRequest(
  ctx: FuzzContext,
  template: string,
  method: string,
  op: OpenApiOperation,
): fc.Arbitrary<FuzzRequest> {
  const params = op.parameters ?? [];
  const pathParams = params.filter((p) => p.in === 'path');
  const upload = !!op.requestBody?.content['application/zip'];
  const hasBody = !!op.requestBody;
  const stateChanging = method !== 'get';
  // Logging out the fuzz's own session would turn later cookie requests into plain 401s.
  const who =
    template === '/api/session' && method === 'delete'
      ? identity(ctx, false).filter((h) => !h.cookie)
      : identity(ctx, stateChanging);
  return fc
    .record({
      values: fc.tuple(...pathParams.map((p) => pathValue(p.name, p.schema, ctx))),
      query: queryString(params.filter((p) => p.in === 'query')),
      who,
      type: hasBody ? contentType(upload) : fc.constant({}),
      body: upload
        ? uploadBody()
        : hasBody
          ? jsonBody(op.requestBody?.content['application/json']?.schema)
          : fc.constant(undefined),
      accept: fc.constantFrom('application/json', '*/*', 'text/html'),
    })
    .map(({ values, query, who: headers, type, body, accept }) => {
      let filled = template;
      pathParams.forEach((p, i) => (filled = filled.replace(`{${p.name}}`, values[i]!.text)));
      const run = values.find((v) => v.run)?.run;
      return {
        op: `${method.toUpperCase()} ${template}`,
        method: method.toUpperCase(),
        path: query ? `${filled}?${query}` : filled,
        headers: { accept, ...headers, ...type },
        ...(body !== undefined ? { body } : {}),
        ...(run ? { run } : {}),
      };
    });
}

const UI_PAGES = [
  '/runs',
  '/runs/{runId}',
  '/runs/{runId}/audit',
  '/runs/{runId}/live',
  '/approvals',
  '/approvals/live',
  '/login',
  '/',
  '/favicon.ico',
  '/assets/{file}',
  '/{file}',
];

function pageRequest(ctx: FuzzContext, template: string): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      runId: pathValue('runId', { type: 'string' }, ctx),
      file: fc.oneof(
        fc.constantFrom('app.mjs', 'style.css', 'nope.js'),
        malformed,
        fc.string({ maxLength: 12 }).map(encodeURIComponent),
      ),
      query: queryString([
        { name: 'state', schema: { type: 'string', enum: ['waiting', 'hypercare'] } },
        { name: 'pageToken', schema: { type: 'string' } },
        { name: 'kind', schema: { type: 'string', enum: ['decision'] } },
        { name: 'next', schema: { type: 'string' } },
      ]),
      who: identity(ctx, false),
    })
    .map(({ runId, file, query, who }) => {
      const path = template.replace('{runId}', runId.text).replace('{file}', file);
      return {
        op: `GET ${template} (page)`,
        method: 'GET',
        path: query ? `${path}?${query}` : path,
        headers: { accept: 'text/html', ...who },
        ...(runId.run && template.includes('{runId}') ? { run: runId.run } : {}),
      };
    });
}

/** Every operation of the document and every page, weighted towards the run-scoped ones. */
export function requestArbitrary(
  doc: OpenApiDocument,
  ctx: FuzzContext,
): { arbitrary: fc.Arbitrary<FuzzRequest>; operations: string[] } {
  const ops: { weight: number; arbitrary: fc.Arbitrary<FuzzRequest> }[] = [];
  const operations: string[] = [];
  for (const [template, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      operations.push(`${method.toUpperCase()} ${template}`);
      // Logins cost a scrypt hash each, a trail or dossier the whole history: enough to cover
      // those routes, not to spend the run on them.
      const costly = /\/(history|dossier)$/.test(template);
      const weight =
        template === '/api/session' && method === 'post' ? 1 : costly ? 3 : template.includes('{runId}') ? 12 : 4;
      ops.push({ weight, arbitrary: apiRequest(ctx, template, method, op) });
    }
  }
  for (const page of UI_PAGES) {
    operations.push(`GET ${page} (page)`);
    ops.push({
      weight: page.endsWith('/audit') ? 1 : page.includes('{runId}') ? 3 : 2,
      arbitrary: pageRequest(ctx, page),
    });
  }
  return { arbitrary: fc.oneof(...ops), operations };
}
