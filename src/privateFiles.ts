import fs from 'node:fs';

/**
 * golive's data folder holds the Temporal database (every run's evidence and decisions), the
 * users file, the session secret and logs: readable by the account that runs golive and by no
 * one else. Folders are 0700 and files 0600, also when an older version made them looser.
 */

const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

function ownedByMe(stat: fs.Stats): boolean {
  return typeof process.getuid !== 'function' || stat.uid === process.getuid();
}

/** Creates `dir` (and missing parents) as 0700; tightens it if it exists and is ours. */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const stat = fs.statSync(dir);
  // A folder someone else owns (GOLIVE_DATA_DIR=/srv/shared) is theirs to set; ours we tighten.
  if (ownedByMe(stat) && (stat.mode & 0o777) !== PRIVATE_DIR_MODE) fs.chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Makes existing files 0600 (missing ones are skipped: SQLite's -wal/-shm come and go). */
export function restrictFiles(files: readonly string[]): void {
  for (const file of files) {
    try {
      if ((fs.statSync(file).mode & 0o777) !== PRIVATE_FILE_MODE) fs.chmodSync(file, PRIVATE_FILE_MODE);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

/** A SQLite database and the journal files beside it. */
export function sqliteFiles(dbFile: string): string[] {
  return [dbFile, `${dbFile}-wal`, `${dbFile}-shm`, `${dbFile}-journal`];
}
