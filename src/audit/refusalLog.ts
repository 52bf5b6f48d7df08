import { sql, type Kysely, type Transaction } from 'kysely';
import { chainRefusal, type RefusalEntry, type RefusalInput } from './refusals';
import type { GoLiveDatabase } from '../db/database';
import type { RefusalRow, Tables } from '../db/tables';

export { type RefusalEntry, type RefusalInput } from './refusals';

/**
 * Refused attempts in golive's database: indexed by run, append-only (the table's triggers refuse
 * UPDATE and DELETE), chained per run (src/audit/refusals.ts). The audit trail reads a run's
 * refusals by its key, so its cost does not grow with the refusals of other runs.
 *
 * Two web servers may append to one run at the same moment. On PostgreSQL each append takes a
 * per-run advisory lock for its transaction, so they queue; on SQLite one process writes at a
 * time anyway. Should two ever compute the same next sequence number, the primary key (run, seq)
 * lets only one in and the other re-reads the head and tries again: the chain never forks.
 */

const APPEND_ATTEMPTS = 20;

function toEntry(row: RefusalRow): RefusalEntry {
  return {
    at: row.at,
    runId: row.run_id,
    actor: row.actor,
    action: row.action,
    ...(row.step_id !== null ? { stepId: row.step_id } : {}),
    ...(row.report_id !== null ? { reportId: row.report_id } : {}),
    type: row.type,
    status: Number(row.status),
    reason: row.reason,
    by: row.by as RefusalEntry['by'],
    seq: Number(row.seq),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  // PostgreSQL: unique_violation; SQLite: a PRIMARY KEY constraint failure.
  return (
    e.code === '23505' ||
    e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    (typeof e.message === 'string' && /UNIQUE constraint failed/.test(e.message))
  );
}

/** SQLite: another connection to the file is writing (its busy timeout covers most of this). */
function isBusy(err: unknown): boolean {
  return String((err as { code?: unknown }).code).startsWith('SQLITE_BUSY');
}

export class RefusalLog {
  private readonly db: Kysely<Tables>;

  constructor(private readonly database: GoLiveDatabase) {
    this.db = database.db;
  }

  /** Appends one refusal at the end of its run's chain; returns it chained. */
  async append(input: RefusalInput): Promise<RefusalEntry> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction().execute((trx) => this.appendIn(trx, input));
      } catch (err) {
        if (!(isUniqueViolation(err) || isBusy(err)) || attempt >= APPEND_ATTEMPTS) throw err;
        await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
      }
    }
  }

  private async appendIn(trx: Transaction<Tables>, input: RefusalInput): Promise<RefusalEntry> {
    if (this.database.kind === 'postgres')
      await sql`select pg_advisory_xact_lock(hashtext(${`refusals:${input.runId}`}))`.execute(trx);
    const head = await trx
      .selectFrom('refusals')
      .select(['seq', 'hash'])
      .where('run_id', '=', input.runId)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    const entry = chainRefusal(input, head ? { seq: Number(head.seq), hash: head.hash } : undefined);
    await trx
      .insertInto('refusals')
      .values({
        run_id: entry.runId,
        seq: entry.seq,
        at: entry.at,
        actor: entry.actor,
        action: entry.action,
        step_id: entry.stepId ?? null,
        report_id: entry.reportId ?? null,
        type: entry.type,
        status: entry.status,
        reason: entry.reason,
        by: entry.by,
        prev_hash: entry.prevHash,
        hash: entry.hash,
      })
      .execute();
    return entry;
  }

  /** Every refusal recorded for a run, oldest first, with its chain fields. */
  async readForRun(runId: string): Promise<RefusalEntry[]> {
    const rows = await this.db
      .selectFrom('refusals')
      .selectAll()
      .where('run_id', '=', runId)
      .orderBy('seq', 'asc')
      .execute();
    return rows.map(toEntry);
  }
}
