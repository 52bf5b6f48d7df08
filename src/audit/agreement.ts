import { z } from 'zod';
import { FINAL_STATUSES, type RunStatus } from '../contract/runStatus';
import type { ChainedEntry } from './chain';
import { DOSSIER_FORMATS, DOSSIER_JSON, MANIFEST_FILE, TRAIL_FILE, type Manifest } from './dossier';

/**
 * The descriptive fields of a dossier (workflow id, run ids, status, finished, chain head and
 * length, generation time) must tell one story across its files. Trust runs one way: the
 * hash chain's entries check themselves; `audit-trail.json` and `dossier.json` are covered by
 * the manifest's digests; the manifest's own fields are covered by nothing inside the dossier.
 * So each field is compared with the most trusted place that also holds it, and a
 * disagreement names the less trusted file and its field. Pure.
 */

export interface Disagreement {
  file: string;
  field: string;
  reason: string;
}

/** What the chain itself says about the run: the only facts no digest fix-up can change. */
export interface ChainFacts {
  head: string;
  length: number;
  /** The first run's id and each continued-as-new successor; absent when no entry starts the run. */
  runIds?: string[];
  /** The status the run ended with, when its trail holds the workflow's completion. */
  endedStatus?: string;
}

export function chainFacts(entries: readonly ChainedEntry[], head: string): ChainFacts {
  const started = entries.find((e) => e.kind === 'run-started');
  const firstRunId = started?.details.firstRunId;
  const next = entries.filter((e) => e.kind === 'continued-as-new').map((e) => e.details.newRunId);
  const runIds =
    typeof firstRunId === 'string' && next.every((id) => typeof id === 'string')
      ? [firstRunId, ...(next as string[])]
      : undefined;
  const endedStatus = entries
    .filter((e) => e.kind === 'run-ended')
    .map((e) => e.details.status)
    .find((s) => typeof s === 'string');
  return {
    head,
    length: entries.length,
    ...(runIds ? { runIds } : {}),
    ...(typeof endedStatus === 'string' ? { endedStatus } : {}),
  };
}

/** The trail file's envelope; its entries are checked by the chain, whatever else they hold. */
export const trailFileSchema = z.strictObject({
  workflowId: z.string().min(1),
  head: z.string(),
  entries: z.array(
    z.looseObject({
      seq: z.number().optional(),
      prevHash: z.string(),
      hash: z.string(),
      kind: z.string(),
      details: z.record(z.string(), z.unknown()),
    }),
  ),
});
export type TrailEnvelope = z.infer<typeof trailFileSchema>;

/** The parts of dossier.json that repeat what the trail and the manifest say. */
export const dossierJsonSchema = z.looseObject({
  format: z.enum(DOSSIER_FORMATS),
  generatedAt: z.string().min(1),
  workflowId: z.string().min(1),
  runIds: z.array(z.string().min(1)).min(1),
  run: z.looseObject({ status: z.string().min(1) }),
  finished: z.boolean(),
  draftNotice: z.string().optional(),
  trail: z.strictObject({ entries: z.number().int().nonnegative(), head: z.string() }),
  state: z.looseObject({ status: z.string().min(1) }),
});
export type DossierJson = z.infer<typeof dossierJsonSchema>;

const show = (v: unknown) => JSON.stringify(v);
const same = (a: unknown, b: unknown) => show(a) === show(b);

/** `file`'s `field` says `claimed`, but `where` says `actual`. */
function differs(
  file: string,
  field: string,
  claimed: unknown,
  actual: unknown,
  where: string,
): Disagreement | undefined {
  return same(claimed, actual)
    ? undefined
    : { file, field, reason: `${field} says ${show(claimed)}, but ${where} says ${show(actual)}` };
}

