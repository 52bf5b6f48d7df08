import { createHash, type Hash } from 'node:crypto';
import { crc32 } from './crc32';

/**
 * A file made of segments, most of them the very buffers of the file made before it (an open
 * run exported again), with its SHA-256 (for the manifest) and CRC-32 (for the zip). Both run
 * over the bytes in order, so what they were after the segments the two files share is kept and
 * only the rest is summed: for a 16 MB audit-trail.json, ≈100 ms of CPU an export (issue 16).
 */
export interface SegmentedBytes {
  /** The whole file: a copy of the segments, one buffer. */
  bytes: Buffer;
  segments: readonly Buffer[];
  sha256: string;
  crc32: number;
}

/** Small segments (an opening, a closing) are made anew each time: compared by content, not identity. */
const COMPARED_BYTES = 4096;

function sameSegment(a: Buffer, b: Buffer | undefined): boolean {
  return a === b || (b !== undefined && a.length <= COMPARED_BYTES && a.equals(b));
}

/** The running SHA-256 and CRC-32 after each segment of the last file summed. */
export class SegmentSums {
  private segments: readonly Buffer[] = [];
  private hashes: Hash[] = [];
  private crcs: number[] = [];

  of(segments: readonly Buffer[]): SegmentedBytes {
    let same = 0;
    while (same < segments.length && sameSegment(segments[same]!, this.segments[same])) same++;
    this.hashes.length = same;
    this.crcs.length = same;
    const hash = same > 0 ? this.hashes[same - 1]!.copy() : createHash('sha256');
    let crc = same > 0 ? this.crcs[same - 1]! : 0;
    for (const segment of segments.slice(same)) {
      hash.update(segment);
      crc = crc32(segment, crc);
      this.hashes.push(hash.copy());
      this.crcs.push(crc);
    }
    this.segments = segments;
    return { bytes: Buffer.concat(segments), segments, sha256: hash.digest('hex'), crc32: crc };
  }
}
