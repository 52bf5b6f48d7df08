import path from 'node:path';
import { Worker as Thread } from 'node:worker_threads';
import { deliverablePdf } from './renderPdf';
import type { DeliverableDocument } from './render';
import type { PdfAnswer } from './pdfThread';

/**
 * Lays out PDFs on a thread of their own, so an export's five PDFs (115–200 ms of CPU) are made
 * while the main thread builds the export's other files and keeps answering requests (issue 16:
 * the open run's dossier). One thread, started on first use (≈1 s), ended after IDLE_MS without
 * work: it holds ≈70 MB, which a web process nobody exports from should not carry. It never holds
 * the process open. If it cannot start or dies, PDFs are laid out on the main thread: the same
 * code, the same bytes.
 */

const IDLE_MS = 5 * 60_000;

const THREAD_FILE = path.join(__dirname, `pdfThread${path.extname(__filename)}`);

/** The thread's entry: it loads pdfThread.ts through tsx's CommonJS hook, whatever loader ran this thread. */
const THREAD_SOURCE = `
const { workerData } = require('node:worker_threads');
if (workerData.tsx) require(workerData.tsx).register();
require(workerData.file);
`;

type Pending = { resolve: (bytes: Uint8Array) => void; reject: (err: Error) => void };

class PdfThread {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private idle: NodeJS.Timeout | undefined;

  constructor(private readonly thread: Thread) {
    thread.unref();
    thread.on('message', (a: PdfAnswer) => this.settle(a));
    thread.on('error', (err) => this.failAll(err));
    thread.on('exit', (code) => this.failAll(new Error(`the PDF thread exited (${code})`)));
  }

  render(doc: DeliverableDocument): Promise<Uint8Array> {
    const id = this.nextId++;
    clearTimeout(this.idle);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.thread.ref(); // work in flight: the thread must live until it answers
      this.thread.postMessage({ id, doc });
    });
  }

  private settle(a: PdfAnswer): void {
    const p = this.pending.get(a.id);
    this.pending.delete(a.id);
    if (this.pending.size === 0) this.rest();
    if ('bytes' in a) p?.resolve(a.bytes);
    else p?.reject(new Error(a.error));
  }

  /** No work in flight: the thread may not hold the process open, and ends if none comes. */
  private rest(): void {
    this.thread.unref();
    this.idle = setTimeout(() => {
      if (thread === this) thread = undefined;
      void this.thread.terminate();
    }, IDLE_MS).unref();
  }

  private failAll(err: Error): void {
    if (thread !== this) return; // ended when idle: nothing was in flight
    broken = true;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

let thread: PdfThread | undefined;
let broken = false;
/** Where this process's PDFs were laid out: what the tests check the thread did. */
const made = { onThread: 0, here: 0 };
export const pdfsMade = (): Readonly<typeof made> => ({ ...made });

function pdfThread(): PdfThread | undefined {
  if (broken) return undefined;
  try {
    const tsx = THREAD_FILE.endsWith('.ts') ? require.resolve('tsx/cjs/api') : undefined;
    thread ??= new PdfThread(new Thread(THREAD_SOURCE, { eval: true, workerData: { file: THREAD_FILE, tsx } }));
    return thread;
  } catch {
    broken = true;
    return undefined;
  }
}

/** Each document's PDF, in order; made on the PDF thread, else here. */
export async function renderPdfs(docs: readonly DeliverableDocument[]): Promise<Uint8Array[]> {
  const t = pdfThread();
  if (!t) return inOrder(docs);
  try {
    const pdfs = await Promise.all(docs.map((d) => t.render(d)));
    made.onThread += pdfs.length;
    return pdfs;
  } catch {
    return inOrder(docs); // the thread died under these: the main thread makes them
  }
}

async function inOrder(docs: readonly DeliverableDocument[]): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const d of docs) out.push(await deliverablePdf(d));
  made.here += out.length;
  return out;
}
