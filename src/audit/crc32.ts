import zlib from 'node:zlib';

/** CRC-32 as zip wants it: native where Node has it (`zlib.crc32`, from 20.15), else in JavaScript. */

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** `value`: the CRC of the bytes before these, to go on from (0 for none), as zlib's `crc32` takes it. */
export function crc32js(data: Uint8Array, value = 0): number {
  let crc = (value ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) crc = CRC_TABLE[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const nativeCrc = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

export const crc32 = (data: Uint8Array, value = 0): number =>
  nativeCrc ? nativeCrc(data, value) : crc32js(data, value);
