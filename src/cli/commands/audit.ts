import fs from 'node:fs/promises';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { z } from 'zod';
// From verify.ts, not the audit index: the index loads Temporal's protobufs (a quarter second
// on every CLI start), and verifying is offline work that needs none of it.
import { verifyDossier } from '../../audit/verify';
import { defineCommand, jsonFlag } from '../args';
import { CliError, EXIT } from '../errors';
import { print, printJson, say, table, withSpinner } from '../output';
import { runArg, runSchema } from './runs';

/** The audit trail, the dossier download, and its offline verification. */

export const history = defineCommand({
  name: 'history',
  group: 'audit',
  summary: "A run's audit trail: every fact in order, hash-chained; refused attempts apart.",
  positionals: [runArg],
  options: { json: { type: 'boolean', description: 'print the whole trail (entries with hashes, refusals) as JSON' } },
  schema: z.object({ run: runSchema, json: jsonFlag }),
  examples: ['golive history "$RUN"', 'golive history "$RUN" --json | jq ".entries[] | select(.kind == \\"decision\\")"'],
  async run(input, ctx) {
    const api = await ctx.api();
    const trail = await withSpinner(ctx.io, 'reading the audit trail…', () => api.history(input.run));
    if (input.json) return printJson(ctx.io, trail);
    const parts = [table(['SEQ', 'AT', 'KIND', 'ACTOR', 'STEP', 'SUMMARY'], trail.entries.map((e) => [String(e.seq), e.at, e.kind, e.actor ?? '', e.stepId ?? '', e.summary]))];
    if (trail.refusals.length) {
      parts.push('', 'Refused attempts (not part of the chain):', table(['AT', 'ACTOR', 'ACTION', 'STEP', 'REASON'], trail.refusals.map((r) => [r.at, r.actor, r.action, r.stepId ?? '', r.reason])));
    }
    print(ctx.io, parts.join('\n'));
    say(ctx.io, `${trail.entries.length} entries, chain head ${trail.head}${trail.finished ? '' : ' (the run is still open)'}`);
  },
});

/** Zip entries → files in `dir`: the zip's single top folder is dropped, and no name may climb out. */
export function dossierEntries(zip: Uint8Array): Map<string, Uint8Array> {
  let unzipped: Record<string, Uint8Array>;
  try {
    unzipped = unzipSync(zip);
  } catch (err) {
    throw new CliError(`the dossier download is not a valid zip (${(err as Error).message})`);
  }
  const names = Object.keys(unzipped).filter((n) => !n.endsWith('/'));
  const top = names[0]?.split('/')[0];
  const strip = top !== undefined && names.every((n) => n.startsWith(`${top}/`));
  const files = new Map<string, Uint8Array>();
  for (const name of names) {
    const relative = strip ? name.slice(top.length + 1) : name;
    if (path.isAbsolute(relative) || relative.split(/[\\/]/).some((part) => part === '..' || part === '')) {
      throw new CliError(`the dossier contains an unsafe file name: ${JSON.stringify(name)}`);
    }
    files.set(relative, unzipped[name]!);
  }
  return files;
}

/** Files left over in the folder would make `golive verify` fail: start from an empty one. */
async function ensureEmptyDir(dir: string): Promise<void> {
  try {
    const existing = await fs.readdir(dir);
    if (existing.length) throw new CliError(`${dir} is not empty: give a new or empty folder`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await fs.mkdir(dir, { recursive: true });
}

export const dossier = defineCommand({
  name: 'dossier',
  group: 'audit',
  summary: "Download a run's compliance dossier and unpack it into a folder.",
  positionals: [runArg],
  options: { out: { type: 'string', value: 'DIR', description: 'a new or empty folder' } },
  schema: z.object({ run: runSchema, out: z.string().min(1) }),
  examples: ['golive dossier "$RUN" --out dossier/ && golive verify dossier/'],
  async run(input, ctx) {
    await ensureEmptyDir(input.out);
    const api = await ctx.api();
    const download = await withSpinner(ctx.io, 'building the dossier…', () => api.dossier(input.run));
    const files = dossierEntries(download.bytes);
    for (const [name, bytes] of files) {
      await fs.mkdir(path.dirname(path.join(input.out, name)), { recursive: true });
      await fs.writeFile(path.join(input.out, name), bytes);
    }
    for (const name of [...files.keys()].sort()) print(ctx.io, path.join(input.out, name));
    say(ctx.io, `${files.size} files in ${input.out}; check them any time with: golive verify ${input.out}`);
  },
});

export const verify = defineCommand({
  name: 'verify',
  group: 'audit',
  summary: 'Check a dossier offline: every file against the manifest, then the hash chain.',
  description: 'Needs no server and no token. Names the altered file, or the trail entry by its seq.',
  positionals: [{ name: 'DIR', description: 'a dossier folder (golive dossier --out), or its .zip' }],
  options: { json: { type: 'boolean', description: 'print the verdict as JSON' } },
  schema: z.object({ dir: z.string().min(1), json: jsonFlag }),
  examples: ['golive verify dossier/'],
  async run(input, ctx) {
    let verdict;
    try {
      verdict = await verifyDossier(input.dir);
    } catch (err) {
      throw new CliError(`cannot read ${input.dir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    if (input.json) printJson(ctx.io, verdict);
    else if (verdict.ok) print(ctx.io, `ok: dossier of ${verdict.workflowId}, ${verdict.files} files, ${verdict.entries} trail entries, chain head ${verdict.head}`);
    else print(ctx.io, `NOT OK: ${verdict.file}${verdict.seq !== undefined ? ` (entry seq ${verdict.seq})` : ''}: ${verdict.reason}`);
    return verdict.ok ? EXIT.ok : EXIT.failed;
  },
});
