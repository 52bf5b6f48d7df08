import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { Lru } from '../../src/audit/cache';
import { chainEntries, chainHead } from '../../src/audit/chain';
import { dossierFiles, sha256, type RenderCache } from '../../src/audit/dossier';
import { crc32js } from '../../src/audit/crc32';
import { trailFileBytes, type TrailBytes } from '../../src/audit/trailFile';
import { CHUNK_ROWS, renderRows } from '../../src/audit/rowChunks';
import { arbitraryEntry } from './arbitraryEntries';
import { recordedSource } from './support';

/**
 * The bytes kept of an open run's last export (dossier.ts RenderCache) make the next export of
 * the same workflow byte for byte the export made from scratch, whatever changed in between.
 */

const text = fc.string({ unit: 'binary', maxLength: 8 });
const entry = arbitraryEntry(text, { doubles: true });

const renderCache = (): RenderCache => ({ trails: new Lru(1 << 20, (t: TrailBytes) => t.bytes) });
/** The file as JSON.stringify writes it, its keys in the file's order. */
const trailJson = (f: { workflowId: string; head: string; entries: unknown[] }) =>
  fromScratch({ workflowId: f.workflowId, entries: f.entries, head: f.head });
const fromScratch = (value: unknown) => Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');

describe('dossier render cache', () => {
  it('makes audit-trail.json as JSON.stringify does, after any earlier trail of the workflow', () => {
    fc.assert(
      fc.property(
        fc.array(entry, { maxLength: 10 }),
        fc.array(entry, { maxLength: 10 }),
        fc.nat(),
        fc.boolean(),
        (before, after, cut, sameWorkflow) => {
          // An open run read again: the entries share a prefix (links reused), then differ.
          const earlier = chainEntries(before);
          const now = chainEntries([...before.slice(0, cut % (before.length + 1)), ...after], earlier);
          const kept = renderCache().trails;
          const first = { workflowId: 'wf-1', head: chainHead(earlier), entries: earlier };
          const made = trailFileBytes(first, kept).bytes;
          expect(made.equals(trailJson(first))).toBe(true);
          made.fill(0); // what a caller does with its file is not what the next one is made of
          const second = { workflowId: sameWorkflow ? 'wf-1' : 'wf-2', head: chainHead(now), entries: now };
          const again = trailFileBytes(second, kept);
          expect(again.bytes.equals(trailJson(second))).toBe(true);
          expect(again.sha256).toBe(sha256(trailJson(second)));
          expect(again.crc32).toBe(crc32js(trailJson(second)));
        },
      ),
    );
  });

  it('exports a changed run, after an export of it with the cache, as the same files made without it', async () => {
    const cache = renderCache();
    const before = recordedSource();
    await dossierFiles(before, cache);
    // An entry in the middle altered and one more at the end: the links after it are new.
    const at = Math.floor(before.entries.length / 2);
    const altered = before.entries.map(({ hash: _h, prevHash: _p, ...e }, i) =>
      i === at ? { ...e, summary: `${e.summary} (altered)` } : e,
    );
    const after = recordedSource((s) => {
      s.entries = chainEntries([...altered, { ...altered.at(-1)!, seq: altered.length + 1 }], before.entries);
    });
    expect(after.entries[0]).toBe(before.entries[0]);
    const cached = await dossierFiles(after, cache);
    const scratch = await dossierFiles(after);
    expect([...cached.keys()]).toEqual([...scratch.keys()]);
    for (const [name, bytes] of scratch)
      expect(Buffer.from(cached.get(name)!).equals(Buffer.from(bytes)), name).toBe(true);
    expect(Buffer.from(cached.get('audit-trail.json')!).toString('utf8')).toContain('(altered)');
  });

  it('renders a long table chunk by chunk as the whole, whatever rows an earlier table of it had', () => {
    const row = fc.array(text, { minLength: 1, maxLength: 3 });
    const rows = fc.array(row, { minLength: CHUNK_ROWS - 1, maxLength: 3 * CHUNK_ROWS });
    const twoWays = { a: (r: readonly string[]) => r.join('|'), b: (r: readonly string[]) => `<${r.join('><')}>` };
    fc.assert(
      fc.property(rows, rows, fc.nat(), fc.constantFrom('a', 'b'), (before, after, cut, how) => {
        const render = (rs: readonly (readonly string[])[]) => rs.map(twoWays[how]).join('\n');
        renderRows(before, 'a', (rs) => rs.map(twoWays.a).join('\n'), '\n');
        const now = [...before.slice(0, cut % (before.length + 1)), ...after];
        expect(renderRows(now, how, render, '\n')).toBe(render(now));
      }),
      { numRuns: 30 },
    );
  });

  it('exports a long run changed in the middle, after an export of it, as a process that never exported it would', async () => {
    // The recorded run's entries many times over: its handover log is several chunks of rows long.
    const base = recordedSource();
    const content = base.entries.map(({ hash: _h, prevHash: _p, ...e }) => e);
    const many = Array.from({ length: 3 * CHUNK_ROWS }, (_, i) => ({ ...content[i % content.length]!, seq: i + 1 }));
    const cache = renderCache();
    const before = recordedSource((s) => (s.entries = chainEntries(many)));
    await dossierFiles(before, cache);
    const changed = many.map((e, i) => (i === CHUNK_ROWS + 3 ? { ...e, summary: `${e.summary} <changed>` } : e));
    const after = recordedSource((s) => (s.entries = chainEntries(changed, before.entries)));
    const cached = await dossierFiles(after, cache);
    vi.resetModules();
    // A module graph of its own: no rows rendered in it yet.
    const fresh = (await vi.importActual('../../src/audit/dossier')) as { dossierFiles: typeof dossierFiles };
    const scratch = await fresh.dossierFiles(after);
    for (const [name, bytes] of scratch)
      expect(Buffer.from(cached.get(name)!).equals(Buffer.from(bytes)), name).toBe(true);
    expect(fresh.dossierFiles).not.toBe(dossierFiles);
    expect(Buffer.from(cached.get('index.html')!).toString('utf8')).toContain('&lt;changed&gt;');
  });
});
