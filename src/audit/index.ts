import fs from 'node:fs/promises';
import path from 'node:path';
import { QueryNotRegisteredError, type Client } from '@temporalio/client';
import type { RefusalEntry } from './refusalLog';
import { getRunRecordQuery, getRunStateQuery, type GoLiveInput, type RunStateView } from '../contract/definitions';
import { shownAsEnded } from '../contract/endedRun';
import { endedInTemporal } from '../contract/runStatus';
import { Lru } from './cache';
import { chainEntries, chainHead, type ChainedEntry } from './chain';
import { dossierFiles, MANIFEST_FILE, sha256, type OnFile, type RenderCache } from './dossier';
import { auditEntries, finalState, startInput, type AuditEntry } from './entries';
import { fetchRunChain, type RunHistory } from './history';
import { withReviewEntries } from './reviewEntries';
import { fetchReviewHistories, type ReviewHistory } from './reviewHistories';
import { ZipWriter } from './zip';

/**
 * What the server and the CLI call: the trail of a run (JSON for the API and UI), its
 * compliance dossier as a folder or a zip, and the offline verification of one.
 */

export { AUDIT_KINDS, filterEntries } from './entries';
export type { ChainedEntry } from './chain';
export { verifyDossier } from './verify';
export { viewTrail, type TrailView } from './view';

/** The workflow exists but was not started as a go-live (no go-live input in its history). */
export class NotAGoLiveRunError extends Error {
  override name = 'NotAGoLiveRunError';
}

/** An open run whose worker did not answer the state query: no dossier can be built yet. */
export class RunStateUnavailableError extends Error {
  override name = 'RunStateUnavailableError';
}

export interface AuditTrail {
  workflowId: string;
  /** Every run of the continue-as-new chain, first first. */
  runIds: string[];
  input: GoLiveInput;
  /** The final state (closed run) or the live one (query); absent when an open run's worker is down. */
  state?: RunStateView;
  finished: boolean;
  entries: ChainedEntry[];
  head: string;
  /** Refused attempts, from golive's own log: shown apart, not part of the chain. */
  refusals: RefusalEntry[];
}

export interface TrailOptions {
  client: Client;
  workflowId: string;
  /** `RefusalLog.readForRun(workflowId)`; the trail shows them apart. */
  refusals?: readonly RefusalEntry[];
  /** How long to wait for an open run's worker to answer the state query. */
  queryTimeoutMs?: number;
  /** Keeps what cannot change between calls (cache.ts); the server holds one. */
  cache?: AuditCache;
}

/** A go-live's record as its Temporal history tells it, before reviews and the hash chain. */
interface ChainRecord {
  runIds: string[];
  input: GoLiveInput;
  state?: RunStateView;
  finished: boolean;
  entries: AuditEntry[];
  /** The chained entries last made from it, and the reviews they were made with. */
  chained?: { reviews: string; entries: ChainedEntry[] };
}

export interface AuditCache {
  /** Closed runs' records, by workflow id, latest run id and history length. */
  records: Lru<ChainRecord>;
  /** Dossiers, by the digest of what they are built from (dossierKey). */
  dossiers: Lru<DossierZip>;
  /** Runs that continued as new (closed for good) of open chains, decoded; weighed in events. */
  closedRuns: Lru<RunHistory>;
  /** The last hash chain made of each workflow read (chain.ts reuses its unchanged links). */
  lastChains: Lru<ChainedEntry[]>;
  /** Bytes of the last dossier files made of each workflow that the next export reuses (dossier.ts). */
  render: RenderCache;
}

/** Decoded events kept of open chains' closed runs: three 20,000-event hypercares, ≈50 MB (≈0.8 KB an event decoded). */
const CLOSED_RUN_EVENTS_KEPT = 60_000;
/** Bytes of audit-trail.json kept: the last of four 14,500-entry hypercares (≈16 MB each). */
const TRAIL_FILE_BYTES_KEPT = 64 * 1024 * 1024;

export function auditCache(size = 4): AuditCache {
  return {
    records: new Lru(size),
    dossiers: new Lru(size),
    closedRuns: new Lru(CLOSED_RUN_EVENTS_KEPT, (run) => run.events.length),
    lastChains: new Lru(size),
    render: { trails: new Lru(TRAIL_FILE_BYTES_KEPT, (t) => t.bytes) },
  };
}

