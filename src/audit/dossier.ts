import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { RefusalEntry } from './refusalLog';
import { type GoLiveInput, type RunStateView } from '../contract/definitions';
import { FINAL_STATUSES } from '../contract/runStatus';
import { chainHead, type ChainedEntry } from './chain';
import { REFUSALS_FILE } from './refusals';
import { renderHtml } from './renderHtml';
import { renderMarkdown } from './renderMarkdown';
import { buildSections } from './sections';
import { DOSSIER_FORMAT, DOSSIER_FORMATS, type Dossier, type DossierFormat } from './dossierModel';
import { DELIVERABLE_FILES, DELIVERABLE_IDS, deliverableFile } from './documents/model';
import { deliverableDocument, deliverableHtml, deliverableMarkdown } from './documents/render';
import { renderPdfs } from './documents/pdfPool';
import type { Lru } from './cache';
import { trailFileBytes, type TrailBytes, type TrailFile } from './trailFile';
import type { SegmentedBytes } from './segments';

/**
 * The compliance dossier of one run as a set of files (name → bytes), with a manifest of their
 * SHA-256 digests and the trail's chain head. Pure: index.ts writes the files to a folder or a
 * zip, verify.ts checks them.
 */

export { DOSSIER_FORMAT, DOSSIER_FORMATS, type Dossier, type DossierFormat };
export const MANIFEST_FILE = 'manifest.json';
export const TRAIL_FILE = 'audit-trail.json';
export const DOSSIER_JSON = 'dossier.json';
const DOSSIER_FILES = [DOSSIER_JSON, 'dossier.md', 'index.html', TRAIL_FILE, REFUSALS_FILE] as const;
/** Every file an export has besides the manifest: the core files and each deliverable as HTML, Markdown and PDF. */
export const EXPORT_FILES: readonly string[] = [...DOSSIER_FILES, ...DELIVERABLE_FILES];

/**
 * The files an export of `format` must have, and the ones it may have: a /2 export has all of
 * EXPORT_FILES; a /1 export (before the PDFs) has the core files, and the deliverables' HTML
 * and Markdown if it was made after they were added.
 */
export function exportFilesOf(format: DossierFormat): { required: readonly string[]; allowed: readonly string[] } {
  if (format === DOSSIER_FORMAT) return { required: EXPORT_FILES, allowed: EXPORT_FILES };
  const withoutPdf = DELIVERABLE_FILES.filter((name) => !name.endsWith('.pdf'));
  return { required: DOSSIER_FILES, allowed: [...DOSSIER_FILES, ...withoutPdf] };
}

export type { TrailFile };

/** What a server keeps between exports so an open run's next one renders only what changed. */
export interface RenderCache {
  /** The last audit-trail.json of each workflow, by workflow id, weighed in bytes (trailFile.ts). */
  trails: Lru<TrailBytes>;
}

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in lower-case hex');

/**
 * The manifest: the digest of every other file, plus a few descriptive fields that verify.ts
 * checks against those files. Strict: a field verify would not check has no place in it.
 */
export const manifestSchema = z.strictObject({
  format: z.enum(DOSSIER_FORMATS),
  workflowId: z.string().min(1),
  generatedAt: z.string().min(1),
  finished: z.boolean(),
  status: z.string().min(1),
  files: z.array(z.strictObject({ name: z.string().min(1), sha256: sha256Hex, bytes: z.number().int().nonnegative() })),
  chain: z.strictObject({ head: sha256Hex, length: z.number().int().nonnegative() }),
});
export type Manifest = z.infer<typeof manifestSchema>;

export interface DossierSource {
  workflowId: string;
  runIds: string[];
  input: GoLiveInput;
  state: RunStateView;
  entries: ChainedEntry[];
  refusals: readonly RefusalEntry[];
  /** Injected for reproducible output in tests. */
  now?: Date;
}

export const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');
const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

