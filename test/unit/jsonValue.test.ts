import { describe, expect, it } from 'vitest';
import { JSON_VALUE_LIMITS, jsonValueProblem } from '../../src/contract/jsonValue';
import { jsonValueSchema, submitEvidenceSchema } from '../../src/contract/schemas/messages';

/** Free JSON values are bounded before they become Updates (issue 11: a 6,000-deep value was a 500). */

const nested = (depth: number): unknown => JSON.parse('['.repeat(depth) + ']'.repeat(depth));

describe('jsonValueSchema', () => {
  it('accepts what evidence really is: numbers, links, document references, text, small structures', () => {
    for (const v of [
      97.5,
      'https://x.example/report',
      { name: 'a.pdf', sha256: 'a'.repeat(64) },
      true,
      'text',
      null,
      [1, { a: [2] }],
      undefined,
    ]) {
      expect(jsonValueSchema.safeParse(v).success).toBe(true);
    }
    expect(jsonValueProblem(nested(JSON_VALUE_LIMITS.depth))).toBeUndefined();
  });

  it('refuses a value nested thousands deep at the first level too many, without recursing', () => {
    const deep = nested(6_000);
    const problem = jsonValueProblem(deep);
    expect(problem?.message).toBe(`must be nested at most ${JSON_VALUE_LIMITS.depth} levels deep`);
    expect(problem?.path).toHaveLength(JSON_VALUE_LIMITS.depth);
    // A cycle is just "too deep", never a hang.
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(jsonValueProblem(cyclic)?.message).toMatch(/levels deep/);
  });

  it('refuses too many values, too long strings and keys, too large a whole, and what is not plain JSON', () => {
    expect(jsonValueProblem(new Array(5_000).fill(1))?.message).toBe(
      `must hold at most ${JSON_VALUE_LIMITS.values} values`,
    );
    expect(jsonValueProblem('x'.repeat(JSON_VALUE_LIMITS.stringChars + 1))?.message).toMatch(
      /at most 20000 characters/,
    );
    expect(jsonValueProblem({ ['k'.repeat(201)]: 1 })?.message).toMatch(/field names/);
    expect(jsonValueProblem(Array.from({ length: 10 }, () => 'y'.repeat(10_000)))?.message).toMatch(/as JSON/);
    expect(jsonValueProblem(new Date(0))?.message).toBe('must be plain JSON');
    expect(jsonValueProblem(Number.NaN)?.message).toBe('must be a finite number');
    expect(jsonValueProblem({ f: () => 1 })).toEqual({
      path: ['f'],
      message: expect.stringMatching(/plain JSON/) as string,
    });
  });

  it('is what the evidence message parses, so the server and the workflow validator refuse alike', () => {
    const base = { actor: { id: 'ie' }, stepId: 'validation-report', itemId: 'accuracy' };
    expect(submitEvidenceSchema.safeParse({ ...base, value: 97 }).success).toBe(true);
    const deep = submitEvidenceSchema.safeParse({ ...base, value: nested(5_500) });
    expect(deep.success).toBe(false);
    expect(deep.error?.issues[0]?.path.slice(0, 2)).toEqual(['value', 0]);
  });
});
