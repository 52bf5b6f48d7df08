import { Unzip, UnzipInflate, unzipSync, type UnzipFile } from 'fflate';

/**
 * Unpacking a zip someone uploaded, with hard bounds: how many files, how many bytes in all, and
 * how many bytes per byte sent (the ratio a zip bomb lives on: a 255 KB zip of 250 MB). The
 * zip's directory is read first without inflating anything, so a bomb that declares its sizes is
 * refused at once; then the data is inflated in small slices and the real output is counted, so
 * one that lies about its sizes is stopped as soon as it passes the budget. Work and memory are
 * bounded by the budget, never by what the zip claims.
 */

export interface UnzipLimits {
  files: number;
  /** Unpacked bytes in all, whatever the upload's size. */
  unpackedBytes: number;
  /** Unpacked bytes per uploaded byte. */
  ratio: number;
}

/** The zip would unpack beyond the limits: a 413, not "not a zip". */
export class ZipTooLarge extends Error {
  override name = 'ZipTooLarge';
}

/** Not a zip fflate can read (or a method other than stored/deflate). */
export class ZipUnreadable extends Error {
  override name = 'ZipUnreadable';
}

/** Compressed bytes handed to the inflater at a time: bounds one output chunk to ~1000× this. */
const SLICE = 4 * 1024;

function budgetOf(zip: Uint8Array, limits: UnzipLimits): number {
  return Math.min(limits.unpackedBytes, Math.floor(zip.length * limits.ratio));
}

const tooLarge = (budget: number, limits: UnzipLimits) =>
  new ZipTooLarge(
    `the zip unpacks to more than ${budget} bytes (limits: ${limits.unpackedBytes} bytes in all, ${limits.ratio}× the upload)`,
  );

/** The directory's own claims, read without inflating (fflate's filter sees each entry first). */
function checkDirectory(zip: Uint8Array, limits: UnzipLimits, budget: number): number {
  let files = 0;
  let declared = 0;
  try {
    unzipSync(zip, {
      filter: (f) => {
        files += 1;
        declared += f.originalSize;
        if (files > limits.files) throw new ZipTooLarge(`the zip holds more than ${limits.files} files`);
        if (declared > budget) throw tooLarge(budget, limits);
        return false;
      },
    });
  } catch (err) {
    if (err instanceof ZipTooLarge) throw err;
    throw new ZipUnreadable(`not a readable zip (${err instanceof Error ? err.message : String(err)})`);
  }
  return files;
}

/** name → bytes of every file (folders skipped), or ZipTooLarge / ZipUnreadable. */
export function unzipBounded(zip: Uint8Array, limits: UnzipLimits): Map<string, Uint8Array> {
  const budget = budgetOf(zip, limits);
  const declaredFiles = checkDirectory(zip, limits, budget);
  const out = new Map<string, Uint8Array>();
  let total = 0;
  let seen = 0;
  const unzip = new Unzip((file: UnzipFile) => {
    seen += 1;
    if (seen > limits.files) throw new ZipTooLarge(`the zip holds more than ${limits.files} files`);
    if (file.name.endsWith('/')) return;
    const chunks: Uint8Array[] = [];
    let kept = 0;
    const declared = file.originalSize !== undefined && file.originalSize > 0 ? file.originalSize : Infinity;
    file.ondata = (err, data, final) => {
      // fflate hands our own refusal (thrown below on an earlier chunk) back as `err`.
      if (err)
        throw err instanceof ZipTooLarge || err instanceof ZipUnreadable
          ? err
          : new ZipUnreadable(`not a readable zip (${file.name}: ${err.message})`);
      total += data.length;
      if (total > budget) throw tooLarge(budget, limits);
      // A header that understates its file (a byte changed in the deflated data does that too):
      // keep what it declared, as \`golive verify\` reading the zip does, so the manifest names
      // the file altered; a bomb that lies is stopped by the budget above, not here.
      const keep = data.subarray(0, Math.max(0, declared - kept));
      kept += keep.length;
      chunks.push(keep);
      if (final) out.set(file.name, concat(chunks, kept));
    };
    try {
      file.start();
    } catch (err) {
      if (err instanceof ZipTooLarge || err instanceof ZipUnreadable) throw err;
      throw new ZipUnreadable(`not a readable zip (${file.name}: ${err instanceof Error ? err.message : String(err)})`);
    }
  });
  unzip.register(UnzipInflate);
  try {
    for (let at = 0; at < zip.length; at += SLICE) unzip.push(zip.subarray(at, at + SLICE), at + SLICE >= zip.length);
  } catch (err) {
    if (err instanceof ZipTooLarge || err instanceof ZipUnreadable) throw err;
    throw new ZipUnreadable(`not a readable zip (${err instanceof Error ? err.message : String(err)})`);
  }
  if (seen !== declaredFiles)
    throw new ZipUnreadable(
      `not a readable zip (its directory lists ${declaredFiles} entries, its data holds ${seen})`,
    );
  return out;
}

function concat(chunks: Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]) return chunks[0];
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
