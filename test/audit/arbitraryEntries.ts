import fc from 'fast-check';
import type { AuditEntry } from '../../src/audit/entries';

/**
 * Trail entries of any content, for the audit property tests (chain reuse, the render cache).
 * `text` draws every string; `doubles` adds numbers that are not integers.
 */
export function arbitraryEntry(text: fc.Arbitrary<string>, opts: { doubles?: boolean } = {}) {
  const json = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      text,
      fc.integer(),
      ...(opts.doubles ? [fc.double({ noNaN: true, noDefaultInfinity: true })] : []),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(text, tie('value'), { maxKeys: 3 }),
    ),
  })).value;
  return fc.record({
    seq: fc.nat(),
    at: fc.constantFrom('2026-12-03T00:00:00.000Z', '2026-12-03T00:00:01.000Z'),
    kind: fc.constantFrom('report', 'decision', 'step-started') as fc.Arbitrary<AuditEntry['kind']>,
    actor: fc.option(fc.constantFrom('ops', 'user'), { nil: undefined }),
    summary: text,
    details: fc.dictionary(text, json, { maxKeys: 3 }),
    source: fc.constantFrom('history', 'state') as fc.Arbitrary<AuditEntry['source']>,
    runId: fc.constantFrom('run-1', 'run-2'),
    eventIds: fc.array(fc.nat(), { maxLength: 3 }),
  });
}