export async function buildAuditTrail(opts: TrailOptions): Promise<AuditTrail> {
  const record = await chainRecord(opts);
  const reviews = hasOversight(record.input) ? await fetchReviewHistories(opts.client, opts.workflowId) : [];
  const entries = chainedEntries(opts.workflowId, record, reviews, opts.cache);
  return {
    workflowId: opts.workflowId,
    runIds: record.runIds,
    input: record.input,
    ...(record.state ? { state: record.state } : {}),
    finished: record.finished,
    entries,
    head: chainHead(entries),
    refusals: [...(opts.refusals ?? [])],
  };
}

/**
 * The chain's record: from the cache when the latest run is closed and was read before at the
 * same length (a closed history does not change), else fetched and decoded once.
 */
async function chainRecord(opts: TrailOptions): Promise<ChainRecord> {
  const latest = await opts.client.workflow.getHandle(opts.workflowId).describe();
  const key =
    latest.status.name === 'RUNNING' ? undefined : `${opts.workflowId}\n${latest.runId}\n${latest.historyLength}`;
  const cached = key === undefined ? undefined : opts.cache?.records.get(key);
  if (cached) return cached;
  // An open run's state comes from its worker: asked while the history is fetched, not after.
  const live = latest.status.name === 'RUNNING' ? liveState(opts) : undefined;
  const chain = await fetchRunChain(opts.client, opts.workflowId, latest.runId, opts.cache?.closedRuns);
  const input = startInput(chain);
  if (!input)
    throw new NotAGoLiveRunError(
      `workflow ${opts.workflowId} is not a go-live run (no go-live start input in its history)`,
    );
  const final = finalState(chain);
  const recorded = final ?? (await (live ?? liveState(opts)));
  // Ended in Temporal before golive finished it: what it recorded last is not its end.
  const ended = !final && recorded ? endedInTemporal(recorded.status, latest.status.name) : undefined;
  const state = recorded && ended ? shownAsEnded(recorded, ended, latest.closeTime) : recorded;
  const finished = final !== undefined || ended !== undefined;
  const record: ChainRecord = {
    runIds: chain.map((r) => r.runId),
    input,
    ...(state ? { state } : {}),
    finished,
    // The trail tells what the run recorded (and history: how Temporal ended it), not the view.
    entries: auditEntries(chain, recorded),
  };
  if (key !== undefined && finished) opts.cache?.records.set(key, record);
  return record;
}

/**
 * The record's entries with the reviews' merged in, hash-chained; hashed again only when the
 * reviews changed, and then only from the first entry that differs from the last chain made of
 * this workflow (`lastChains`: an open run read again).
 */
function chainedEntries(
  workflowId: string,
  record: ChainRecord,
  reviews: readonly ReviewHistory[],
  cache?: AuditCache,
): ChainedEntry[] {
  const key = reviews.map((r) => `${r.reviewId}/${r.history.runId}/${r.history.events.length}`).join('\n');
  if (record.chained?.reviews === key) return record.chained.entries;
  const entries = chainEntries(withReviewEntries(record.entries, reviews), cache?.lastChains.get(workflowId));
  record.chained = { reviews: key, entries };
  cache?.lastChains.set(workflowId, entries);
  return entries;
}

/** Runs whose mode has oversight duties: only they can have scheduled reviews to read. */
function hasOversight(input: GoLiveInput): boolean {
  return (input.runbook.oversight?.duties ?? []).some((d) => d.modes.includes(input.collaborationMode));
}

/**
 * An open run's whole record from its worker (every report, escalation and notification: the
 * trail states them all). A worker from before `getRunRecord` answers the bounded state instead.
 */
async function liveState(opts: TrailOptions): Promise<RunStateView | undefined> {
  const handle = opts.client.workflow.getHandle(opts.workflowId);
  const ask = (query: typeof getRunRecordQuery) =>
    opts.client.withDeadline(Date.now() + (opts.queryTimeoutMs ?? 10_000), () => handle.query(query));
  try {
    return await ask(getRunRecordQuery).catch((err: unknown) => {
      if (err instanceof QueryNotRegisteredError) return ask(getRunStateQuery);
      throw err;
    });
  } catch {
    // No worker (or the run failed in Temporal): the trail still stands on history alone.
    return undefined;
  }
}

