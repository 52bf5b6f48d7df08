import fs from 'node:fs/promises';
import path from 'node:path';
import { refusalInputSchema } from '../audit/refusals';
import { RefusalLog } from '../audit/refusalLog';
import type { GoLiveDatabase } from './database';

/**
 * Data folders from before the database kept refused attempts in `refusals.jsonl`. On the first
 * start with a database their lines are appended to it (chained per run, in file order) and the
 * file is renamed, so the trails of old runs keep their refusals.
 */
export const LEGACY_REFUSALS_FILE = 'refusals.jsonl';

export async function importLegacyRefusals(dataDir: string, database: GoLiveDatabase): Promise<number> {
  const file = path.join(dataDir, LEGACY_REFUSALS_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return 0;
  }
  const log = new RefusalLog(database);
  let imported = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let parsed;
    try {
      parsed = refusalInputSchema.safeParse(JSON.parse(line));
    } catch {
      continue; // a torn last line after a crash: not a refusal anyone could read
    }
    if (!parsed.success) continue;
    await log.append(parsed.data);
    imported++;
  }
  await fs.rename(file, `${file}.imported`);
  return imported;
}
