import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { UnzipLimits } from '../../audit/boundedUnzip';
import type { DossierVerdict } from '../../audit/verify';
import { DOSSIER_UNZIP_LIMITS } from '../api';
import { HttpError } from '../errors';
import type { VerifyJob, VerifyOutcome } from './worker';

/**
 * Runs dossier verifications in one worker thread, started on first use and stopped when idle,
 * so a large or hostile upload costs the worker's time, never the event loop's: /healthz and
 * every other request keep being answered. Jobs queue in order; a full queue is a 503, a job
 * past its time limit ends the worker (a new one starts with the next upload).
 */

export interface VerifierOptions {
  limits?: UnzipLimits;
  /** One job's time limit (queue wait included). */
  timeoutMs?: number;
  /** Uploads waiting or running at once; more get 503. */
  maxQueued?: number;
  /** The worker stops after this long without work. */
  idleMs?: number;
}

const WORKER_FILE = path.join(__dirname, 'worker.ts');
// The worker runs TypeScript like the rest of golive: tsx registers in the new thread first.
// Both resolved here, so the thread finds them whatever the process's working directory.
const BOOTSTRAP = `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(WORKER_FILE)});`;

interface Pending {
  resolve: (verdict: DossierVerdict) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class DossierVerifier {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly opts: Required<VerifierOptions>;

  constructor(opts: VerifierOptions = {}) {
    this.opts = { limits: DOSSIER_UNZIP_LIMITS, timeoutMs: 60_000, maxQueued: 4, idleMs: 30_000, ...opts };
  }

  verify(zip: Uint8Array): Promise<DossierVerdict> {
    if (this.pending.size >= this.opts.maxQueued) {
      return Promise.reject(
        new HttpError(503, 'other dossiers are being verified: try again in a moment', {
          headers: { 'Retry-After': '5' },
        }),
      );
    }
    clearTimeout(this.idleTimer);
    const worker = this.ensureWorker();
    const id = this.nextId++;
    // A copy of its own to hand over: a request Buffer may share its memory with others.
    const copy = new Uint8Array(zip);
    return new Promise<DossierVerdict>((resolve, reject) => {
      const timer = setTimeout(
        () => this.stop(new HttpError(503, 'verifying this dossier took too long')),
        this.opts.timeoutMs,
      );
      this.pending.set(id, { resolve, reject, timer });
      const job: VerifyJob = { id, zip: copy, limits: this.opts.limits };
      worker.postMessage(job, [copy.buffer]);
    });
  }

  /** Ends the worker; anything still waiting is answered with `reason`. */
  stop(reason: Error = new HttpError(503, 'the server is stopping')): void {
    clearTimeout(this.idleTimer);
    const worker = this.worker;
    this.worker = undefined;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(reason);
    }
    void worker?.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(BOOTSTRAP, { eval: true, resourceLimits: { maxOldGenerationSizeMb: 512 } });
    // Never what keeps a process alive: an idle verifier must not hold up shutdown.
    worker.unref();
    worker.on('message', (outcome: VerifyOutcome) => this.settle(outcome));
    worker.on(
      'error',
      (err) => this.worker === worker && this.stop(this.failure(`the verifier stopped: ${err.message}`)),
    );
    worker.on('exit', () => this.worker === worker && this.stop(new HttpError(503, 'the verifier stopped: try again')));
    this.worker = worker;
    return worker;
  }

  /** Our own bug: a plain Error, which the error mapper logs once and answers with a 500. */
  private failure(message: string): Error {
    return new Error(message);
  }

  private settle(outcome: VerifyOutcome): void {
    const p = this.pending.get(outcome.id);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(outcome.id);
    if (outcome.kind === 'verdict') p.resolve(outcome.verdict);
    else if (outcome.kind === 'too-large')
      p.reject(new HttpError(413, `the upload is too large to verify: ${outcome.message}`));
    else if (outcome.kind === 'unreadable') p.reject(new HttpError(400, `not a dossier zip: ${outcome.message}`));
    else p.reject(this.failure(`dossier verification failed: ${outcome.message}`));
    if (this.pending.size === 0) this.idleTimer = setTimeout(() => this.stop(), this.opts.idleMs).unref();
  }
}
