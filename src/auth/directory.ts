import type { OidcPeople } from './oidcPeople';
import type { Person, UserStore } from './users';

/**
 * "The directory": everyone golive knows and the roles they hold, which the start check
 * (every assigned person must hold the role) and every signed message (the sender's roles at
 * that moment) read. Two sources side by side: the users file (the embedded default, read at
 * start) and the people who logged in through OpenID Connect (golive's database, roles from
 * their groups at their last login). An id belongs to one source: the users file wins, and an
 * OpenID Connect login naming a users-file id is refused.
 */
export class Directory {
  constructor(
    readonly file: UserStore,
    readonly oidc?: OidcPeople,
  ) {}

  async get(id: string): Promise<Person | undefined> {
    return this.file.get(id) ?? (await this.oidc?.get(id));
  }

  async list(): Promise<Person[]> {
    const fromFile = this.file.list();
    const taken = new Set(fromFile.map((p) => p.id));
    const fromOidc = ((await this.oidc?.list()) ?? []).filter((p) => !taken.has(p.id));
    return [...fromFile, ...fromOidc];
  }

  async withRole(role: string): Promise<Person[]> {
    return (await this.list()).filter((p) => p.roles.includes(role));
  }

  /** Several people at once (the start check), in one pass over the sources. */
  async getMany(ids: readonly string[]): Promise<Map<string, Person>> {
    const people = await Promise.all([...new Set(ids)].map(async (id) => [id, await this.get(id)] as const));
    return new Map(people.filter((e): e is readonly [string, Person] => e[1] !== undefined));
  }
}
