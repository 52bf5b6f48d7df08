import fs from 'node:fs/promises';
import path from 'node:path';
import { ensurePrivateDir } from '../privateFiles';
import { RACI_ROLES } from './roles';
import { hashPassword, newApiToken, newPassword, sha256Hex } from './secrets';
import { USERS_FILE, type UsersFileInput } from './users';

/**
 * First start: one demo person per RACI role (and a second Guardian, so quorum-of-two runbooks
 * can be tried), with generated passwords and API tokens. The secrets are shown once and kept in
 * `demo-credentials.txt` (mode 600); users.json holds only their hashes.
 */

const DEMO_CREDENTIALS_FILE = 'demo-credentials.txt';

export interface DemoCredential {
  id: string;
  name: string;
  roles: string[];
  password: string;
  token: string;
}

const DEMO_PEOPLE: { id: string; name: string; roles: string[] }[] = [
  { id: 'rm', name: 'Riley Release (release manager)', roles: [RACI_ROLES.aiProductManager] },
  { id: 'ie', name: 'Ines Engineer', roles: [RACI_ROLES.implementationEngineer] },
  { id: 'guardian', name: 'Gita Guardian', roles: [RACI_ROLES.guardian] },
  { id: 'guardian2', name: 'Gus Guardian', roles: [RACI_ROLES.guardian] },
  { id: 'sponsor', name: 'Sam Sponsor', roles: [RACI_ROLES.businessSponsor] },
  { id: 'ops', name: 'Olu Operations', roles: [RACI_ROLES.operations] },
  { id: 'user', name: 'Uma User', roles: [RACI_ROLES.endUser] },
  { id: 'auditor', name: 'Ari Auditor', roles: [RACI_ROLES.auditor] },
];

export interface EnsureDemoUsersResult {
  /** Present only when the users file was created now. */
  created?: DemoCredential[];
  usersFile: string;
  credentialsFile: string;
}

/**
 * Creates the demo users file when there is none (`usersFile` defaults to `<dir>/users.json`).
 * Several web servers may start at once on one shared users folder: the file appears whole and
 * only once (written aside, then hard-linked into place, which fails if it exists).
 */
export async function ensureDemoUsers(
  dataDir: string,
  usersFile = path.join(dataDir, USERS_FILE),
): Promise<EnsureDemoUsersResult> {
  const dir = path.dirname(usersFile);
  const credentialsFile = path.join(dir, DEMO_CREDENTIALS_FILE);
  ensurePrivateDir(dir);
  try {
    await fs.access(usersFile);
    return { usersFile, credentialsFile };
  } catch {
    // none yet: make one below
  }
  const credentials = await Promise.all(
    DEMO_PEOPLE.map(async (p): Promise<DemoCredential> => ({ ...p, password: newPassword(), token: newApiToken() })),
  );
  const now = new Date().toISOString();
  const file: UsersFileInput = {
    version: 1,
    users: await Promise.all(
      credentials.map(async (c) => ({
        id: c.id,
        name: c.name,
        email: `${c.id}@demo.golive.example`,
        roles: c.roles,
        passwordHash: await hashPassword(c.password),
        tokens: [{ label: 'demo', sha256: sha256Hex(c.token), createdAt: now }],
      })),
    ),
  };
  const aside = `${usersFile}.${process.pid}.${Date.now()}.tmp`;
  await fs.writeFile(aside, JSON.stringify(file, null, 2) + '\n', { flag: 'wx', mode: 0o600 });
  try {
    // Never overwrite a users file someone already has (or that a parallel start wrote).
    await fs.link(aside, usersFile);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { usersFile, credentialsFile };
    throw err;
  } finally {
    await fs.rm(aside, { force: true });
  }
  await fs.writeFile(credentialsFile, formatCredentials(credentials), { mode: 0o600 });
  await fs.chmod(credentialsFile, 0o600);
  return { created: credentials, usersFile, credentialsFile };
}

function formatCredentials(credentials: DemoCredential[]): string {
  const lines = [
    'golive demo users (created on first start; change or delete them before real use)',
    '',
    ...credentials.map(
      (c) => `${c.id.padEnd(10)} roles=${c.roles.join(',').padEnd(24)} password=${c.password}  token=${c.token}`,
    ),
    '',
  ];
  return lines.join('\n');
}
