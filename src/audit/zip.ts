import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { crc32 } from './crc32';
import type { SegmentedBytes } from './segments';

/**
 * A dossier's files as one zip (deflate, UTF-8 names, no zip64: a dossier is far below 4 GB and
 * 65,535 files). The files are compressed by Node's zlib on its thread pool, all at once: for a
 * long run's 5 MB of files that is ≈50–100 ms off the event loop, against 0.3–0.8 s on it with
 * fflate's JavaScript deflate (fflate's async `zip` starts workers and was slower still).
 * Any unzip reads it; src/audit reads it back with fflate (verify, boundedUnzip).
 */

const deflateRaw = promisify(zlib.deflateRaw);

/**
 * Deflated segments of segmented files (segments.ts), by level and by the segment itself: the
 * same segment in the next export is not compressed again. Each is a raw deflate stream ended by
 * a sync flush (byte-aligned, not final), so segments deflated apart follow one another as one
 * stream, which FINAL_BLOCK ends. Held as long as the segment is (a kept trail's).
 */
const deflatedSegments = new Map<number, WeakMap<Buffer, Promise<Buffer>>>();
const FINAL_BLOCK = zlib.deflateRawSync(Buffer.alloc(0));

function deflateSegment(segment: Buffer, level: number): Promise<Buffer> {
  let byLevel = deflatedSegments.get(level);
  if (!byLevel) deflatedSegments.set(level, (byLevel = new WeakMap()));
  let deflated = byLevel.get(segment);
  if (!deflated) {
    deflated = deflateRaw(segment, { level, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    deflated.catch(() => byLevel.delete(segment));
    byLevel.set(segment, deflated);
  }
  return deflated;
}

async function deflateSegments(segments: readonly Buffer[], level: number): Promise<Buffer> {
  return Buffer.concat([...(await Promise.all(segments.map((s) => deflateSegment(s, level)))), FINAL_BLOCK]);
}

/** MS-DOS date and time (local time, as zip tools read it), two seconds' resolution. */
function dosDateTime(at: Date): { time: number; date: number } {
  const year = Math.min(Math.max(at.getFullYear(), 1980), 2107);
  return {
    time: (at.getHours() << 11) | (at.getMinutes() << 5) | (at.getSeconds() >> 1),
    date: ((year - 1980) << 9) | ((at.getMonth() + 1) << 5) | at.getDate(),
  };
}

interface Entry {
  name: Buffer;
  crc: number;
  size: number;
  data: Buffer;
  offset: number;
}

/** The header fields a local file header and a central directory record share, from "version needed" on. */
function commonFields(e: Entry, stamp: { time: number; date: number }): Buffer {
  const b = Buffer.alloc(26);
  b.writeUInt16LE(20, 0); // version needed: deflate
  b.writeUInt16LE(0x0800, 2); // flags: names are UTF-8
  b.writeUInt16LE(8, 4); // deflate
  b.writeUInt16LE(stamp.time, 6);
  b.writeUInt16LE(stamp.date, 8);
  b.writeUInt32LE(e.crc, 10);
  b.writeUInt32LE(e.data.length, 14);
  b.writeUInt32LE(e.size, 18);
  b.writeUInt16LE(e.name.length, 22);
  b.writeUInt16LE(0, 24); // no extra field
  return b;
}

function centralRecord(e: Entry, stamp: { time: number; date: number }): Buffer {
  const head = Buffer.alloc(6);
  head.writeUInt32LE(0x02014b50, 0);
  head.writeUInt16LE(20, 4); // version made by
  const tail = Buffer.alloc(14); // comment length, disk, internal and external attributes: zero
  tail.writeUInt32LE(e.offset, 10);
  return Buffer.concat([head, commonFields(e, stamp), tail, e.name]);
}

/**
 * A zip written as its files are made: each file's CRC is taken and its deflate started on
 * zlib's thread pool when it is added, so compressing the first files overlaps making the next
 * ones (a dossier's 40 MB of text deflate while its PDFs are still being laid out). The zip
 * holds the files in the order they were added.
 */
export class ZipWriter {
  private readonly entries: Promise<Omit<Entry, 'offset'>>[] = [];

  constructor(private readonly opts: { level?: number; modified?: Date } = {}) {}

  /** `segmented`: the same bytes as segments, their CRC known and those deflated before not deflated again. */
  add(name: string, bytes: Uint8Array, segmented?: SegmentedBytes): void {
    const level = this.opts.level ?? 6;
    const head = { name: Buffer.from(name, 'utf8'), crc: segmented?.crc32 ?? crc32(bytes), size: bytes.length };
    const data = segmented ? deflateSegments(segmented.segments, level) : deflateRaw(bytes, { level });
    const entry = data.then((deflated) => ({ ...head, data: deflated }));
    entry.catch(() => undefined); // awaited by finish(); not unhandled if an earlier add failed it
    this.entries.push(entry);
  }

  async finish(): Promise<Uint8Array> {
    return assemble(await Promise.all(this.entries), dosDateTime(this.opts.modified ?? new Date()));
  }
}

function assemble(entries: readonly Omit<Entry, 'offset'>[], stamp: { time: number; date: number }): Uint8Array {
  let offset = 0;
  const parts: Buffer[] = [];
  const placed: Entry[] = entries.map((e) => {
    const entry = { ...e, offset };
    const sig = Buffer.alloc(4);
    sig.writeUInt32LE(0x04034b50, 0);
    parts.push(sig, commonFields(entry, stamp), entry.name, entry.data);
    offset += 30 + entry.name.length + entry.data.length;
    return entry;
  });
  const central = Buffer.concat(placed.map((e) => centralRecord(e, stamp)));
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(placed.length, 8);
  end.writeUInt16LE(placed.length, 10);
  end.writeUInt32LE(central.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, central, end]);
}