function buildDossier(src: DossierSource): Dossier {
  const { state } = src;
  const finished = FINAL_STATUSES.includes(state.status);
  return {
    format: DOSSIER_FORMAT,
    generatedAt: (src.now ?? new Date()).toISOString(),
    workflowId: src.workflowId,
    runIds: src.runIds,
    title: `Compliance dossier — ${state.system}, ${state.runbook.title}`,
    run: {
      system: state.system,
      runbook: state.runbook,
      collaborationMode: state.collaborationMode,
      initiator: state.initiator,
      status: state.status,
      startedAt: state.startedAt,
      ...(state.endedAt ? { endedAt: state.endedAt } : {}),
      ...(state.failure ? { failure: state.failure } : {}),
    },
    finished,
    ...(finished ? {} : { draftNotice: `DRAFT — run not finished, status: ${state.status}` }),
    trail: { entries: src.entries.length, head: chainHead(src.entries) },
    sections: buildSections({ input: src.input, state, entries: src.entries, refusals: src.refusals }),
    state,
  };
}

/**
 * Called with each file of an export as soon as it is made, in the export's order (a zip starts
 * compressing it); `segmented`, for a file made of segments, says so (segments.ts).
 */
export type OnFile = (name: string, bytes: Uint8Array, segmented?: SegmentedBytes) => void;

/** An export's files as they are made: each encoded and digested once, and handed on at once. */
class ExportFiles {
  readonly files = new Map<string, Uint8Array>();
  readonly digests: Manifest['files'] = [];

  constructor(private readonly onFile?: OnFile) {}

  add(name: string, body: string | Uint8Array | SegmentedBytes): void {
    if (isSegmented(body)) this.put(name, body.bytes, body);
    else this.put(name, typeof body === 'string' ? Buffer.from(body, 'utf8') : body);
  }

  private put(name: string, bytes: Uint8Array, segmented?: SegmentedBytes): void {
    this.files.set(name, bytes);
    if (name !== MANIFEST_FILE)
      this.digests.push({ name, sha256: segmented?.sha256 ?? sha256(bytes), bytes: bytes.length });
    this.onFile?.(name, bytes, segmented);
  }
}

function isSegmented(body: string | Uint8Array | SegmentedBytes): body is SegmentedBytes {
  return typeof body === 'object' && 'segments' in body;
}

/**
 * Every file of the export, manifest last (it digests the others). Async: the PDFs are laid out
 * on their own thread (pdfPool.ts) while this one makes, digests and hands on (`onFile`) the
 * other files. `cache`: the same bytes, fewer of them made anew (an open run exported again).
 */
export async function dossierFiles(
  src: DossierSource,
  cache?: RenderCache,
  onFile?: OnFile,
): Promise<Map<string, Uint8Array>> {
  const dossier = buildDossier(src);
  const ctx = { input: src.input, state: src.state, entries: src.entries, refusals: src.refusals };
  const docs = DELIVERABLE_IDS.map((id) => deliverableDocument(ctx, id, src.workflowId, dossier.generatedAt));
  const pdfBytes = renderPdfs(docs);
  const out = new ExportFiles(onFile);
  out.add(DOSSIER_JSON, json(dossier));
  out.add('dossier.md', renderMarkdown(dossier));
  out.add('index.html', renderHtml(dossier));
  out.add(
    TRAIL_FILE,
    trailFileBytes({ workflowId: src.workflowId, head: dossier.trail.head, entries: src.entries }, cache?.trails),
  );
  out.add(REFUSALS_FILE, json(src.refusals));
  for (const doc of docs) {
    out.add(deliverableFile(doc.deliverable.id, 'html'), deliverableHtml(doc));
    out.add(deliverableFile(doc.deliverable.id, 'md'), deliverableMarkdown(doc));
  }
  (await pdfBytes).forEach((bytes, i) => out.add(deliverableFile(docs[i]!.deliverable.id, 'pdf'), bytes));
  const manifest: Manifest = {
    format: DOSSIER_FORMAT,
    workflowId: src.workflowId,
    generatedAt: dossier.generatedAt,
    finished: dossier.finished,
    status: src.state.status,
    files: out.digests,
    chain: { head: dossier.trail.head, length: src.entries.length },
  };
  out.add(MANIFEST_FILE, json(manifest));
  return out.files;
}
