import { parentPort } from 'node:worker_threads';
import { deliverablePdf } from './renderPdf';
import type { DeliverableDocument } from './render';

/**
 * The PDF thread's body (pdfPool.ts): lays out each document it is sent and sends its bytes
 * back, the same bytes the main thread would make (same code, same fonts).
 */
export interface PdfJob {
  id: number;
  doc: DeliverableDocument;
}

export type PdfAnswer = { id: number; bytes: Uint8Array } | { id: number; error: string };

parentPort?.on('message', (job: PdfJob) => {
  deliverablePdf(job.doc).then(
    (bytes) => parentPort!.postMessage({ id: job.id, bytes } satisfies PdfAnswer), // copied: the buffer may be pooled
    (err: unknown) =>
      parentPort!.postMessage({
        id: job.id,
        error: err instanceof Error ? err.message : String(err),
      } satisfies PdfAnswer),
  );
});
