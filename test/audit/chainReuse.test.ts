import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chainEntries, verifyChain } from '../../src/audit/chain';
import type { AuditEntry } from '../../src/audit/entries';
import { recordedChain } from './support';
import { auditEntries } from '../../src/audit/entries';

/**
 * A chain made with an earlier chain of the same workflow (an open run read again) reuses the
 * links of unchanged entries: it must be exactly the chain made from scratch, whatever changed.
 */

const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 4 }), tie('value'), { maxKeys: 3 }),
  ),
})).value;

const entry = fc.record({
  seq: fc.nat(),
  at: fc.constantFrom('2026-12-03T00:00:00.000Z', '2026-12-03T00:00:01.000Z'),
  kind: fc.constantFrom('report', 'decision', 'step-started') as fc.Arbitrary<AuditEntry['kind']>,
  actor: fc.option(fc.constantFrom('ops', 'user'), { nil: undefined }),
  summary: fc.string({ maxLength: 8 }),
  details: fc.dictionary(fc.string({ maxLength: 4 }), json, { maxKeys: 3 }),
  source: fc.constantFrom('history', 'state') as fc.Arbitrary<AuditEntry['source']>,
  runId: fc.constantFrom('run-1', 'run-2'),
  eventIds: fc.array(fc.nat(), { maxLength: 3 }),
});

describe('hash chain made with an earlier one', () => {
  it('is the chain made from scratch, whatever was changed, added or removed', () => {
    fc.assert(
      fc.property(
        fc.array(entry, { maxLength: 12 }),
        fc.array(entry, { maxLength: 12 }),
        fc.nat(),
        (before, after, cut) => {
          // The new entries share a prefix with the old ones, then go their own way.
          const shared = before.slice(0, cut % (before.length + 1));
          const now = [...shared, ...after];
          const earlier = chainEntries(before);
          expect(chainEntries(now, earlier)).toEqual(chainEntries(now));
        },
      ),
    );
  });

  it('reuses the unchanged links of a recorded run and hashes again from the first change on', () => {
    const entries = auditEntries(recordedChain);
    const earlier = chainEntries(entries);
    const changedAt = Math.floor(entries.length / 2);
    const now = entries.map((e, i) => (i === changedAt ? { ...e, summary: `${e.summary} (altered)` } : e));
    const chained = chainEntries(now, earlier);
    expect(chained).toEqual(chainEntries(now));
    expect(chained.slice(0, changedAt).every((e, i) => e === earlier[i])).toBe(true);
    expect(chained.slice(changedAt).some((e, i) => e === earlier[changedAt + i])).toBe(false);
    expect(verifyChain(chained)).toMatchObject({ ok: true, length: entries.length });
  });
});
