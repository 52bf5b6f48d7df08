import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chainEntries } from '../src/audit/chain';
import { auditEntries } from '../src/audit/entries';
import type { RunHistory } from '../src/audit/history';
import { chainRefusals, type RefusalInput } from '../src/audit/refusals';
import { openDatabase, type GoLiveDatabase } from '../src/db/database';
import { RefusalLog } from '../src/audit/refusalLog';
import { compareAll, type Bench } from './harness';
import { repoPath } from './fixtures';

/**
 * A trail request's own work (the recorded run's history → chained entries, plus its refused
 * attempts from golive's database) with 100 refusals of other runs stored, against the same with
 * 100 000 stored: refusals are read by run, so the ratio should stay near 1. For contrast, the
 * first design — one JSONL file read whole and filtered for every trail — at the same two sizes.
 * SQLite (the embedded default); PostgreSQL reads by the same primary key.
 */
const FIXTURE = 'test/fixtures/audit/rejected-run.history.json';
const RUN = 'golive-bench-run';
const PER_RUN = 100;

function refusal(runId: string, n: number): RefusalInput {
  return {
    at: new Date(1_700_000_000_000 + n).toISOString(),
    runId,
    actor: 'rm',
    action: 'decide:approve',
    stepId: 'gate-4',
    type: 'SelfApproval',
    status: 403,
    reason: `attempt ${n}`,
    by: 'workflow',
  };
}

/** `others` refusals spread over other runs, plus 5 of the measured run; bulk-inserted. */
async function store(dir: string, others: number): Promise<{ database: GoLiveDatabase; jsonl: string }> {
  const database = await openDatabase({ sqliteFile: path.join(dir, `refusals-${others}.sqlite`) });
  if (database.driver.kind !== 'sqlite') throw new Error('the bench uses SQLite');
  const client = database.driver.client;
  const insert = client.prepare(
    'insert into refusals (run_id, seq, at, actor, action, step_id, report_id, type, status, reason, by, prev_hash, hash) values (?, ?, ?, ?, ?, ?, null, ?, ?, ?, ?, ?, ?)',
  );
  const runs = [...Array.from({ length: others / PER_RUN }, (_, i) => `other-run-${i}`), RUN];
  const lines: string[] = [];
  client.transaction(() => {
    for (const runId of runs) {
      const chain = chainRefusals(Array.from({ length: runId === RUN ? 5 : PER_RUN }, (_, n) => refusal(runId, n)));
      for (const r of chain) {
        insert.run(
          r.runId,
          r.seq,
          r.at,
          r.actor,
          r.action,
          r.stepId ?? null,
          r.type,
          r.status,
          r.reason,
          r.by,
          r.prevHash,
          r.hash,
        );
        lines.push(JSON.stringify(r));
      }
    }
  })();
  const jsonl = path.join(dir, `refusals-${others}.jsonl`);
  fs.writeFileSync(jsonl, lines.join('\n') + '\n');
  return { database, jsonl };
}

/** What every trail request did before: read the whole log and keep the run's lines. */
function readWholeFile(file: string): unknown[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { runId: string })
    .filter((r) => r.runId === RUN);
}

export const bench: Bench = {
  name: 'refusals',
  async run() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'golive-bench-refusals-'));
    const chain = JSON.parse(fs.readFileSync(repoPath(FIXTURE), 'utf8')) as RunHistory[];
    const [small, big] = [await store(dir, 100), await store(dir, 100_000)];
    const trail = (database: GoLiveDatabase) => {
      const log = new RefusalLog(database);
      return async () => [chainEntries(auditEntries(chain)), await log.readForRun(RUN)];
    };
    try {
      return await compareAll('refusals', [
        {
          what: "trail request's work, refusals of other runs stored: 100 vs 100 000",
          baseline: { label: 'entries + readForRun @ 100', run: trail(small.database) },
          candidate: { label: 'entries + readForRun @ 100 000', run: trail(big.database) },
        },
        {
          what: 'the first design (one JSONL file read whole per trail): 100 vs 100 000',
          baseline: { label: 'read whole file @ 100', run: () => readWholeFile(small.jsonl) },
          candidate: { label: 'read whole file @ 100 000', run: () => readWholeFile(big.jsonl) },
        },
      ]);
    } finally {
      await small.database.close();
      await big.database.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
