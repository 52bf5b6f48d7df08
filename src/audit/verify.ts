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
  | { ok: true; workflowId: string; head: string; entries: number; files: number }
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
  return { ok: true, workflowId: manifest.workflowId, head: chain.head, entries: chain.length, files: manifest.files.length + 1 };
}

/** Reads a dossier folder, or a .zip of one (its single top folder is stripped). */
export async function readDossier(location: string): Promise<Map<string, Uint8Array>> {
  if (location.toLowerCase().endsWith('.zip')) {
    const unzipped = unzipSync(new Uint8Array(await fs.readFile(location)));
    return new Map(Object.entries(unzipped).filter(([name]) => !name.endsWith('/')).map(([name, bytes]) => [name.replace(/^[^/]+\//, ''), bytes]));
  }
  const names = await fs.readdir(location, { withFileTypes: true });
  const files = new Map<string, Uint8Array>();
  for (const d of names) if (d.isFile()) files.set(d.name, await fs.readFile(path.join(location, d.name)));
  return files;
}

export async function verifyDossier(location: string): Promise<DossierVerdict> {
  return verifyDossierFiles(await readDossier(location));
}
