import fs from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { zipSync } from 'fflate';
import type { RefusalEntry } from './refusalLog';
import { getRunStateQuery, type GoLiveInput, type RunStateView } from '../contract/definitions';
import { chainEntries, chainHead, type ChainedEntry } from './chain';
import { dossierFiles, MANIFEST_FILE, sha256 } from './dossier';
import { auditEntries, finalState, startInput } from './entries';
import { fetchRunChain } from './history';
import { withReviewEntries } from './reviewEntries';
import { fetchReviewHistories } from './reviewHistories';

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
}

export async function buildAuditTrail(opts: TrailOptions): Promise<AuditTrail> {
  const chain = await fetchRunChain(opts.client, opts.workflowId);
  const input = startInput(chain);
  if (!input)
    throw new NotAGoLiveRunError(
      `workflow ${opts.workflowId} is not a go-live run (no go-live start input in its history)`,
    );
  let state = finalState(chain);
  const finished = state !== undefined;
  if (!state) state = await liveState(opts);
  const reviews = hasOversight(input) ? await fetchReviewHistories(opts.client, opts.workflowId) : [];
  const entries = chainEntries(withReviewEntries(auditEntries(chain, state), reviews));
  return {
    workflowId: opts.workflowId,
    runIds: chain.map((r) => r.runId),
    input,
    ...(state ? { state } : {}),
    finished,
    entries,
    head: chainHead(entries),
    refusals: [...(opts.refusals ?? [])],
  };
}

/** Runs whose mode has oversight duties: only they can have scheduled reviews to read. */
function hasOversight(input: GoLiveInput): boolean {
  return (input.runbook.oversight?.duties ?? []).some((d) => d.modes.includes(input.collaborationMode));
}

async function liveState(opts: TrailOptions): Promise<RunStateView | undefined> {
  try {
    const handle = opts.client.workflow.getHandle(opts.workflowId);
    return await opts.client.withDeadline(Date.now() + (opts.queryTimeoutMs ?? 10_000), () =>
      handle.query(getRunStateQuery),
    );
  } catch {
    // No worker (or the run failed in Temporal): the trail still stands on history alone.
    return undefined;
  }
}

/** The dossier's files for a trail already built (the server builds it once to check access). */
export async function dossierFilesOf(trail: AuditTrail, now?: Date): Promise<Map<string, Uint8Array>> {
  if (!trail.state)
    throw new RunStateUnavailableError(
      `run ${trail.workflowId} is open and its state could not be queried (is a worker running?)`,
    );
  return dossierFiles({
    workflowId: trail.workflowId,
    runIds: trail.runIds,
    input: trail.input,
    state: trail.state,
    entries: trail.entries,
    refusals: trail.refusals,
    ...(now ? { now } : {}),
  });
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
  return zipTrailDossier(await buildAuditTrail(opts), opts.now);
}

export async function zipTrailDossier(trail: AuditTrail, now?: Date): Promise<DossierZip> {
  const files = await dossierFilesOf(trail, now);
  const folder = `dossier-${trail.workflowId.replace(/[^A-Za-z0-9._-]/g, '_')}`;
  const zip = zipSync(Object.fromEntries([...files].map(([name, bytes]) => [`${folder}/${name}`, bytes])), {
    level: 6,
  });
  return {
    zip,
    fileName: `${folder}.zip`,
    head: trail.head,
    finished: trail.finished,
    manifestSha256: sha256(files.get(MANIFEST_FILE)!),
  };
}
