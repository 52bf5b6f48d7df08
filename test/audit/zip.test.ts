import zlib from 'node:zlib';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { unzipBounded } from '../../src/audit/boundedUnzip';
import { crc32js } from '../../src/audit/crc32';
import { ZipWriter } from '../../src/audit/zip';

/** The dossier's zip writer (src/audit/zip.ts): what it writes, every reader of ours unpacks as written. */
/** Zips `files` in their order, as the dossier export does. */
function zipFiles(files: [string, Uint8Array][], opts: { modified?: Date } = {}): Promise<Uint8Array> {
  const zip = new ZipWriter(opts);
  for (const [name, bytes] of files) zip.add(name, bytes);
  return zip.finish();
}

describe('ZipWriter', () => {
  const files: [string, Uint8Array][] = [
    ['dossier-x/index.html', Buffer.from('<p>trail</p>\n'.repeat(500))],
    ['dossier-x/ü-名前.md', Buffer.from('# héllo\n')],
    ['dossier-x/empty.json', new Uint8Array()],
    ['dossier-x/random.bin', Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 251)],
  ];

  it('round-trips names (UTF-8), bytes and order through fflate', async () => {
    const zip = await zipFiles(files, { modified: new Date(2026, 0, 2, 3, 4, 6) });
    const back = unzipSync(zip);
    expect(Object.keys(back)).toEqual(files.map(([n]) => n));
    for (const [name, bytes] of files) expect(Buffer.from(back[name]!).equals(Buffer.from(bytes))).toBe(true);
    expect(zip.length).toBeLessThan(files.reduce((n, [, b]) => n + b.length, 0));
  });

  it('is read by the bounded reader that checks uploads', async () => {
    const zip = await zipFiles(files);
    const read = unzipBounded(zip, { files: 10, unpackedBytes: 1024 * 1024, ratio: 100 });
    expect([...read.keys()]).toEqual(files.map(([n]) => n));
  });

  it('computes CRC-32 as zlib does', () => {
    expect(crc32js(Buffer.from('123456789'))).toBe(0xcbf43926);
    const native = (zlib as { crc32?: (d: Uint8Array) => number }).crc32;
    if (native) for (const [, b] of files) expect(crc32js(b)).toBe(native(b));
  });
});
