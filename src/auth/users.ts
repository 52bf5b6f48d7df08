import fs from 'node:fs/promises';
import { z } from 'zod';
import { quoteValue } from '../contract/freeText';
import { actorSchema, oneLineName } from '../contract/schemas/messages';
import { roleIdSchema } from '../contract/schemas/runbook';
import { humanErrors } from '../contract/zodWords';
import { formatPath } from '../runbook/issues';
import { DUMMY_PASSWORD_HASH, passwordHashPattern, sha256Hex, verifyPassword } from './secrets';

/**
 * The people who may use golive, from `<dataDir>/users.json`. Secrets are stored only as hashes:
 * scrypt for passwords, SHA-256 for API tokens (which are long and random).
 */

export const USERS_FILE = 'users.json';

const apiTokenSchema = z.strictObject({
  label: z.string().min(1).max(120),
  sha256: z.string().regex(/^[a-f0-9]{64}$/, 'must be the SHA-256 (hex) of the token'),
  createdAt: z.string().optional(),
});

const userRecordSchema = z.strictObject({
  id: actorSchema.shape.id,
  /** Shown on pages, in the CLI, in the dossier and its PDF, and signed into messages: one line of text. */
  name: oneLineName(z.string().min(1, 'must not be empty').max(200)),
  /** How to reach the person (escalation paths in the Human Oversight Protocol name it). */
  email: z.string().email().max(254).optional(),
  roles: z.array(roleIdSchema),
  passwordHash: z.string().regex(passwordHashPattern, 'must be a scrypt hash (scrypt$N$r$p$salt$hash)').optional(),
  tokens: z.array(apiTokenSchema).default([]),
  disabled: z.boolean().default(false),
});
export type UserRecord = z.infer<typeof userRecordSchema>;

const usersFileSchema = z
  .strictObject({ version: z.literal(1), users: z.array(userRecordSchema) })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.users.forEach((u, i) => {
      if (seen.has(u.id))
        ctx.addIssue({ code: 'custom', path: ['users', i, 'id'], message: `duplicate user id "${u.id}"` });
      seen.add(u.id);
    });
  });
export type UsersFile = z.infer<typeof usersFileSchema>;
export type UsersFileInput = z.input<typeof usersFileSchema>;

/** What the rest of golive may know about a person: never their secrets. */
export interface Person {
  id: string;
  name: string;
  roles: string[];
  /** From the identity provider, or the users file's `email` where it has one. */
  email?: string;
  /** Where the person comes from: the users file (absent) or an OpenID Connect login. */
  source?: 'oidc';
}

export class UsersFileError extends Error {
  override name = 'UsersFileError';
}

function toPerson(u: UserRecord): Person {
  return { id: u.id, name: u.name, ...(u.email ? { email: u.email } : {}), roles: [...u.roles] };
}

/**
 * One problem in the users file, on one line (`npm start` prints it as its only line): a user
 * entry's problem names the entry by its place and id, `user "ana" (users[1]) name: …`. Values
 * are never quoted (a name's line break would break the line); the id is, escaped.
 */
function usersFileProblem(raw: unknown, issue: z.core.$ZodIssue): string {
  const [top, index, ...rest] = issue.path;
  if (top !== 'users' || typeof index !== 'number') return `${formatPath(issue.path)}: ${issue.message}`;
  const entry: unknown = (raw as { users?: unknown[] }).users?.[index];
  const id = entry !== null && typeof entry === 'object' ? (entry as { id?: unknown }).id : undefined;
  const who =
    typeof id === 'string' && id.length <= 120 ? `user ${quoteValue(id)} (users[${index}])` : `users[${index}]`;
  return `${who}${rest.length ? ` ${formatPath(rest)}` : ''}: ${issue.message}`;
}

export class UserStore {
  private readonly byId = new Map<string, UserRecord>();
  private readonly byTokenHash = new Map<string, UserRecord>();

  constructor(file: UsersFile) {
    for (const u of file.users) {
      if (u.disabled) continue;
      this.byId.set(u.id, u);
      for (const t of u.tokens) this.byTokenHash.set(t.sha256, u);
    }
  }

  static parse(raw: unknown, source = USERS_FILE): UserStore {
    const result = usersFileSchema.safeParse(raw, { error: humanErrors });
    if (!result.success) {
      const lines = result.error.issues.map((i) => usersFileProblem(raw, i));
      throw new UsersFileError(`${source} is invalid: ${lines.join('; ')}`);
    }
    return new UserStore(result.data);
  }

  static async load(file: string): Promise<UserStore> {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      throw new UsersFileError(`cannot read ${file}: ${(err as Error).message}`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new UsersFileError(`${file} is not JSON: ${(err as Error).message}`);
    }
    return UserStore.parse(raw, file);
  }

  get(id: string): Person | undefined {
    const u = this.byId.get(id);
    return u ? toPerson(u) : undefined;
  }

  list(): Person[] {
    return [...this.byId.values()].map(toPerson);
  }

  withRole(role: string): Person[] {
    return this.list().filter((p) => p.roles.includes(role));
  }

  /** Verifies a password; unknown users take as long as known ones. */
  async verifyPassword(id: string, password: string): Promise<Person | undefined> {
    const u = this.byId.get(id);
    const ok = await verifyPassword(password, u?.passwordHash ?? DUMMY_PASSWORD_HASH);
    return ok && u?.passwordHash ? toPerson(u) : undefined;
  }

  findByToken(token: string): Person | undefined {
    const u = this.byTokenHash.get(sha256Hex(token));
    return u ? toPerson(u) : undefined;
  }
}
