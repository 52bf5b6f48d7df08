import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables';
import type { Person } from './users';

/**
 * The people who logged in through OpenID Connect, kept in golive's database so they are part
 * of the directory: they can be assigned at start, and every message they send carries the
 * roles their groups gave them at their last login. Roles are taken again at each login (a
 * person removed from a group loses the role when they next log in), and a person who has not
 * logged in for `rolesMaxAgeMs` holds no roles until they do (someone who left the organisation
 * and can no longer log in stops being assignable).
 *
 * A golive person id is bound to the provider's subject at the first login: a later login of
 * another subject claiming the same id (a renamed account, another tenant) is refused, and the
 * subject keeps its id when its username changes.
 */

export interface OidcLogin {
  issuer: string;
  subject: string;
  /** The id golive knows the person by (from the configured claim). */
  id: string;
  name: string;
  email?: string | undefined;
  roles: string[];
  groups: string[];
}

export type RecordedLogin = { ok: true; person: Person } | { ok: false; problem: string };

const parseList = (text: string): string[] => {
  const value = JSON.parse(text) as unknown;
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
};

export class OidcPeople {
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly rolesMaxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  private toPerson(row: Tables['oidc_people']): Person {
    const fresh = this.now() - Number(row.last_login_at) <= this.rolesMaxAgeMs;
    return {
      id: row.id,
      name: row.name,
      roles: fresh ? parseList(row.roles) : [],
      ...(row.email ? { email: row.email } : {}),
      source: 'oidc',
    };
  }

  /** Records a login: the person's name, e-mail and roles as the provider says now. */
  async recordLogin(login: OidcLogin): Promise<RecordedLogin> {
    const values = {
      name: login.name,
      email: login.email ?? null,
      roles: JSON.stringify(login.roles),
      groups: JSON.stringify(login.groups),
      last_login_at: this.now(),
    };
    const known = await this.db
      .selectFrom('oidc_people')
      .selectAll()
      .where('issuer', '=', login.issuer)
      .where('subject', '=', login.subject)
      .executeTakeFirst();
    if (known) {
      await this.db.updateTable('oidc_people').set(values).where('id', '=', known.id).execute();
      return { ok: true, person: this.toPerson({ ...known, ...values }) };
    }
    await this.db
      .insertInto('oidc_people')
      .values({ id: login.id, issuer: login.issuer, subject: login.subject, ...values })
      .onConflict((oc) => oc.doNothing())
      .execute();
    const row = await this.db.selectFrom('oidc_people').selectAll().where('id', '=', login.id).executeTakeFirst();
    if (!row || row.issuer !== login.issuer || row.subject !== login.subject) {
      return {
        ok: false,
        problem: `the golive id "${login.id}" already belongs to another account of the identity provider; ask an administrator`,
      };
    }
    return { ok: true, person: this.toPerson(row) };
  }

  async get(id: string): Promise<Person | undefined> {
    const row = await this.db.selectFrom('oidc_people').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? this.toPerson(row) : undefined;
  }

  async list(): Promise<Person[]> {
    const rows = await this.db.selectFrom('oidc_people').selectAll().orderBy('id').execute();
    return rows.map((row) => this.toPerson(row));
  }
}
