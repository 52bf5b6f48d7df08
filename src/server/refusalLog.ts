import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

/**
 * Refused attempts (who tried what, and why not), one JSON object per line, appended only.
 * The audit trail reads them back per run (`readForRun`) beside the workflow history, which
 * holds no trace of Updates its validators rejected.
 */

export const REFUSALS_FILE = 'refusals.jsonl';

export const refusalEntrySchema = z.object({
  at: z.string(),
  runId: z.string(),
  /** The verified person, or "anonymous" for an anonymous Red Button report. */
  actor: z.string(),
  /** Which operation: decide, submitEvidence, report, resolveReport, stop, rollback, startRun. */
  action: z.string(),
  stepId: z.string().optional(),
  reportId: z.string().optional(),
  /** A REFUSAL_TYPES value (NotAuthorized, SelfApproval, …). */
  type: z.string(),
  status: z.number().int(),
  reason: z.string(),
  /** Who refused: the server's own check, or the workflow's Update validator. */
  by: z.enum(['server', 'workflow']),
});
export type RefusalEntry = z.infer<typeof refusalEntrySchema>;

export class RefusalLog {
  readonly file: string;
  private tail: Promise<void> = Promise.resolve();

  constructor(dataDir: string) {
    this.file = path.join(dataDir, REFUSALS_FILE);
  }

  /** Appends one line; appends are serialised so lines never interleave. */
  append(entry: RefusalEntry): Promise<void> {
    const line = JSON.stringify(refusalEntrySchema.parse(entry)) + '\n';
    const next = this.tail.then(() => fs.appendFile(this.file, line, { flag: 'a', mode: 0o600 }));
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** Every refusal recorded for a run, oldest first; unreadable lines are skipped. */
  async readForRun(runId: string): Promise<RefusalEntry[]> {
    await this.tail;
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: RefusalEntry[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const parsed = refusalEntrySchema.safeParse(JSON.parse(line));
        if (parsed.success && parsed.data.runId === runId) out.push(parsed.data);
      } catch {
        // A torn last line after a crash: not a refusal anyone can read, so not one to report.
      }
    }
    return out;
  }
}
