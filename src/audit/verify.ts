import fs from 'node:fs/promises';
import path from 'node:path';
import { unzipSync } from 'fflate';
import type { z } from 'zod';
import { chainFacts, dossierJsonSchema, firstDisagreement, trailFileSchema } from './agreement';
import { verifyChain, type ChainedEntry } from './chain';
import { refusalsChainProblem, REFUSALS_FILE } from './refusals';
import { verifyPasskeys } from './passkeys';
import { verifySignatures } from './signatures';
import {
  EXPORT_FILES,
  DOSSIER_FORMAT,
  DOSSIER_JSON,
  MANIFEST_FILE,
  manifestSchema,
  sha256,
  TRAIL_FILE,
} from './dossier';

/**
 * Offline check of an exported dossier, bytes in, verdict out: the manifest's shape, every file
 * against the manifest's digest and size, the trail's hash chain, then every descriptive field
 * (workflow id, run ids, status, finished, chain head and length, generation time) across the
 * manifest, `audit-trail.json` and `dossier.json` (agreement.ts). Stops at the first problem and
 * names it (a file and its field, or an entry of the trail by seq), because that is where to
 * look. Everything an ok verdict reports has been checked against at least one other file.
 *
 * What this can prove offline: that the files are the ones the manifest lists, unchanged; that
 * no trail entry was altered, removed, inserted or reordered without re-chaining; that every
 * message the run accepted was signed by golive with a key the run pinned, saying exactly what
 * its entry shows (signatures.ts; no re-chaining forges that); and that the
 * manifest, the trail and dossier.json tell the same story (editing any one of them, or the
 * manifest's own fields, fails). What it cannot: a forger who rewrites every file consistently
 * (re-chains the trail, rewrites dossier.json and the renderings, recomputes every digest)
 * produces a dossier that agrees with itself. Only an anchor from outside the dossier catches
 * that: the manifest's SHA-256, which the server logs at export and returns in the
 * X-Golive-Manifest-Sha256 header. Pass it as `expectManifestSha256` (`golive verify
 * --expect-manifest`) and the manifest, and through its digests every file, is pinned to what
 * the server exported. Without it, an ok verdict means "consistent", not "authentic".
 */

export type DossierVerdict =
  | {
      ok: true;
      workflowId: string;
      runIds: string[];
      status: string;
      finished: boolean;
      head: string;
      entries: number;
      files: number;
      /** The anchor: compare it with the server's log or X-Golive-Manifest-Sha256. */
      manifestSha256: string;
      /** True when it was compared with an expected digest given by the caller (and matched). */
      anchored: boolean;
      /** Messages (and the start) whose golive signature verified, and the keys the run pinned. */
      signatures: { checked: number; keyIds: string[]; unsignedRun: boolean; keyExpected: boolean };
      /** Decisions whose approver's passkey assertion verified (steps the runbook marks `passkey`). */
      passkeys: { checked: number };
    }
  | { ok: false; file: string; field?: string; seq?: number; reason: string };

export interface VerifyOptions {
  /** The manifest SHA-256 the server logged or sent at export (hex); a mismatch fails. */
  expectManifestSha256?: string;
  /** A signing key id the organisation publishes (GET /api/signing-keys): the run must pin it. */
  expectKeyId?: string;
}

type Failure = Extract<DossierVerdict, { ok: false }>;

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

