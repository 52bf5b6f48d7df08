import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { parseRunbookText, RunbookError } from '../../src/runbook/load';
import { prepareRun } from '../../src/runbook/prepare';
import { StartInputError } from '../../src/runbook/issues';
import { defaultAssignments, people } from '../support/runs';

/**
 * Runbook validation never crashes: the default runbook with fields deleted, retyped and renamed
 * (one to three edits at random places, nested anywhere) always loads or fails with issues that
 * each carry a path, a line and a plain message — never a TypeError, never "undefined" or
 * "[object Object]" in the words. What loads also survives the start check the same way.
 */

const DEFAULT = YAML.parse(fs.readFileSync(path.resolve(__dirname, '../../runbooks/default.yaml'), 'utf8')) as unknown;
const SANDBOX = {
  url: 'http://127.0.0.1:8410',
  host: '127.0.0.1',
  port: 8410,
  alertReceiverUrl: 'http://127.0.0.1:8429/alerts',
};
const RUNS = Number(process.env.GOLIVE_RUNBOOK_FUZZ_RUNS ?? 400);

type Json = unknown;
type Path = (string | number)[];

/** Every path in the document (objects' keys and lists' items), the root excluded. */
function paths(value: Json, base: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => [[...base, i], ...paths(v, [...base, i])]);
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => [[...base, k], ...paths(v, [...base, k])]);
  return [];
}

const clone = (v: Json): Json => structuredClone(v);

function parentOf(doc: Json, p: Path): { parent: Record<string | number, Json>; key: string | number } {
  let cur = doc as Record<string | number, Json>;
  for (const part of p.slice(0, -1)) cur = cur[part] as Record<string | number, Json>;
  return { parent: cur, key: p.at(-1)! };
}

const retypes: Json[] = [
  0,
  -1,
  3.5,
  '',
  'x',
  'not-a-duration',
  true,
  false,
  null,
  [],
  [1, 'two'],
  {},
  { unexpected: 1 },
  '${params.nope}',
  '${sandbox.nope}',
];

type Edit = { kind: 'delete' | 'retype' | 'rename'; at: number; pick: number; name: string };

function applyEdit(doc: Json, edit: Edit): void {
  const all = paths(doc);
  if (all.length === 0) return;
  const p = all[edit.at % all.length]!;
  const { parent, key } = parentOf(doc, p);
  if (edit.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else if (edit.kind === 'retype') {
    parent[key] = clone(retypes[edit.pick % retypes.length]);
  } else if (!Array.isArray(parent)) {
    const value = parent[key];
    delete parent[key];
    parent[edit.name] = value;
  }
}

const editArb = fc.record({
  kind: fc.constantFrom<Edit['kind']>('delete', 'retype', 'rename'),
  at: fc.nat(),
  pick: fc.nat(),
  name: fc.constantFrom('titel', 'Title', 'kind_', 'aproval', 'params', 'id ', 'steps', '', 'x-extra', 'after'),
});

function checkIssues(err: RunbookError, text: string): void {
  expect(err.issues.length, text).toBeGreaterThan(0);
  for (const issue of err.issues) {
    const shown = JSON.stringify(issue);
    expect(Array.isArray(issue.path), shown).toBe(true);
    expect(typeof issue.line, `no line: ${shown}`).toBe('number');
    expect(issue.message, shown).toMatch(/\S/);
    expect(issue.message, shown).not.toMatch(/undefined|\[object |TypeError|Cannot read|is not a function|NaN/);
  }
}

describe('runbook validation under a fuzz of the default runbook', () => {
  it(`never crashes: ${RUNS} edited runbooks each load or say path, line and a plain message`, () => {
    const outcomes = { valid: 0, invalid: 0, startChecked: 0 };
    fc.assert(
      fc.property(fc.array(editArb, { minLength: 1, maxLength: 3 }), (edits) => {
        const doc = clone(DEFAULT);
        for (const e of edits) applyEdit(doc, e);
        const text = YAML.stringify(doc);
        let loaded;
        try {
          loaded = parseRunbookText(text, { source: 'fuzzed.yaml', sandbox: SANDBOX });
        } catch (err) {
          if (!(err instanceof RunbookError))
            throw new Error(`crashed on ${JSON.stringify(edits)}: ${(err as Error).stack}`);
          checkIssues(err, JSON.stringify(edits));
          outcomes.invalid++;
          return;
        }
        outcomes.valid++;
        try {
          prepareRun({
            loaded,
            system: 'fuzz',
            collaborationMode: 3,
            initiator: { id: people.initiator },
            assignments: defaultAssignments,
          });
          outcomes.startChecked++;
        } catch (err) {
          if (!(err instanceof StartInputError))
            throw new Error(`start check crashed on ${JSON.stringify(edits)}: ${(err as Error).stack}`);
          for (const i of err.issues)
            expect(i.message, JSON.stringify(i)).not.toMatch(/undefined|\[object |TypeError|Cannot read/);
        }
      }),
      { numRuns: RUNS, seed: Number(process.env.GOLIVE_FUZZ_SEED ?? 13) },
    );
    console.log(
      `runbook fuzz: ${outcomes.valid} loaded (${outcomes.startChecked} also passed the start check), ${outcomes.invalid} refused with issues`,
    );
    expect(outcomes.invalid).toBeGreaterThan(RUNS / 2);
  });

  it('a step without a title is a plain issue with its line, not a crash', () => {
    const doc = clone(DEFAULT) as { steps: Record<string, unknown>[] };
    delete doc.steps[0]!.title;
    const text = YAML.stringify(doc);
    let err: unknown;
    try {
      parseRunbookText(text, { source: 'no-title.yaml', sandbox: SANDBOX });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RunbookError);
    expect((err as RunbookError).issues).toEqual([
      expect.objectContaining({
        path: ['steps', 0, 'title'],
        message: 'is required (string)',
        line: expect.any(Number),
      }),
    ]);
  });
});
