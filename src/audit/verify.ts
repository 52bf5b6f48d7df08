import fs from 'node:fs/promises';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { verifyChain } from './chain';
import { DOSSIER_FORMAT, MANIFEST_FILE, sha256, TRAIL_FILE, type Manifest, type TrailFile } from './dossier';

/**
 * Offline check of an exported dossier: every file against the manifest's digest, then the
 * trail's hash chain, then the chain head against the manifest. Stops at the first problem and
 * names it (a file, or an entry of the trail by seq), because that is where to look.
 */

export type DossierVerdict =
  | { ok: true; workflowId: string; head: string; entries: number; files: number; manifestSha256: string }
  | { ok: false; file: string; seq?: number; reason: string };

export function verifyDossierFiles(files: ReadonlyMap<string, Uint8Array>): DossierVerdict {
  const manifestBytes = files.get(MANIFEST_FILE);
  if (!manifestBytes) return { ok: false, file: MANIFEST_FILE, reason: 'the manifest is missing' };
  let manifest: Manifest;
  try {
    manifest = JSON.parse(Buffer.from(manifestBytes).toString('utf8')) as Manifest;
  } catch {
    return { ok: false, file: MANIFEST_FILE, reason: 'the manifest is not valid JSON' };
  }
  if (manifest.format !== DOSSIER_FORMAT || !Array.isArray(manifest.files)) return { ok: false, file: MANIFEST_FILE, reason: `not a ${DOSSIER_FORMAT} manifest` };

  for (const entry of manifest.files) {
    const bytes = files.get(entry.name);
    if (!bytes) return { ok: false, file: entry.name, reason: 'listed in the manifest but missing' };
    if (sha256(bytes) !== entry.sha256) return { ok: false, file: entry.name, reason: 'altered: its SHA-256 differs from the manifest' };
  }
  const listed = new Set([MANIFEST_FILE, ...manifest.files.map((f) => f.name)]);
  const extra = [...files.keys()].find((name) => !listed.has(name));
  if (extra) return { ok: false, file: extra, reason: 'not listed in the manifest (added after export)' };
  if (!listed.has(TRAIL_FILE)) return { ok: false, file: MANIFEST_FILE, reason: `does not cover ${TRAIL_FILE}` };

  let trail: TrailFile;
  try {
    trail = JSON.parse(Buffer.from(files.get(TRAIL_FILE)!).toString('utf8')) as TrailFile;
  } catch {
    return { ok: false, file: TRAIL_FILE, reason: 'not valid JSON' };
  }
  const chain = verifyChain(Array.isArray(trail.entries) ? trail.entries : []);
  if (!chain.ok) return { ok: false, file: TRAIL_FILE, seq: chain.seq, reason: chain.reason };
  if (chain.head !== manifest.chain?.head || chain.length !== manifest.chain.length) {
    return { ok: false, file: MANIFEST_FILE, reason: `the trail's chain head or length (${chain.length} entries) differs from the manifest's: entries were removed or the trail replaced` };
  }
  // The manifest's own digest is what the server logged at export: compare it with that anchor.
  return { ok: true, workflowId: manifest.workflowId, head: chain.head, entries: chain.length, files: manifest.files.length + 1, manifestSha256: sha256(manifestBytes) };
}

/** A zip that is not a dossier export at all (not a zip, or too big unpacked): nothing to verify. */
export class DossierArchiveError extends Error {
  override name = 'DossierArchiveError';
}

/** Bounds for unpacking a zip someone uploaded: the five files of an export are far below these. */
export const ZIP_LIMITS = { files: 64, unpackedBytes: 256 * 1024 * 1024 } as const;

/**
 * A dossier zip's files, its single top folder stripped. Sizes are checked against the zip's
 * own directory before anything is inflated (fflate never writes past a declared size), so a
 * small upload cannot unpack into gigabytes.
 */
export function unzipDossier(zip: Uint8Array, limits: { files: number; unpackedBytes: number } = ZIP_LIMITS): Map<string, Uint8Array> {
  let count = 0;
  let total = 0;
  let unzipped: Record<string, Uint8Array>;
  try {
    unzipped = unzipSync(zip, {
      filter: (f) => {
        count += 1;
        total += f.originalSize;
        if (count > limits.files) throw new DossierArchiveError(`the zip holds more than ${limits.files} files: not a dossier export`);
        if (total > limits.unpackedBytes) throw new DossierArchiveError(`the zip unpacks to more than ${limits.unpackedBytes} bytes: not a dossier export`);
        return true;
      },
    });
  } catch (err) {
    if (err instanceof DossierArchiveError) throw err;
    throw new DossierArchiveError(`not a readable zip (${err instanceof Error ? err.message : String(err)})`);
  }
  return new Map(Object.entries(unzipped).filter(([name]) => !name.endsWith('/')).map(([name, bytes]) => [name.replace(/^[^/]+\//, ''), bytes]));
}

/** Reads a dossier folder, or a .zip of one. */
export async function readDossier(location: string): Promise<Map<string, Uint8Array>> {
  if (location.toLowerCase().endsWith('.zip')) return unzipDossier(new Uint8Array(await fs.readFile(location)));
  const names = await fs.readdir(location, { withFileTypes: true });
  const files = new Map<string, Uint8Array>();
  for (const d of names) if (d.isFile()) files.set(d.name, await fs.readFile(path.join(location, d.name)));
  return files;
}

export async function verifyDossier(location: string): Promise<DossierVerdict> {
  return verifyDossierFiles(await readDossier(location));
}

/** The same check on a zip's bytes (an upload): pure, no file system. Throws DossierArchiveError. */
export function verifyDossierZip(zip: Uint8Array): DossierVerdict {
  return verifyDossierFiles(unzipDossier(zip));
}
