import fs from 'node:fs/promises';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { z } from 'zod';
// From verify.ts, not the audit index: the index loads Temporal's protobufs (a quarter second
// on every CLI start), and verifying is offline work that needs none of it.
import { verifyDossier, type DossierVerdict } from '../../audit/verify';
import { actorLabel, AUDIT_KINDS, type AuditKind } from '../../audit/entries';
import { kindFilterHidesRefusals, REFUSAL_KIND } from '../../audit/view';
import { closestName } from '../../runbook/zodIssues';
import type { FieldFlags } from '../api';
import { defineCommand, jsonFlag } from '../args';
import { CliError, EXIT } from '../errors';
import { print, printJson, say, table, withSpinner } from '../output';
import { runArg, runSchema } from './runs';

/** The audit trail, the dossier download, and its offline verification. */

/** The history query's fields as the flags that set them, for the server's 400 issues. */
const HISTORY_FLAGS: FieldFlags = { kind: '--kind', person: '--person', step: '--step' };

/** `--kind a,b --kind c` → [a, b, c]: each checked here, so a bad one is named on its own. */
export const kindList = z
  .array(z.string())
  .optional()
  .transform((values, ctx): AuditKind[] | undefined => {
    if (values === undefined) return undefined;
    const kinds: AuditKind[] = [];
    for (const kind of values
      .flatMap((v) => v.split(','))
      .map((k) => k.trim())
      .filter(Boolean)) {
      if ((AUDIT_KINDS as readonly string[]).includes(kind)) {
        if (!kinds.includes(kind as AuditKind)) kinds.push(kind as AuditKind);
        continue;
      }
      const guess = closestName(kind, AUDIT_KINDS);
      ctx.addIssue({
        code: 'custom',
        message: `"${kind}" is not a kind${guess ? `; did you mean "${guess}"?` : ''} (kinds: ${AUDIT_KINDS.join(', ')})`,
      });
    }
    if (kinds.length === 0 && values.length > 0) ctx.addIssue({ code: 'custom', message: 'names no kind' });
    return kinds;
  });

export const history = defineCommand({
  name: 'history',
  group: 'audit',
  summary: "A run's audit trail: every fact in order, hash-chained; refused attempts apart.",
  description:
    'Filters narrow what is shown; the chain head and the total stay those of the whole trail.\n' +
    `Refused attempts follow --person and --step; with --kind, only when it includes ${REFUSAL_KIND}.`,
  positionals: [runArg],
  options: {
    kind: {
      type: 'string',
      multiple: true,
      value: 'KIND',
      description: `only entries of these kinds, comma-separated or repeated (${AUDIT_KINDS.join(', ')})`,
    },
    person: { type: 'string', value: 'ID', description: 'only what this person did, and notifications sent to them' },
    step: { type: 'string', value: 'ID', description: 'only entries about this step' },
    json: { type: 'boolean', description: 'print the trail (entries with hashes, refusals, total, filter) as JSON' },
  },
  // Kinds are checked here (they may be comma-separated); the server validates the other filters
  // and names a bad one by its flag.
  schema: z.object({
    run: runSchema,
    kind: kindList,
    person: z.string().optional(),
    step: z.string().optional(),
    json: jsonFlag,
  }),
  examples: [
    'golive history "$RUN"',
    'golive history "$RUN" --kind decision,compensation',
    'golive history "$RUN" --person guardian --json | jq ".entries[].summary"',
  ],
  async run(input, ctx) {
    const api = await ctx.api();
    const filter = {
      ...(input.kind ? { kind: input.kind } : {}),
      ...(input.person !== undefined ? { person: input.person } : {}),
      ...(input.step !== undefined ? { step: input.step } : {}),
    };
    const trail = await withSpinner(ctx.io, 'reading the audit trail…', () =>
      api.history(input.run, filter, HISTORY_FLAGS),
    );
    if (input.json) return printJson(ctx.io, trail);
    const parts = [
      table(
        ['SEQ', 'AT', 'KIND', 'ACTOR', 'STEP', 'SUMMARY'],
        trail.entries.map((e) => [String(e.seq), e.at, e.kind, actorLabel(e.actor), e.stepId ?? '', e.summary]),
      ),
    ];
    if (kindFilterHidesRefusals(input.kind)) {
      parts.push('', `(refused attempts not shown: filtered by kind; add --kind ${REFUSAL_KIND} to see them)`);
    } else if (trail.refusals.length) {
      parts.push(
        '',
        'Refused attempts (not part of the chain):',
        table(
          ['AT', 'ACTOR', 'ACTION', 'STEP', 'REASON'],
          trail.refusals.map((r) => [r.at, r.actor, r.action, r.stepId ?? '', r.reason]),
        ),
      );
    }
    print(ctx.io, parts.join('\n'));
    const shown = Object.keys(filter).length
      ? `${trail.entries.length} of ${trail.total} entries (filtered)`
      : `${trail.entries.length} entries`;
    say(ctx.io, `${shown}, chain head ${trail.head}${trail.finished ? '' : ' (the run is still open)'}`);
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
    const anchor = download.manifestSha256 ? ` --expect-manifest ${download.manifestSha256}` : '';
    say(ctx.io, `${files.size} files in ${input.out}; check them any time with: golive verify ${input.out}${anchor}`);
    if (anchor)
      say(ctx.io, `keep the manifest SHA-256 apart from the files: it is what proves a later copy is this export`);
  },
});

