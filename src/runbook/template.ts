import { listNames, type Issue, type IssuePath } from './issues';
import { fillAnalysis } from './analysis';
import { fillWatch } from './watch';
import type { ActionCall, Runbook } from '../contract/schemas/runbook';
import { plainTextProblem, quoteValue } from '../contract/freeText';

/**
 * Run parameters: checking the values a run is started with, and filling `${params.name}`
 * placeholders in action params. `${secrets.NAME}` placeholders are left exactly as written:
 * activities resolve them at call time, so no secret ever lands in workflow history.
 * Pure.
 */

export type ParamValue = string | number | boolean;
export type ParamValues = Record<string, ParamValue>;
type ParamType = Runbook['parameters'][string]['type'];

const PARAM = /\$\{params\.([A-Za-z][A-Za-z0-9_]*)\}/g;
const WHOLE_PARAM = /^\$\{params\.([A-Za-z][A-Za-z0-9_]*)\}$/;
/** Any `${...}`, to catch typos such as `${param.x}` or `${secret.X}`. */
const ANY_PLACEHOLDER = /\$\{([^}]*)\}/g;
const KNOWN_PLACEHOLDER =
  /^(params\.[A-Za-z][A-Za-z0-9_]*|secrets\.[A-Za-z_][A-Za-z0-9_]*|evidence\.[a-z0-9][a-z0-9-]*\.[a-z0-9][a-z0-9-]*)$/;

export interface PlaceholderUse {
  path: IssuePath;
  /** For `${params.x}`: "x". */
  param?: string;
  /** For `${evidence.step.item}` (filled by the run from that evidence when the action runs). */
  evidence?: { stepId: string; itemId: string };
  /** The whole placeholder when it is neither `${params.x}`, `${secrets.X}` nor `${evidence.step.item}`. */
  unknown?: string;
}

/** Every placeholder in a value (strings nested anywhere in objects and lists). */
export function placeholdersIn(value: unknown, path: IssuePath = []): PlaceholderUse[] {
  if (typeof value === 'string') {
    const uses: PlaceholderUse[] = [];
    for (const m of value.matchAll(ANY_PLACEHOLDER)) {
      const inner = m[1]!.trim();
      if (!KNOWN_PLACEHOLDER.test(inner)) uses.push({ path, unknown: m[0] });
      else if (inner.startsWith('params.')) uses.push({ path, param: inner.slice('params.'.length) });
      else if (inner.startsWith('evidence.')) {
        const [, stepId, itemId] = inner.split('.');
        uses.push({ path, evidence: { stepId: stepId!, itemId: itemId! } });
      }
    }
    return uses;
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => placeholdersIn(v, [...path, i]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => placeholdersIn(v, [...path, k]));
  }
  return [];
}

/**
 * Fill `${params.x}` in a value. A string that is exactly one placeholder takes the parameter's
 * value with its type (so `port: ${params.port}` becomes a number); a placeholder inside a longer
 * string is stringified. Placeholders naming a parameter without a value stay as written.
 * A value ending in `/` followed by a `/` in the text (`${params.targetUrl}/health` with
 * `https://ai.example/`) loses its own, so the join is one slash: `…//health` was a 404.
 * Runs at start (prepareRun, in the web server), not in workflow code: a started run's input
 * keeps what was filled when it started.
 */
export function fillParams<T>(value: T, values: Readonly<ParamValues>): T {
  if (typeof value === 'string') {
    const whole = WHOLE_PARAM.exec(value);
    if (whole) return (Object.hasOwn(values, whole[1]!) ? values[whole[1]!] : value) as T;
    return value.replace(PARAM, (m, name: string, at: number) => {
      if (!Object.hasOwn(values, name)) return m;
      const text = String(values[name]);
      return value[at + m.length] === '/' ? text.replace(/\/+$/, '') : text;
    }) as T;
  }
  if (Array.isArray(value)) return value.map((v: unknown) => fillParams(v, values)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillParams(v, values)])) as T;
  }
  return value;
}

/** Each action call of a runbook (the step's own and its compensation) with its path. */
export function actionCalls(runbook: Pick<Runbook, 'steps'>): { call: ActionCall; path: IssuePath }[] {
  return runbook.steps.flatMap((step, i) => {
    if (step.kind !== 'action') return [];
    const calls = [{ call: step as ActionCall, path: ['steps', i] as IssuePath }];
    if (step.compensate) calls.push({ call: step.compensate, path: ['steps', i, 'compensate'] });
    return calls;
  });
}

