import { promisify } from 'node:util';
import zlib from 'node:zlib';

/**
 * A dossier's files as one zip (deflate, UTF-8 names, no zip64: a dossier is far below 4 GB and
 * 65,535 files). The files are compressed by Node's zlib on its thread pool, all at once: for a
 * long run's 5 MB of files that is ≈50–100 ms off the event loop, against 0.3–0.8 s on it with
 * fflate's JavaScript deflate (fflate's async `zip` starts workers and was slower still).
 * Any unzip reads it; src/audit reads it back with fflate (verify, boundedUnzip).
 */

const deflateRaw = promisify(zlib.deflateRaw);

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 as zip wants it, in JavaScript (Node has `zlib.crc32` only from 20.15). */
export function crc32js(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = CRC_TABLE[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const nativeCrc = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;
const crc32 = (data: Uint8Array): number => (nativeCrc ? nativeCrc(data) : crc32js(data));

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

/** Zips `files` (name → bytes) in their order, deflated at `level`, each stamped `modified`. */
export async function zipFiles(
  files: Iterable<[string, Uint8Array]>,
  opts: { level?: number; modified?: Date } = {},
): Promise<Uint8Array> {
  const stamp = dosDateTime(opts.modified ?? new Date());
  let offset = 0;
  const entries = await Promise.all(
    [...files].map(async ([name, bytes]) => ({
      name: Buffer.from(name, 'utf8'),
      crc: crc32(bytes),
      size: bytes.length,
      data: await deflateRaw(bytes, { level: opts.level ?? 6 }),
    })),
  );
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
