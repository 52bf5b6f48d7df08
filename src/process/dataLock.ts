import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { z } from 'zod';
import { restrictFiles } from '../privateFiles';
import { procStatFields } from './procStat';

/**
 * One golive per data folder. The lock is an exclusive SQLite lock on `golive.lock` — an OS file
 * lock that the kernel drops when the process dies, however it dies (a SIGKILL leaves no stale
 * lock to clean up). Beside it, `golive.pid` says who holds it, so a second golive can say so in
 * one line, and can wait for a holder that is already on its way out (its parent died, or it is
 * stopping) instead of refusing: `npm start` right after a killed `npm start` starts.
 */

const LOCK_FILE = 'golive.lock';
export const OWNER_FILE = 'golive.pid';
const WAIT_FOR_LEAVING_HOLDER_MS = 30_000;

const ownerSchema = z.object({
  pid: z.number().int(),
  ppid: z.number().int(),
  roles: z.array(z.string()),
  startedAt: z.string(),
  state: z.enum(['running', 'stopping']),
});
type Owner = z.infer<typeof ownerSchema>;

export class DataFolderInUse extends Error {
  override name = 'DataFolderInUse';
}

export interface DataLock {
  /** Tells a golive that starts meanwhile that this one is leaving (so it waits). */
  stopping(): void;
  release(): void;
}

function readOwner(dataDir: string): Owner | undefined {
  try {
    return ownerSchema.parse(JSON.parse(fs.readFileSync(path.join(dataDir, OWNER_FILE), 'utf8')));
  } catch {
    return undefined;
  }
}

function writeOwner(dataDir: string, owner: Owner): void {
  fs.writeFileSync(path.join(dataDir, OWNER_FILE), JSON.stringify(owner) + '\n', { mode: 0o600 });
}

/** The parent of a live process (Linux /proc), or undefined where it cannot be read. */
function parentOf(pid: number): number | undefined {
  try {
    return Number(procStatFields(pid)[1]);
  } catch {
    return undefined;
  }
}

/** The holder is going away: it says it is stopping, or the process that started it is gone. */
function leaving(owner: Owner | undefined): boolean {
  if (!owner) return true;
  if (owner.state === 'stopping') return true;
  const parent = parentOf(owner.pid);
  return parent !== undefined && parent !== owner.ppid;
}

function tryLock(file: string): BetterSqlite3.Database | undefined {
  const db = new BetterSqlite3(file, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // In exclusive locking mode the lock a transaction takes is kept until the connection closes.
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
    return db;
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY') return undefined;
    throw err;
  }
}

export async function lockDataFolder(
  dataDir: string,
  roles: readonly string[],
  onWait: (line: string) => void,
): Promise<DataLock> {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, LOCK_FILE);
  const deadline = Date.now() + WAIT_FOR_LEAVING_HOLDER_MS;
  let told = false;
  for (;;) {
    const db = tryLock(file);
    if (db) {
      // SQLite creates the lock file (and its journal, briefly) with the umask's mode.
      restrictFiles([file, `${file}-journal`]);
      const owner: Owner = {
        pid: process.pid,
        ppid: process.ppid,
        roles: [...roles],
        startedAt: new Date().toISOString(),
        state: 'running',
      };
      writeOwner(dataDir, owner);
      return {
        stopping: () => writeOwner(dataDir, { ...owner, state: 'stopping' }),
        release: () => {
          fs.rmSync(path.join(dataDir, OWNER_FILE), { force: true });
          db.close();
        },
      };
    }
    const owner = readOwner(dataDir);
    const who = owner ? `another golive (pid ${owner.pid}, started ${owner.startedAt})` : 'another golive';
    if (!leaving(owner) || Date.now() > deadline) {
      throw new DataFolderInUse(
        `${who} is using the data folder ${dataDir}: stop it first, or give this one its own GOLIVE_DATA_DIR`,
      );
    }
    if (!told) onWait(`waiting for ${who}, which is stopping, to let go of ${dataDir}…`);
    told = true;
    await new Promise((r) => setTimeout(r, 250));
  }
}