/** The first field that does not agree, most trusted comparisons first; undefined if all agree. */
export function firstDisagreement(
  chain: ChainFacts,
  trail: TrailEnvelope,
  dossier: DossierJson,
  manifest: Manifest,
): Disagreement | undefined {
  const checks: Check[] = [
    ...chainChecks(chain, trail, dossier, manifest),
    ...dossierChecks(dossier),
    ...manifestChecks(trail, dossier, manifest),
  ];
  for (const check of checks) {
    const found = check();
    if (found) return found;
  }
  return undefined;
}

type Check = () => Disagreement | undefined;

/** The trail's hash chain against the manifest, the trail file and dossier.json. */
function chainChecks(chain: ChainFacts, trail: TrailEnvelope, dossier: DossierJson, manifest: Manifest): Check[] {
  const status = dossier.run.status;
  return [
    // The chain against the manifest first: the trail was replaced, or entries removed.
    () => differs(MANIFEST_FILE, 'chain.head', manifest.chain.head, chain.head, `the hash chain of ${TRAIL_FILE}`),
    () =>
      differs(MANIFEST_FILE, 'chain.length', manifest.chain.length, chain.length, `the hash chain of ${TRAIL_FILE}`),
    () => differs(TRAIL_FILE, 'head', trail.head, chain.head, 'its hash chain'),
    // dossier.json against the chain, then against the trail file.
    () => differs(DOSSIER_JSON, 'trail.head', dossier.trail.head, chain.head, `the hash chain of ${TRAIL_FILE}`),
    () =>
      differs(DOSSIER_JSON, 'trail.entries', dossier.trail.entries, chain.length, `the hash chain of ${TRAIL_FILE}`),
    () =>
      chain.runIds
        ? differs(
            DOSSIER_JSON,
            'runIds',
            dossier.runIds,
            chain.runIds,
            `the hash chain of ${TRAIL_FILE} (run-started, continued-as-new)`,
          )
        : {
            file: TRAIL_FILE,
            field: 'entries',
            reason: 'no run-started entry names the first run: not the trail of a go-live run',
          },
    () =>
      chain.endedStatus !== undefined
        ? differs(DOSSIER_JSON, 'run.status', status, chain.endedStatus, `the run-ended entry of ${TRAIL_FILE}`)
        : undefined,
    () => differs(DOSSIER_JSON, 'workflowId', dossier.workflowId, trail.workflowId, TRAIL_FILE),
  ];
}

/** dossier.json against itself. */
function dossierChecks(dossier: DossierJson): Check[] {
  const status = dossier.run.status;
  return [
    // dossier.json against itself: one status, and "finished" exactly when it is a final one.
    () => differs(DOSSIER_JSON, 'state.status', dossier.state.status, status, `${DOSSIER_JSON} run.status`),
    () =>
      differs(
        DOSSIER_JSON,
        'finished',
        dossier.finished,
        FINAL_STATUSES.includes(status as RunStatus),
        `its status ${show(status)}`,
      ),
    () =>
      (dossier.draftNotice !== undefined) === !dossier.finished
        ? undefined
        : {
            file: DOSSIER_JSON,
            field: 'draftNotice',
            reason: dossier.finished
              ? "a finished run's dossier carries a draft notice"
              : "an unfinished run's dossier has no draft notice",
          },
  ];
}

/** The manifest's own fields. */
function manifestChecks(trail: TrailEnvelope, dossier: DossierJson, manifest: Manifest): Check[] {
  const status = dossier.run.status;
  return [
    // The manifest's own fields, against the files its digests cover.
    () => differs(MANIFEST_FILE, 'workflowId', manifest.workflowId, trail.workflowId, TRAIL_FILE),
    () => differs(MANIFEST_FILE, 'status', manifest.status, status, DOSSIER_JSON),
    () => differs(MANIFEST_FILE, 'finished', manifest.finished, dossier.finished, DOSSIER_JSON),
    () => differs(MANIFEST_FILE, 'generatedAt', manifest.generatedAt, dossier.generatedAt, DOSSIER_JSON),
    () => differs(MANIFEST_FILE, 'format', manifest.format, dossier.format, DOSSIER_JSON),
  ];
}
