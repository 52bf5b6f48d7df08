import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  formatOf,
  parseRunbookText,
  RunbookError,
  sha256Hex,
  type LoadedRunbook,
  type RunbookIssue,
  type RunbookLoadOptions,
} from './load';
import { stepCount } from './plan';

/**
 * The runbooks in a folder (GOLIVE_RUNBOOKS_DIR). Files are read on every call: a run pins its
 * runbook by hash at start, so picking up edits here is safe and expected. What is parsed and
 * validated is cached by file and content hash (ParsedRunbooks), since every start lists the
 * folder: an unchanged file costs a read and a hash, not a parse (issue 16: 33 ms per start).
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

type Parsed = { loaded: LoadedRunbook } | { error: unknown };

/** Parse results by file and SHA-256 of its bytes; each caller gets its own copy of a runbook. */
class ParsedRunbooks {
  private readonly entries = new Map<string, Parsed>();
  /** The options are the registry's, fixed for its life, so file and content hash are the key. */
  constructor(
    private readonly options: RunbookLoadOptions,
    private readonly limit = 256,
  ) {}

  async load(file: string): Promise<LoadedRunbook> {
    const bytes = await readFile(file);
    const key = `${file}\0${sha256Hex(bytes)}`;
    let hit = this.entries.get(key);
    if (!hit) {
      hit = parsedOrError(() =>
        parseRunbookText(bytes, { source: sourceOf(file), format: formatOf(file), ...this.options }),
      );
      // A file and its edits are new keys: drop the oldest so a folder edited for months stays bounded.
      if (this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, hit);
    }
    if ('error' in hit) throw hit.error;
    return structuredClone(hit.loaded);
  }
}

function parsedOrError(parse: () => LoadedRunbook): Parsed {
  try {
    return { loaded: parse() };
  } catch (error) {
    return { error };
  }
}

/** As loadRunbookFile names it: relative to the working folder when inside it. */
function sourceOf(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? path.resolve(file) : relative;
}

export class RunbookRegistry {
  private readonly parsed: ParsedRunbooks;
  /** `options.sandbox`: the sandbox this golive runs, for `${sandbox.*}` parameter defaults. */
  constructor(
    readonly dir: string,
    options: RunbookLoadOptions = {},
  ) {
    this.parsed = new ParsedRunbooks(options);
  }

  /** Every runbook file in the folder, valid or not, sorted by file name. */
  async list(): Promise<RunbookListing[]> {
    const names = (await readdir(this.dir)).filter((n) => RUNBOOK_FILE.test(n)).sort();
    const listings = await Promise.all(names.map((n) => this.describe(path.join(this.dir, n))));
    return markDuplicateIds(listings);
  }

  /** The valid runbook with this id (optionally this version); throws RunbookNotFoundError. */
  async get(id: string, version?: string): Promise<LoadedRunbook> {
    const match = (await this.list()).find(
      (l) => l.valid && l.id === id && (version === undefined || l.version === version),
    );
    if (!match) {
      throw new RunbookNotFoundError(`no valid runbook "${id}"${version ? ` version ${version}` : ''} in ${this.dir}`);
    }
    return this.loadFile(match.file);
  }

  /** A runbook by file path (relative paths resolve against the folder). */
  loadFile(file: string): Promise<LoadedRunbook> {
    return this.parsed.load(path.resolve(this.dir, file));
  }

  private async describe(file: string): Promise<RunbookListing> {
    try {
      const { runbook, ref } = await this.parsed.load(file);
      return {
        file,
        valid: true,
        id: runbook.id,
        version: runbook.version,
        title: runbook.title,
        steps: stepCount(runbook).steps,
        sha256: ref.sha256,
      };
    } catch (error) {
      if (error instanceof RunbookError) return { file, valid: false, issues: error.issues };
      return {
        file,
        valid: false,
        issues: [{ path: [], message: error instanceof Error ? error.message : String(error) }],
      };
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
      ? {
          ...l,
          valid: false,
          issues: [
            {
              path: ['id'],
              message: `another file in ${path.dirname(l.file)} is also runbook ${l.id} version ${l.version}`,
            },
          ],
        }
      : l,
  );
}