/** The runbook with its target, every action's (and compensation's) params, analyses and watch filled. */
export function fillRunbook(runbook: Runbook, values: Readonly<ParamValues>): Runbook {
  const fill = (s: string) => fillParams(s, values);
  return {
    ...runbook,
    ...(runbook.target !== undefined ? { target: fill(runbook.target) } : {}),
    steps: runbook.steps.map((step) =>
      step.kind === 'hypercare'
        ? {
            ...step,
            analyses: (step.analyses ?? []).map((a) => fillAnalysis(a, fill)),
            ...(step.watch ? { watch: fillWatch(step.watch, fill) } : {}),
          }
        : step.kind !== 'action'
          ? step
          : {
              ...step,
              params: fillParams(step.params, values),
              ...(step.compensate
                ? { compensate: { ...step.compensate, params: fillParams(step.compensate.params, values) } }
                : {}),
            },
    ),
  };
}

/** The defaults a runbook declares: what load-time validation fills placeholders with. */
export function parameterDefaults(runbook: Pick<Runbook, 'parameters'>): ParamValues {
  const out: ParamValues = {};
  for (const [name, p] of Object.entries(runbook.parameters)) if (p.default !== undefined) out[name] = p.default;
  return out;
}

const HTTP_URL = /^https?:\/\/[^\s/$.?#][^\s]*$/i;
const HTTP_SCHEME = /^https?/i;

/** A wrong value as a problem quotes it (a parameter value is JSON, so always a string). */
const quoted = (value: ParamValue): string => quoteValue(value) ?? String(value);

/**
 * A value checked against a parameter type. Strings are accepted for numbers and booleans
 * because forms and `--param name=value` deliver text; the result carries the real type.
 */
export function checkParamValue(type: ParamType, value: ParamValue): { value: ParamValue } | { problem: string } {
  switch (type) {
    case 'string': {
      if (typeof value !== 'string') return { problem: `must be text, not ${typeof value}` };
      const problem = plainTextProblem(value);
      return problem ? { problem } : { value };
    }
    case 'url': {
      // Schemes are case-insensitive (RFC 3986 §3.1): `HTTPS://…` is accepted and written `https://…`.
      // No control characters either (QA: a NUL passed the URL pattern and reached history),
      // refused in free text's words, as README's limits table says for URL parameters.
      const problem = typeof value === 'string' ? plainTextProblem(value) : undefined;
      if (problem) return { problem };
      return typeof value === 'string' && HTTP_URL.test(value)
        ? { value: value.replace(HTTP_SCHEME, (scheme) => scheme.toLowerCase()) }
        : { problem: `must be an http(s) URL, not ${quoted(value)}` };
    }
    case 'number': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      return typeof n === 'number' && Number.isFinite(n)
        ? { value: n }
        : { problem: `must be a number, not ${quoted(value)}` };
    }
    case 'boolean':
      if (typeof value === 'boolean') return { value };
      if (value === 'true' || value === 'false') return { value: value === 'true' };
      return { problem: `must be true or false, not ${quoted(value)}` };
  }
}

/**
 * The parameter values a run uses: the given ones checked against their declared types, the
 * rest from defaults. Unknown names and required parameters without a value are problems.
 */
export function resolveRunParams(
  declared: Runbook['parameters'],
  given: Readonly<Record<string, ParamValue>>,
): { values: ParamValues; issues: Issue[] } {
  const values: ParamValues = {};
  const issues: Issue[] = [];
  const names = Object.keys(declared);
  for (const [name, value] of Object.entries(given)) {
    // Own names only: `constructor` or `toString` would find Object.prototype's (a 500 once).
    const spec = Object.hasOwn(declared, name) ? declared[name] : undefined;
    if (!spec) {
      issues.push({
        path: ['params', name],
        message: `unknown parameter${names.length ? ` (declared: ${listNames(names)})` : ' (this runbook declares none)'}`,
      });
      continue;
    }
    const checked = checkParamValue(spec.type, value);
    if ('problem' in checked) issues.push({ path: ['params', name], message: checked.problem });
    else values[name] = checked.value;
  }
  for (const [name, spec] of Object.entries(declared)) {
    if (Object.hasOwn(given, name)) continue;
    if (spec.default !== undefined) values[name] = spec.default;
    else
      issues.push({
        path: ['params', name],
        message: `is required (${spec.type}${spec.description ? `: ${spec.description}` : ''})`,
      });
  }
  return { values, issues };
}
