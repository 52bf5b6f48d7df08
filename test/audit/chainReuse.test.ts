import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chainEntries, verifyChain } from '../../src/audit/chain';
import { arbitraryEntry } from './arbitraryEntries';
import { recordedChain } from './support';
import { auditEntries } from '../../src/audit/entries';

/**
 * A chain made with an earlier chain of the same workflow (an open run read again) reuses the
 * links of unchanged entries: it must be exactly the chain made from scratch, whatever changed.
 */

const entry = arbitraryEntry(fc.string({ maxLength: 8 }));

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
