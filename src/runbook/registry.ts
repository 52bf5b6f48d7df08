import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { loadRunbookFile, RunbookError, type LoadedRunbook, type RunbookIssue, type RunbookLoadOptions } from './load';

/**
 * The runbooks in a folder (GOLIVE_RUNBOOKS_DIR). Files are read on every call, never cached:
 * a run pins its runbook by hash at start, so picking up edits here is safe and expected.
 */
export interface RunbookListing {
  file: string;
  valid: boolean;
  id?: string;
  version?: string;
  title?: string;
  steps?: number;
  sha256?: string;
  /** Why the file does not load (only when `valid` is false). */
  issues?: RunbookIssue[];
}

const RUNBOOK_FILE = /\.(ya?ml|json)$/i;

export class RunbookNotFoundError extends Error {
  override name = 'RunbookNotFoundError';
}

export class RunbookRegistry {
  /** `options.sandbox`: the sandbox this golive runs, for `${sandbox.*}` parameter defaults. */
  constructor(
    readonly dir: string,
    private readonly options: RunbookLoadOptions = {},
  ) {}

  /** Every runbook file in the folder, valid or not, sorted by file name. */
  async list(): Promise<RunbookListing[]> {
    const names = (await readdir(this.dir)).filter((n) => RUNBOOK_FILE.test(n)).sort();
    const listings = await Promise.all(names.map((n) => this.describe(path.join(this.dir, n))));
    return markDuplicateIds(listings);
  }

  /** The valid runbook with this id (optionally this version); throws RunbookNotFoundError. */
  async get(id: string, version?: string): Promise<LoadedRunbook> {
    const match = (await this.list()).find((l) => l.valid && l.id === id && (version === undefined || l.version === version));
    if (!match) {
      throw new RunbookNotFoundError(`no valid runbook "${id}"${version ? ` version ${version}` : ''} in ${this.dir}`);
    }
    return this.loadFile(match.file);
  }

  /** A runbook by file path (relative paths resolve against the folder). */
  loadFile(file: string): Promise<LoadedRunbook> {
    return loadRunbookFile(path.resolve(this.dir, file), this.options);
  }

  private async describe(file: string): Promise<RunbookListing> {
    try {
      const { runbook, ref } = await loadRunbookFile(file, this.options);
      return { file, valid: true, id: runbook.id, version: runbook.version, title: runbook.title, steps: runbook.steps.length, sha256: ref.sha256 };
    } catch (error) {
      if (error instanceof RunbookError) return { file, valid: false, issues: error.issues };
      return { file, valid: false, issues: [{ path: [], message: error instanceof Error ? error.message : String(error) }] };
    }
  }
}

/** Two files claiming one id and version would make `get` ambiguous: both are marked invalid. */
function markDuplicateIds(listings: RunbookListing[]): RunbookListing[] {
  const key = (l: RunbookListing) => `${l.id}@${l.version}`;
  const counts = new Map<string, number>();
  for (const l of listings) if (l.valid) counts.set(key(l), (counts.get(key(l)) ?? 0) + 1);
  return listings.map((l) =>
    l.valid && (counts.get(key(l)) ?? 0) > 1
      ? { ...l, valid: false, issues: [{ path: ['id'], message: `another file in ${path.dirname(l.file)} is also runbook ${l.id} version ${l.version}` }] }
      : l,
  );
}