/**
 * What a dossier is made of besides the time it is made: the same digest, the same dossier. The
 * entries are in it through the chain head (each entry's hash covers its content and the one
 * before), the refusals through their own chain's last hash.
 */
function dossierKey(trail: AuditTrail): string {
  return sha256(
    JSON.stringify([
      trail.workflowId,
      trail.runIds,
      trail.head,
      trail.entries.length,
      trail.refusals.length,
      trail.refusals.at(-1)?.hash ?? '',
      trail.input,
      trail.state ?? null,
    ]),
  );
}

/** The dossier's files for a trail already built (the server builds it once to check access). */
export async function dossierFilesOf(
  trail: AuditTrail,
  now?: Date,
  render?: RenderCache,
  onFile?: OnFile,
): Promise<Map<string, Uint8Array>> {
  if (!trail.state)
    throw new RunStateUnavailableError(
      `run ${trail.workflowId} is open and its state could not be queried (is a worker running?)`,
    );
  return dossierFiles(
    {
      workflowId: trail.workflowId,
      runIds: trail.runIds,
      input: trail.input,
      state: trail.state,
      entries: trail.entries,
      refusals: trail.refusals,
      ...(now ? { now } : {}),
    },
    render,
    onFile,
  );
}

async function filesOf(
  opts: TrailOptions & { now?: Date },
): Promise<{ trail: AuditTrail; files: Map<string, Uint8Array> }> {
  const trail = await buildAuditTrail(opts);
  return { trail, files: await dossierFilesOf(trail, opts.now) };
}

export interface ExportResult {
  dir: string;
  files: string[];
  head: string;
  finished: boolean;
  /** Publish or log this: it anchors the whole export (the manifest digests every other file). */
  manifestSha256: string;
}

/** Writes the dossier folder (created if needed; files of the same names are replaced). */
export async function exportDossier(opts: TrailOptions & { outDir: string; now?: Date }): Promise<ExportResult> {
  const { trail, files } = await filesOf(opts);
  await fs.mkdir(opts.outDir, { recursive: true });
  for (const [name, bytes] of files) await fs.writeFile(path.join(opts.outDir, name), bytes);
  return {
    dir: opts.outDir,
    files: [...files.keys()],
    head: trail.head,
    finished: trail.finished,
    manifestSha256: sha256(files.get(MANIFEST_FILE)!),
  };
}

export interface DossierZip {
  zip: Uint8Array;
  fileName: string;
  head: string;
  finished: boolean;
  manifestSha256: string;
}

/** The same dossier as one zip, its files under `dossier-<workflowId>/`. */
export async function dossierZip(opts: TrailOptions & { now?: Date }): Promise<DossierZip> {
  return zipTrailDossier(await buildAuditTrail(opts), opts.now, opts.cache);
}

/** With a cache (and no `now`), a dossier of content exported before is that export again. */
export async function zipTrailDossier(trail: AuditTrail, now?: Date, cache?: AuditCache): Promise<DossierZip> {
  const key = cache && !now ? dossierKey(trail) : undefined;
  const cached = key === undefined ? undefined : cache?.dossiers.get(key);
  if (cached) return cached;
  const zip = await buildDossierZip(trail, now, cache?.render);
  if (key !== undefined) cache?.dossiers.set(key, zip);
  return zip;
}

async function buildDossierZip(trail: AuditTrail, now?: Date, render?: RenderCache): Promise<DossierZip> {
  const folder = `dossier-${trail.workflowId.replace(/[^A-Za-z0-9._-]/g, '_')}`;
  // Level 1: a long run's ≈40 MB of text (much of it repeated JSON keys) in less than half the
  // CPU of level 6, for a zip ≈10 % larger (3.6 MB against 3.3 MB for a 14,500-entry hypercare).
  const writer = new ZipWriter({ level: 1 });
  // Each file is compressed as soon as it is made, while the next ones (and the PDFs) are.
  const files = await dossierFilesOf(trail, now, render, (name, bytes, segmented) =>
    writer.add(`${folder}/${name}`, bytes, segmented),
  );
  const zip = await writer.finish();
  return {
    zip,
    fileName: `${folder}.zip`,
    head: trail.head,
    finished: trail.finished,
    manifestSha256: sha256(files.get(MANIFEST_FILE)!),
  };
}
