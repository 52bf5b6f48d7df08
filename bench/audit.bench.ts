import fs from 'node:fs';
import { chainEntries } from '../src/audit/chain';
import { auditEntries } from '../src/audit/entries';
import type { RunHistory } from '../src/audit/history';
import { compareAll, type Bench } from './harness';
import { repoPath } from './fixtures';

/**
 * The audit trail of a recorded run (test/fixtures/audit: evidence, two undoable actions, a
 * sign-off, Gate 4 rejected and rolled back), built the way the dossier and `golive verify` build
 * it, against JSON.parse of the same history file: the least any reader of the history pays.
 */
const FIXTURE = 'test/fixtures/audit/rejected-run.history.json';

export const bench: Bench = {
  name: 'audit',
  run() {
    const text = fs.readFileSync(repoPath(FIXTURE), 'utf8');
    const chain = JSON.parse(text) as RunHistory[];
    const entries = auditEntries(chain);
    const jsonParse = { label: 'JSON.parse(file)', run: () => JSON.parse(text) as unknown };
    const events = chain.reduce((n, run) => n + run.events.length, 0);
    return compareAll('audit', [
      {
        what: `trail of ${events} events → ${entries.length} chained entries (${(text.length / 1024).toFixed(0)} KB)`,
        baseline: jsonParse,
        candidate: { label: 'auditEntries + chainEntries', run: () => chainEntries(auditEntries(chain)) },
      },
      {
        what: `of which the hash chain (${entries.length} entries)`,
        baseline: jsonParse,
        candidate: { label: 'chainEntries', run: () => chainEntries(entries) },
      },
    ]);
  },
};
