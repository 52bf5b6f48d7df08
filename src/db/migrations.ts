import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { DatabaseKind } from './tables';

/**
 * The schema's history, oldest first; `Migrator` runs the missing ones at every start (web and
 * worker alike, several processes at once: Kysely takes a lock row first). Never edit a migration
 * that has shipped: add the next one.
 */

function appendOnly(kind: DatabaseKind, table: string): Migration['up'] {
  return async (db) => {
    if (kind === 'sqlite') {
      for (const op of ['UPDATE', 'DELETE']) {
        await sql
          .raw(
            `CREATE TRIGGER ${table}_no_${op.toLowerCase()} BEFORE ${op} ON ${table} BEGIN SELECT RAISE(ABORT, '${table} are append-only'); END`,
          )
          .execute(db);
      }
      return;
    }
    await sql
      .raw(
        `CREATE FUNCTION ${table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '${table} are append-only'; END $$`,
      )
      .execute(db);
    await sql
      .raw(
        `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${table}_append_only()`,
      )
      .execute(db);
  };
}

function initial(kind: DatabaseKind): Migration {
  // Millisecond timestamps exceed 32 bits.
  const millis = kind === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('created_at', millis, (c) => c.notNull())
        .addColumn('expires_at', millis, (c) => c.notNull())
        .addColumn('revoked_at', millis)
        .execute();
      await db.schema.createIndex('sessions_expires_at').on('sessions').column('expires_at').execute();

      await db.schema
        .createTable('refusals')
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('step_id', 'text')
        .addColumn('report_id', 'text')
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('by', 'text', (c) => c.notNull())
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        // The primary key is the per-run index the trail reads by, and what makes two servers
        // appending to one run at once collide instead of forking the chain.
        .addPrimaryKeyConstraint('refusals_pk', ['run_id', 'seq'])
        .execute();
      await appendOnly(kind, 'refusals')(db);

      await db.schema
        .createTable('server_secrets')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('login_throttle')
        .addColumn('key', kind === 'postgres' ? 'varchar(255)' : 'text', (c) => c.primaryKey())
        .addColumn('points', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('expire', millis)
        .execute();
    },
  };
}

/** People from OpenID Connect, API tokens golive issues, passkeys, and one-use ceremony values. */
function identity(kind: DatabaseKind): Migration {
  const millis = kind === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('sessions').addColumn('method', 'text').execute();

      await db.schema
        .createTable('oidc_people')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('issuer', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('email', 'text')
        .addColumn('roles', 'text', (c) => c.notNull())
        .addColumn('groups', 'text', (c) => c.notNull())
        .addColumn('last_login_at', millis, (c) => c.notNull())
        .addUniqueConstraint('oidc_people_subject', ['issuer', 'subject'])
        .execute();

      await db.schema
        .createTable('api_tokens')
        .addColumn('sha256', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('created_at', millis, (c) => c.notNull())
        .addColumn('expires_at', millis, (c) => c.notNull())
        .addColumn('revoked_at', millis)
        .execute();
      await db.schema.createIndex('api_tokens_user').on('api_tokens').column('user_id').execute();

      await db.schema
        .createTable('passkeys')
        .addColumn('credential_id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('public_key_cose', 'text', (c) => c.notNull())
        .addColumn('public_key_spki', 'text', (c) => c.notNull())
        .addColumn('algorithm', 'integer', (c) => c.notNull())
        .addColumn('counter', millis, (c) => c.notNull())
        .addColumn('transports', 'text', (c) => c.notNull())
        .addColumn('created_at', millis, (c) => c.notNull())
        .addColumn('last_used_at', millis)
        .execute();
      await db.schema.createIndex('passkeys_user').on('passkeys').column('user_id').execute();

      await db.schema
        .createTable('auth_challenges')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text')
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('expires_at', millis, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('auth_challenges_expires_at').on('auth_challenges').column('expires_at').execute();
    },
  };
}

export function migrationProvider(kind: DatabaseKind): MigrationProvider {
  return {
    getMigrations: () => Promise.resolve({ '0001_initial': initial(kind), '0002_identity': identity(kind) }),
  };
}
