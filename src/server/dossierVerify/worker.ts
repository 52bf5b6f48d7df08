import { parentPort } from 'node:worker_threads';
import { unzipBounded, ZipTooLarge, ZipUnreadable, type UnzipLimits } from '../../audit/boundedUnzip';
import { verifyDossierFiles, type DossierVerdict } from '../../audit/verify';

/**
 * The worker thread behind POST /api/dossiers/verify: unpacks an upload within its limits and
 * checks it, away from the web server's event loop. One job at a time, in arrival order.
 */

export interface VerifyJob {
  id: number;
  zip: Uint8Array;
  limits: UnzipLimits;
}

export type VerifyOutcome =
  | { id: number; kind: 'verdict'; verdict: DossierVerdict }
  | { id: number; kind: 'too-large' | 'unreadable' | 'failed'; message: string };

function run(job: VerifyJob): VerifyOutcome {
  try {
    const unpacked = unzipBounded(job.zip, job.limits);
    // An export is one folder: its files are checked by their names inside it.
    const files = new Map([...unpacked].map(([name, bytes]) => [name.replace(/^[^/]+\//, ''), bytes]));
    return { id: job.id, kind: 'verdict', verdict: verifyDossierFiles(files) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof ZipTooLarge) return { id: job.id, kind: 'too-large', message };
    if (err instanceof ZipUnreadable) return { id: job.id, kind: 'unreadable', message };
    return { id: job.id, kind: 'failed', message: err instanceof Error ? (err.stack ?? message) : message };
  }
}

parentPort?.on('message', (job: VerifyJob) => parentPort?.postMessage(run(job)));