/** JSON of one file checked against a schema; a failure names the file and the first bad field. */
function parseFile<S extends z.ZodType>(
  file: string,
  bytes: Uint8Array,
  schema: S,
  what: string,
): { value: z.output<S>; raw: unknown } | Failure {
  let raw: unknown;
  try {
    raw = JSON.parse(text(bytes));
  } catch {
    return { ok: false, file, reason: 'not valid JSON' };
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { value: parsed.data, raw };
  const issue = parsed.error.issues[0]!;
  const field = issue.path.map(String).join('.');
  return {
    ok: false,
    file,
    ...(field ? { field } : {}),
    reason: `not a ${what}: ${field ? `${field}: ` : ''}${issue.message}`,
  };
}

const failed = (r: object): r is Failure => 'ok' in r && r.ok === false;

export function verifyDossierFiles(files: ReadonlyMap<string, Uint8Array>, opts: VerifyOptions = {}): DossierVerdict {
  const anchored = readAnchoredManifest(files, opts.expectManifestSha256);
  if (failed(anchored)) return anchored;
  const { manifest, manifestSha256 } = anchored;
  const listing = manifestListingProblem(files, manifest);
  if (listing) return listing;

  const trailFile = parseFile(TRAIL_FILE, files.get(TRAIL_FILE)!, trailFileSchema, 'dossier audit trail');
  if (failed(trailFile)) return trailFile;
  // The chain is checked on the entries as they were read: their hashes cover every field.
  const entries = (trailFile.raw as { entries: ChainedEntry[] }).entries;
  const chain = verifyChain(entries);
  if (!chain.ok) return { ok: false, file: TRAIL_FILE, seq: chain.seq, reason: chain.reason };

  const refusals = refusalsChainProblem(files.get(REFUSALS_FILE)!);
  if (refusals) return refusals;

  const dossierFile = parseFile(DOSSIER_JSON, files.get(DOSSIER_JSON)!, dossierJsonSchema, 'dossier');
  if (failed(dossierFile)) return dossierFile;
  const dossier = dossierFile.value;

  const disagreement = firstDisagreement(chainFacts(entries, chain.head), trailFile.value, dossier, manifest);
  if (disagreement) return { ok: false, ...disagreement };

  const signed = verifySigners(trailFile.value.workflowId, entries, opts.expectKeyId);
  if (failed(signed)) return signed;
  const { signatures, passkeys } = signed;

  // Every value below was found equal in at least two places above.
  return {
    ok: true,
    workflowId: trailFile.value.workflowId,
    runIds: dossier.runIds,
    status: dossier.run.status,
    finished: dossier.finished,
    head: chain.head,
    entries: chain.length,
    files: manifest.files.length + 1,
    manifestSha256,
    anchored: opts.expectManifestSha256 !== undefined,
    signatures: {
      checked: signatures.signed,
      keyIds: signatures.keyIds,
      unsignedRun: signatures.unsigned,
      keyExpected: opts.expectKeyId !== undefined,
    },
    passkeys: { checked: passkeys.checked },
  };
}

type Manifest = z.output<typeof manifestSchema>;

/** The manifest, parsed, and its own SHA-256 compared with the anchor when the caller gave one. */
function readAnchoredManifest(
  files: ReadonlyMap<string, Uint8Array>,
  expectManifestSha256: string | undefined,
): { manifest: Manifest; manifestSha256: string } | Failure {
  const manifestBytes = files.get(MANIFEST_FILE);
  if (!manifestBytes) return { ok: false, file: MANIFEST_FILE, reason: 'the manifest is missing' };
  const manifestSha256 = sha256(manifestBytes);
  const expected = expectManifestSha256?.toLowerCase();
  if (expected !== undefined && expected !== manifestSha256) {
    return {
      ok: false,
      file: MANIFEST_FILE,
      reason: `its SHA-256 is ${manifestSha256}, not the expected ${expected}: this is not the manifest the server exported`,
    };
  }
  const manifestFile = parseFile(MANIFEST_FILE, manifestBytes, manifestSchema, `${DOSSIER_FORMAT} manifest`);
  if (failed(manifestFile)) return manifestFile;
  return { manifest: manifestFile.value, manifestSha256 };
}

/** Exactly the files an export writes, each once, each as the manifest describes it. */
function manifestListingProblem(files: ReadonlyMap<string, Uint8Array>, manifest: Manifest): Failure | undefined {
  const names = manifest.files.map((f) => f.name);
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated) return { ok: false, file: MANIFEST_FILE, field: 'files', reason: `lists ${repeated} twice` };
  const unexpected = names.find((name) => !EXPORT_FILES.includes(name));
  if (unexpected)
    return {
      ok: false,
      file: MANIFEST_FILE,
      field: 'files',
      reason: `lists ${unexpected}, which a ${DOSSIER_FORMAT} export does not have`,
    };
  const uncovered = EXPORT_FILES.find((name) => !names.includes(name));
  if (uncovered) return { ok: false, file: MANIFEST_FILE, field: 'files', reason: `does not cover ${uncovered}` };
  for (const entry of manifest.files) {
    const bytes = files.get(entry.name);
    if (!bytes) return { ok: false, file: entry.name, reason: 'listed in the manifest but missing' };
    if (sha256(bytes) !== entry.sha256)
      return { ok: false, file: entry.name, reason: 'altered: its SHA-256 differs from the manifest' };
    if (bytes.length !== entry.bytes)
      return {
        ok: false,
        file: MANIFEST_FILE,
        field: 'files',
        reason: `says ${entry.name} has ${entry.bytes} bytes; it has ${bytes.length}`,
      };
  }
  const extra = [...files.keys()].find((name) => name !== MANIFEST_FILE && !names.includes(name));
  if (extra) return { ok: false, file: extra, reason: 'not listed in the manifest (added after export)' };
  return undefined;
}

