import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { RunbookRef } from '../contract/definitions';
import { formatPath, type Issue } from './issues';
import { salvageIssues, uniqueIssues } from './salvage';
import { fillSandboxDefaults, type SandboxAddress } from './sandboxDefaults';
import { runbookSchema, type Runbook } from '../contract/schemas/runbook';
import { validateRunbook } from './validate';
import { zodIssues } from './zodIssues';

/**
 * Runbook files in, validated runbooks out. A runbook is pinned by the SHA-256 of the exact
 * bytes read, so a run records what it ran and a later edit of the file is visible as a new hash.
 * Every problem is reported at once, with the line it is on, because the reader fixes a YAML
 * file by hand and should not have to rerun the loader once per typo.
 */

export interface LoadedRunbook {
  runbook: Runbook;
  ref: RunbookRef;
}

export interface RunbookIssue extends Issue {
  /** 1-based line in the file, when the path can be found in it. */
  line?: number;
}

export class RunbookError extends Error {
  override name = 'RunbookError';
  constructor(
    readonly source: string,
    readonly issues: RunbookIssue[],
  ) {
    super(`invalid runbook ${source}:\n${formatRunbookIssues(source, issues)}`);
  }
}

/** One line per problem: `default.yaml:42 steps[3].approvers[0].role: role "guardan" is not declared …`. */
export function formatRunbookIssues(source: string, issues: readonly RunbookIssue[]): string {
  return issues
    .map((i) => `${source}${i.line !== undefined ? `:${i.line}` : ''} ${formatPath(i.path)}: ${i.message}`)
    .join('\n');
}

export type RunbookFormat = 'yaml' | 'json';

export function formatOf(file: string): RunbookFormat {
  return path.extname(file).toLowerCase() === '.json' ? 'json' : 'yaml';
}

export function sha256Hex(bytes: string | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The line of a path in the document: the line of the deepest key or item the path reaches,
 * so a missing field points at the object that lacks it and an unknown one at itself.
 */
function lineOf(doc: Document, lines: LineCounter, issuePath: readonly (string | number)[]): number | undefined {
  let node: unknown = doc.contents;
  let offset = (doc.contents as { range?: [number] } | null)?.range?.[0];
  for (const part of issuePath) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(part));
      if (!pair) break;
      offset = (pair.key as { range?: [number] }).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof part === 'number') {
      const item = node.items[part] as { range?: [number] } | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return offset === undefined ? undefined : lines.linePos(offset).line;
}

/** JSON.parse reports a character position; people want the line. */
function jsonSyntaxIssue(text: string, error: unknown): RunbookIssue {
  const message = error instanceof Error ? error.message : String(error);
  const at = /position (\d+)/.exec(message);
  const line = at ? text.slice(0, Number(at[1])).split('\n').length : undefined;
  return { path: [], message: `not valid JSON: ${message}`, ...(line !== undefined ? { line } : {}) };
}

/** Parse and validate runbook text (YAML, or JSON — which the YAML parser also reads for lines). */
export interface RunbookLoadOptions {
  /** The sandbox this golive runs: fills `${sandbox.*}` in parameter defaults (sandboxDefaults.ts). */
  sandbox?: SandboxAddress;
}

export function parseRunbookText(
  content: string | Uint8Array,
  options: { source: string; format?: RunbookFormat } & RunbookLoadOptions,
): LoadedRunbook {
  const { source } = options;
  const text = typeof content === 'string' ? content : Buffer.from(content).toString('utf8');
  const sha256 = sha256Hex(content);
  const fail = (issues: RunbookIssue[]): never => {
    throw new RunbookError(source, issues);
  };

  if ((options.format ?? formatOf(source)) === 'json') {
    try {
      JSON.parse(text);
    } catch (error) {
      fail([jsonSyntaxIssue(text, error)]);
    }
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  // After the first syntax error the parser's further errors are mostly its echo: report one.
  const syntax = doc.errors[0];
  if (syntax) {
    const message = syntax.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    fail([
      { path: [], message: `YAML syntax: ${message}`, ...(syntax.linePos ? { line: syntax.linePos[0].line } : {}) },
    ]);
  }
  let written: unknown;
  try {
    written = doc.toJS();
  } catch (error) {
    fail([
      { path: [], message: `cannot read the document: ${error instanceof Error ? error.message : String(error)}` },
    ]);
  }
  const sandboxed = fillSandboxDefaults(written, options.sandbox);
  const raw = sandboxed.raw;
  // In file order, so the reader can fix them top to bottom.
  const withLines = (issues: Issue[]): RunbookIssue[] =>
    issues
      .map((i): RunbookIssue => {
        const line = lineOf(doc, lines, i.path);
        return line === undefined ? i : { ...i, line };
      })
      .sort((a, b) => (a.line ?? 0) - (b.line ?? 0));

  const parsed = runbookSchema.safeParse(raw);
  if (!parsed.success) {
    // The cross-field checks still run on the parts that parse, so one pass shows everything.
    const schemaIssues = [...sandboxed.issues, ...zodIssues(parsed.error, runbookSchema, raw)];
    fail(withLines(uniqueIssues([...schemaIssues, ...salvageIssues(raw, schemaIssues)])));
  }
  const runbook = parsed.data!;
  const problems = [...sandboxed.issues, ...validateRunbook(runbook)];
  if (problems.length > 0) fail(withLines(uniqueIssues(problems)));
  return { runbook, ref: { id: runbook.id, version: runbook.version, sha256, source } };
}

/** Read a runbook file; `source` in the ref is the path relative to the working folder. */
export async function loadRunbookFile(file: string, options: RunbookLoadOptions = {}): Promise<LoadedRunbook> {
  const bytes = await readFile(file);
  const relative = path.relative(process.cwd(), file);
  const source = relative.startsWith('..') || path.isAbsolute(relative) ? path.resolve(file) : relative;
  return parseRunbookText(bytes, { source, format: formatOf(file), ...options });
}
