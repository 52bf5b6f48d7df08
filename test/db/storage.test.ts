import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyRefusalChain, type RefusalInput } from '../../src/audit/refusals';
import { loadServerSecret, SessionStore } from '../../src/auth/sessions';
import { LoginThrottle } from '../../src/auth/throttle';
import { openDatabase, type GoLiveDatabase } from '../../src/db/database';
import { importLegacyRefusals, LEGACY_REFUSALS_FILE } from '../../src/db/importRefusals';
import { RefusalLog } from '../../src/audit/refusalLog';
import { startTestPostgres, type TestPostgres } from '../support/postgres';

/**
 * golive's own state on both databases it supports, the same tests for each: migrations, shared
 * sessions and logouts, refused attempts chained per run under concurrent appends, append-only
 * tables, and login throttling that counts parallel attempts. "Two servers" are two independent
 * connections (two opens) to one database, as two web processes would have.
 */

let postgres: TestPostgres | undefined;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'golive-storage-'));

beforeAll(async () => {
  postgres = await startTestPostgres();
});
afterAll(() => {
  postgres?.destroy();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const backends: { name: string; open: (db: string) => Promise<() => Promise<GoLiveDatabase>> }[] = [
  {
    name: 'SQLite',
    open: async (db) => {
      const file = path.join(tmp, `${db}.sqlite`);
      return () => openDatabase({ sqliteFile: file });
    },
  },
  {
    name: 'PostgreSQL',
    open: async (db) => {
      const url = await postgres!.createDatabase(db);
      return () => openDatabase({ url, sqliteFile: 'unused' });
    },
  },
];

function refusal(runId: string, n: number): RefusalInput {
  return {
    at: new Date(1_700_000_000_000 + n).toISOString(),
    runId,
    actor: `p${n % 3}`,
    action: 'decide:approve',
    stepId: 'gate-4',
    type: 'Duplicate',
    status: 409,
    reason: `attempt ${n}`,
    by: 'server',
  };
}

describe.each(backends)('golive storage on $name', ({ name, open }) => {
  let a: GoLiveDatabase;
  let b: GoLiveDatabase;
  const dbName = `golive_${name.toLowerCase()}`;

  beforeAll(async () => {
    const connect = await open(dbName);
    // Two servers starting at once both run the migrations; the second finds nothing to do.
    [a, b] = await Promise.all([connect(), connect()]);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('migrates once, however many processes open it, and again finds nothing to do', async () => {
    const connect = await open(`${dbName}_again`);
    await (await connect()).close();
    const again = await connect();
    await again.close();
    const tables = ['sessions', 'refusals', 'server_secrets', 'login_throttle'];
    for (const table of tables)
      await expect(sql.raw(`select count(*) from ${table}`).execute(a.db)).resolves.toBeDefined();
  });

  it('shares sessions and logouts between servers', async () => {
    const [secretA, secretB] = await Promise.all([loadServerSecret(a.db), loadServerSecret(b.db)]);
    expect(secretA.equals(secretB)).toBe(true);
    const onA = new SessionStore(a.db, secretA);
    const onB = new SessionStore(b.db, secretB);
    const { cookie, session } = await onA.issue('guardian');
    expect(await onB.verify(cookie)).toEqual(session);
    expect(onB.csrfToken(session.sid)).toBe(onA.csrfToken(session.sid));
    await onB.revoke(session);
    expect(await onA.verify(cookie)).toBeUndefined();
    expect(await onA.verify('x'.repeat(43))).toBeUndefined();
    const expired = new SessionStore(a.db, secretA, () => Date.now() + 13 * 60 * 60 * 1000);
    const other = await onA.issue('rm');
    expect(await expired.verify(other.cookie)).toBeUndefined();
  });

  it('chains the refusals of each run, also when two servers append to one run at once', async () => {
    const logs = [new RefusalLog(a), new RefusalLog(b)];
    await Promise.all(Array.from({ length: 40 }, (_, i) => logs[i % 2]!.append(refusal('run-busy', i))));
    await logs[0]!.append(refusal('run-other', 1));
    const busy = await logs[1]!.readForRun('run-busy');
    expect(busy.map((r) => r.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(verifyRefusalChain(busy)).toMatchObject({ ok: true, length: 40 });
    expect(new Set(busy.map((r) => r.reason)).size).toBe(40);
    const other = await logs[0]!.readForRun('run-other');
    expect(other).toEqual([expect.objectContaining({ seq: 1, stepId: 'gate-4', runId: 'run-other' })]);

    // A refusal changed or removed in a copy breaks the chain where it happened.
    const altered = busy.map((r, i) => (i === 7 ? { ...r, reason: 'nothing to see' } : r));
    expect(verifyRefusalChain(altered)).toMatchObject({ ok: false, seq: 8 });
    expect(verifyRefusalChain(busy.filter((_, i) => i !== 3))).toMatchObject({ ok: false, seq: 5 });
  });

  it('refuses to change or delete a recorded refusal', async () => {
    await new RefusalLog(a).append(refusal('run-fixed', 1));
    await expect(
      a.db.updateTable('refusals').set({ reason: 'rewritten' }).where('run_id', '=', 'run-fixed').execute(),
    ).rejects.toThrow(/append-only/);
    await expect(a.db.deleteFrom('refusals').where('run_id', '=', 'run-fixed').execute()).rejects.toThrow(
      /append-only/,
    );
    expect((await new RefusalLog(b).readForRun('run-fixed'))[0]?.reason).toBe('attempt 1');
  });

  it('throttles parallel login attempts across servers: each is reserved before it is judged', async () => {
    const limits = { perPersonAndAddress: 5, perAddress: 1000, windowSeconds: 900 };
    const throttles = [new LoginThrottle(a.driver, limits), new LoginThrottle(b.driver, limits)];
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => throttles[i % 2]!.reserve('ops', '203.0.113.7')),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(5);
    const refused = results.filter((r) => !r.ok);
    expect(refused).toHaveLength(35);
    expect(refused.every((r) => !r.ok && r.retryAfterSeconds > 0)).toBe(true);
    // Another person, or the same person from another address, is not locked out.
    expect((await throttles[0]!.reserve('ie', '203.0.113.7')).ok).toBe(true);
    expect((await throttles[1]!.reserve('ops', '198.51.100.1')).ok).toBe(true);
  });

  it('gives a successful login its attempt back and caps one address over all accounts', async () => {
    const throttle = new LoginThrottle(a.driver, { perPersonAndAddress: 2, perAddress: 3, windowSeconds: 900 });
    for (let i = 0; i < 3; i++) {
      const ok = await throttle.reserve('guardian', '192.0.2.1');
      expect(ok.ok).toBe(true);
      if (ok.ok) await ok.succeeded();
    }
    // Successes do not use up the address: three failures over three accounts do.
    for (const person of ['a', 'b', 'c']) expect((await throttle.reserve(person, '192.0.2.1')).ok).toBe(true);
    expect(await throttle.reserve('d', '192.0.2.1')).toMatchObject({ ok: false });
  });
});

describe('a data folder from before the database', () => {
  it('moves refusals.jsonl into the database once, chained per run', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'legacy-'));
    const lines = [refusal('run-1', 1), refusal('run-2', 2), refusal('run-1', 3)].map((r) => JSON.stringify(r));
    fs.writeFileSync(path.join(dir, LEGACY_REFUSALS_FILE), [...lines, '{"torn'].join('\n'));
    const database = await openDatabase({ sqliteFile: path.join(dir, 'golive.sqlite') });
    try {
      expect(await importLegacyRefusals(dir, database)).toBe(3);
      expect(await importLegacyRefusals(dir, database)).toBe(0);
      const run1 = await new RefusalLog(database).readForRun('run-1');
      expect(run1.map((r) => [r.seq, r.reason])).toEqual([
        [1, 'attempt 1'],
        [2, 'attempt 3'],
      ]);
      expect(verifyRefusalChain(run1).ok).toBe(true);
    } finally {
      await database.close();
    }
  });
});

describe('a PostgreSQL that refuses golive for good', () => {
  // A wait far longer than the test may take: only a start that gives up at once can pass.
  const forever = { sqliteFile: 'unused', connectTimeoutMs: 3_600_000 };

  it('ends the start at once with PostgreSQL’s words: a role that does not exist, a database that does not', async () => {
    const base = `postgres://%s@127.0.0.1:${postgres!.port}/%d`;
    const url = (role: string, db: string) => base.replace('%s', role).replace('%d', db);
    await expect(openDatabase({ ...forever, url: url('nobody_here', 'postgres') })).rejects.toThrow(
      /cannot use the database at .*role "nobody_here" does not exist/,
    );
    await expect(openDatabase({ ...forever, url: url('postgres', 'no_such_db') })).rejects.toThrow(
      /database "no_such_db" does not exist/,
    );
  });

  it('ends the start at once when the role may not create golive’s tables', async () => {
    const url = await postgres!.createDatabase('golive_readonly');
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      // PostgreSQL 15 and later give PUBLIC no CREATE on the public schema; say so for older ones.
      await admin.query('CREATE ROLE reader LOGIN; REVOKE CREATE ON SCHEMA public FROM PUBLIC');
    } finally {
      await admin.end();
    }
    const asReader = url.replace('postgres@', 'reader@');
    await expect(openDatabase({ ...forever, url: asReader })).rejects.toThrow(/migrating .*permission denied/);
  });
});
