import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { Lru } from '../../src/audit/cache';
import { chainEntries, chainHead } from '../../src/audit/chain';
import { crc32js } from '../../src/audit/crc32';
import { SegmentSums } from '../../src/audit/segments';
import { SEGMENT_ENTRIES, trailFileBytes, type TrailBytes } from '../../src/audit/trailFile';
import { ZipWriter } from '../../src/audit/zip';
import { recordedSource } from './support';

/**
 * A file made of segments, many of them the very buffers of the file made before (an open run's
 * audit-trail.json exported again): its digest, CRC and zip entry are those of its bytes, however
 * much of the earlier file's sums and deflated segments were reused.
 */

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const segment = fc.uint8Array({ maxLength: 5000 }).map((a) => Buffer.from(a));

describe('segmented files', () => {
  it('sums each file as its bytes, after any earlier file sharing a prefix of buffers or of small contents', () => {
    fc.assert(
      fc.property(
        fc.array(segment, { maxLength: 6 }),
        fc.array(fc.tuple(fc.nat(), fc.array(segment, { maxLength: 4 }))),
        (first, nexts) => {
          const sums = new SegmentSums();
          let last = first;
          for (const segments of [
            first,
            ...nexts.map(([cut, more]) => [...last.slice(0, cut % (last.length + 1)), ...more]),
          ]) {
            // The same contents in new buffers, as an opening made anew each time is.
            const copies = segments.map((s, i) => (i % 2 ? Buffer.from(s) : s));
            const made = sums.of(copies);
            const whole = Buffer.concat(segments);
            expect(made.bytes.equals(whole)).toBe(true);
            expect(made.sha256).toBe(sha(whole));
            expect(made.crc32).toBe(crc32js(whole));
            last = copies;
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps the segments of a long trail whose entries did not change, and zips the file as its bytes', async () => {
    const content = recordedSource().entries.map(({ hash: _h, prevHash: _p, ...e }) => e);
    const many = Array.from({ length: 2 * SEGMENT_ENTRIES + 5 }, (_, i) => ({
      ...content[i % content.length]!,
      seq: i + 1,
    }));
    const kept = new Lru<TrailBytes>(1 << 30, (t) => t.bytes);
    const before = chainEntries(many);
    const first = trailFileBytes({ workflowId: 'wf', head: chainHead(before), entries: before }, kept);
    const after = chainEntries([...many, { ...many[0]!, seq: many.length + 1 }], before);
    const second = trailFileBytes({ workflowId: 'wf', head: chainHead(after), entries: after }, kept);
    // The opening, two whole segments kept, the last segment and the closing made anew.
    expect(second.segments).toHaveLength(5);
    expect(second.segments[1]).toBe(first.segments[1]);
    expect(second.segments[2]).toBe(first.segments[2]);
    expect(second.segments[3]).not.toBe(first.segments[3]);
    const json = `${JSON.stringify({ workflowId: 'wf', entries: after, head: chainHead(after) }, null, 2)}\n`;
    expect(second.bytes.toString('utf8')).toBe(json);
    for (const made of [first, second, second]) {
      const zip = new ZipWriter({ level: 1 });
      zip.add('d/audit-trail.json', made.bytes, made);
      zip.add('d/other.txt', Buffer.from('other'));
      const bytes = Buffer.from(await zip.finish());
      expect(bytes.readUInt32LE(14)).toBe(crc32js(made.bytes)); // the first local header's CRC
      const back = unzipSync(bytes);
      expect(Buffer.from(back['d/audit-trail.json']!).equals(made.bytes)).toBe(true);
      expect(Buffer.from(back['d/other.txt']!).toString()).toBe('other');
    }
  });
});