type Verified<F extends (...args: never[]) => unknown> = Extract<ReturnType<F>, { ok: true }>;

/** golive's signatures on every message (and the expected key among those pinned), then the approvers' passkeys. */
function verifySigners(
  workflowId: string,
  entries: ChainedEntry[],
  expectKeyId: string | undefined,
): Failure | { signatures: Verified<typeof verifySignatures>; passkeys: Verified<typeof verifyPasskeys> } {
  const signatures = verifySignatures(workflowId, entries);
  if (!signatures.ok) return { ok: false, file: TRAIL_FILE, seq: signatures.seq, reason: signatures.reason };
  if (expectKeyId !== undefined && !signatures.keyIds.includes(expectKeyId)) {
    const pinned = signatures.keyIds.length ? `pinned ${signatures.keyIds.join(', ')}` : 'was not signed at all';
    return {
      ok: false,
      file: TRAIL_FILE,
      field: 'entries[run-started].details.signing',
      reason: `the run ${pinned}, not the expected key ${expectKeyId}`,
    };
  }
  // After golive's signatures: what no server key can forge, the approvers' own passkeys.
  const passkeys = verifyPasskeys(workflowId, entries);
  if (!passkeys.ok) return { ok: false, file: TRAIL_FILE, seq: passkeys.seq, reason: passkeys.reason };
  return { signatures, passkeys };
}

/** A zip that is not a dossier export at all (not a zip, or too big unpacked): nothing to verify. */
export class DossierArchiveError extends Error {
  override name = 'DossierArchiveError';
}

/** Bounds for unpacking a zip someone uploaded: the files of an export (16) are far below these. */
const ZIP_LIMITS = { files: 64, unpackedBytes: 256 * 1024 * 1024 } as const;

/**
 * A dossier zip's files, its single top folder stripped. Sizes are checked against the zip's
 * own directory before anything is inflated (fflate never writes past a declared size), so a
 * small upload cannot unpack into gigabytes.
 */
export function unzipDossier(
  zip: Uint8Array,
  limits: { files: number; unpackedBytes: number } = ZIP_LIMITS,
): Map<string, Uint8Array> {
  let count = 0;
  let total = 0;
  let unzipped: Record<string, Uint8Array>;
  try {
    unzipped = unzipSync(zip, {
      filter: (f) => {
        count += 1;
        total += f.originalSize;
        if (count > limits.files)
          throw new DossierArchiveError(`the zip holds more than ${limits.files} files: not a dossier export`);
        if (total > limits.unpackedBytes)
          throw new DossierArchiveError(
            `the zip unpacks to more than ${limits.unpackedBytes} bytes: not a dossier export`,
          );
        return true;
      },
    });
  } catch (err) {
    if (err instanceof DossierArchiveError) throw err;
    throw new DossierArchiveError(`not a readable zip (${err instanceof Error ? err.message : String(err)})`);
  }
  return new Map(
    Object.entries(unzipped)
      .filter(([name]) => !name.endsWith('/'))
      .map(([name, bytes]) => [name.replace(/^[^/]+\//, ''), bytes]),
  );
}

/** Reads a dossier folder, or a .zip of one. */
async function readDossier(location: string): Promise<Map<string, Uint8Array>> {
  if (location.toLowerCase().endsWith('.zip')) return unzipDossier(new Uint8Array(await fs.readFile(location)));
  const names = await fs.readdir(location, { withFileTypes: true });
  const files = new Map<string, Uint8Array>();
  for (const d of names) if (d.isFile()) files.set(d.name, await fs.readFile(path.join(location, d.name)));
  return files;
}

export async function verifyDossier(location: string, opts: VerifyOptions = {}): Promise<DossierVerdict> {
  return verifyDossierFiles(await readDossier(location), opts);
}

/** The same check on a zip's bytes (an upload): pure, no file system. Throws DossierArchiveError. */
export function verifyDossierZip(zip: Uint8Array, opts: VerifyOptions = {}): DossierVerdict {
  return verifyDossierFiles(unzipDossier(zip), opts);
}