const SHA256_HEX = /^[0-9a-f]{64}$/i;

const counted = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** The verdict for people: one line on stdout; what an unanchored ok does not prove, on stderr. */
function verdictLine(v: DossierVerdict): string {
  if (!v.ok)
    return `NOT OK: ${v.file}${v.field ? ` (${v.field})` : ''}${v.seq !== undefined ? ` (entry seq ${v.seq})` : ''}: ${v.reason}`;
  const run = v.finished ? `run finished (${v.status})` : `run not finished (${v.status}): a draft`;
  const anchor = v.anchored ? ' (matches --expect-manifest)' : '';
  const sigs = v.signatures.unsignedRun
    ? 'run started before golive signed messages: no signatures to check'
    : `${counted(v.signatures.checked, 'signature')} by key ${v.signatures.keyIds.join(', ')}${v.signatures.keyExpected ? ' (matches --expect-key)' : ''}`;
  const passkeys = v.passkeys.checked
    ? `, ${counted(v.passkeys.checked, 'approval')} signed by the approver's passkey`
    : '';
  return `ok: dossier of ${v.workflowId}, ${run}, ${v.files} files, ${v.entries} trail entries, ${sigs}${passkeys}, chain head ${v.head}, manifest sha256 ${v.manifestSha256}${anchor}`;
}

export const verify = defineCommand({
  name: 'verify',
  group: 'audit',
  summary: 'Check a dossier offline: every file against the manifest, the hash chain, and that the files agree.',
  description:
    'Needs no server and no token. Names the altered file (and field), or the trail entry by its seq.\n' +
    'Inside the dossier, ok means its files are unchanged and tell one story; someone who rewrote\n' +
    'them all consistently is caught only by the manifest SHA-256 the server logged at export (and\n' +
    'sent as X-Golive-Manifest-Sha256; golive dossier prints it): pass it with --expect-manifest.\n' +
    "Every decision, submission, report, resolution, stop and rollback must carry golive's signature\n" +
    'by a key the run pinned, over exactly what its entry shows; --expect-key checks that the pinned\n' +
    "key is your organisation's (GET /api/signing-keys publishes it).",
  positionals: [{ name: 'DIR', description: 'a dossier folder (golive dossier --out), or its .zip' }],
  options: {
    'expect-manifest': {
      type: 'string',
      value: 'SHA256',
      description: "the manifest SHA-256 the server logged at export; exit 1 if the dossier's differs",
    },
    'expect-key': {
      type: 'string',
      value: 'KEYID',
      description: "golive's signing key id (GET /api/signing-keys); exit 1 if the run did not pin it",
    },
    json: { type: 'boolean', description: 'print the verdict as JSON' },
  },
  schema: z.object({
    dir: z.string().min(1),
    expectManifest: z.string().regex(SHA256_HEX, 'must be a SHA-256: 64 hex digits').optional(),
    expectKey: z
      .string()
      .regex(/^[0-9a-f]{16}$/, 'must be a key id: 16 hex digits')
      .optional(),
    json: jsonFlag,
  }),
  examples: ['golive verify dossier/', 'golive verify dossier.zip --expect-manifest 3f2a…(from the export log)'],
  async run(input, ctx) {
    let verdict;
    try {
      verdict = await verifyDossier(input.dir, {
        ...(input.expectManifest ? { expectManifestSha256: input.expectManifest } : {}),
        ...(input.expectKey ? { expectKeyId: input.expectKey } : {}),
      });
    } catch (err) {
      throw new CliError(`cannot read ${input.dir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    if (input.json) printJson(ctx.io, verdict);
    else print(ctx.io, verdictLine(verdict));
    if (verdict.ok && !verdict.anchored && !input.json) {
      say(
        ctx.io,
        'compare the manifest sha256 with the one the server logged at export, or pass it with --expect-manifest: without it, ok means consistent, not authentic',
      );
    }
    return verdict.ok ? EXIT.ok : EXIT.failed;
  },
});
