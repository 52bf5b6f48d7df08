import { beforeAll, describe, expect, it } from 'vitest';
import { chainEntries } from '../../src/audit/chain';
import { dossierFiles, sha256, type TrailFile } from '../../src/audit/dossier';
import { verifyDossierFiles } from '../../src/audit/verify';
import { recordedSource } from './support';

/**
 * Forged dossiers, built from a recorded rolled-back run without a server: every descriptive
 * field must agree across the manifest, the trail and dossier.json, and what cannot be caught
 * inside the dossier is caught by the manifest's SHA-256 given from outside.
 */

type Json = Record<string, unknown> & { [k: string]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
type Files = Map<string, Uint8Array>;

let EXPORTED: Files;
// Built once (the five PDFs take a moment); each test gets its own copy of every file's bytes.
beforeAll(async () => {
  EXPORTED = await dossierFiles(recordedSource());
}, 120_000);
const exported = (): Files => new Map([...EXPORTED].map(([name, bytes]) => [name, new Uint8Array(bytes)]));
const read = (files: Files, name: string): Json => JSON.parse(Buffer.from(files.get(name)!).toString('utf8')) as Json;
const write = (value: unknown) => Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');

/** Edits JSON files of an export; with `fixDigests`, the manifest's digests and sizes follow, as a forger would make them. */
function forge(edits: Record<string, (json: Json) => void>, opts: { fixDigests?: boolean; files?: Files } = {}): Files {
  const files = new Map(opts.files ?? exported());
  for (const [name, edit] of Object.entries(edits)) {
    if (name === 'manifest.json') continue;
    const json = read(files, name);
    edit(json);
    files.set(name, write(json));
  }
  const manifest = read(files, 'manifest.json');
  edits['manifest.json']?.(manifest);
  if (opts.fixDigests) {
    for (const f of manifest.files as { name: string; sha256: string; bytes: number }[]) {
      f.sha256 = sha256(files.get(f.name)!);
      f.bytes = files.get(f.name)!.length;
    }
  }
  files.set('manifest.json', write(manifest));
  return files;
}

describe('verify: the manifest agrees with the files it covers', () => {
  it('an untouched export verifies and reports what it checked', () => {
    const files = exported();
    expect(verifyDossierFiles(files)).toEqual({
      ok: true,
      workflowId: 'wf-1',
      runIds: [read(files, 'audit-trail.json').entries[0].runId],
      status: 'rolled-back',
      finished: true,
      head: read(files, 'audit-trail.json').head,
      entries: read(files, 'audit-trail.json').entries.length,
      files: 21,
      manifestSha256: sha256(files.get('manifest.json')!),
      anchored: false,
      // This fixture run was recorded before golive signed messages, and the verdict says so.
      signatures: { checked: 0, keyIds: [], unsignedRun: true, keyExpected: false },
      passkeys: { checked: 0 },
    });
  });

  // QA's forgeries: one field of the manifest edited, no other file touched.
  it.each<[string, (m: Json) => void]>([
    ['status', (m) => (m.status = 'succeeded')],
    ['finished', (m) => (m.finished = false)],
    ['workflowId', (m) => (m.workflowId = 'golive-other-run-1234')],
    ['generatedAt', (m) => (m.generatedAt = '2030-01-01T00:00:00.000Z')],
    ['chain.head', (m) => (m.chain.head = 'a'.repeat(64))],
    ['chain.length', (m) => (m.chain.length -= 1)],
  ])('a forged manifest %s fails naming manifest.json and the field', (field, edit) => {
    const verdict = verifyDossierFiles(forge({ 'manifest.json': edit }));
    expect(verdict).toMatchObject({ ok: false, file: 'manifest.json', field });
    expect(verdict.ok || verdict.reason).toMatch(new RegExp(`^${field.replace('.', '\\.')} says `));
  });

  it('a forged size, a field verify does not know, or a file left out of the manifest fails on manifest.json', () => {
    const size = verifyDossierFiles(forge({ 'manifest.json': (m) => (m.files[0].bytes += 1) }));
    expect(size).toMatchObject({
      ok: false,
      file: 'manifest.json',
      field: 'files',
      reason: expect.stringMatching(/^says dossier\.json has \d+ bytes/),
    });
    const unknown = verifyDossierFiles(forge({ 'manifest.json': (m) => (m.verifiedBy = 'auditor') }));
    expect(unknown).toMatchObject({ ok: false, file: 'manifest.json', reason: expect.stringContaining('verifiedBy') });
    const dropped = forge({
      'manifest.json': (m) => (m.files = m.files.filter((f: { name: string }) => f.name !== 'index.html')),
    });
    dropped.delete('index.html');
    expect(verifyDossierFiles(dropped)).toMatchObject({
      ok: false,
      file: 'manifest.json',
      field: 'files',
      reason: 'does not cover index.html',
    });
  });
});

describe('verify: exports of the earlier format', () => {
  const withoutPdfs = (format: string) => {
    const files = exported();
    for (const name of [...files.keys()]) if (name.endsWith('.pdf')) files.delete(name);
    return forge(
      {
        'dossier.json': (d) => (d.format = format),
        'manifest.json': (m) => {
          m.format = format;
          m.files = m.files.filter((f: { name: string }) => !f.name.endsWith('.pdf'));
        },
      },
      { fixDigests: true, files },
    );
  };

  it('a golive-dossier/1 export, made before the deliverables had PDFs, still verifies', () => {
    expect(verifyDossierFiles(withoutPdfs('golive-dossier/1'))).toMatchObject({ ok: true, files: 16 });
  });

  it('a golive-dossier/2 export without its PDFs fails naming the first one missing', () => {
    expect(verifyDossierFiles(withoutPdfs('golive-dossier/2'))).toMatchObject({
      ok: false,
      file: 'manifest.json',
      field: 'files',
      reason: expect.stringMatching(/^does not cover [a-z-]+\.pdf$/),
    });
  });

  it('the manifest and dossier.json must name the same format', () => {
    const mixed = forge({ 'dossier.json': (d) => (d.format = 'golive-dossier/1') }, { fixDigests: true });
    expect(verifyDossierFiles(mixed)).toMatchObject({ ok: false, file: 'manifest.json', field: 'format' });
  });
});

describe('verify: covered files agree with the hash chain', () => {
  // A forger who also edits dossier.json and fixes up the manifest's digests: the chain tells.
  it.each<[string, (d: Json) => void]>([
    ['run.status', (d) => ((d.run.status = 'live'), (d.state.status = 'live'))],
    ['runIds', (d) => d.runIds.push('another-run')],
    ['trail.entries', (d) => (d.trail.entries += 1)],
    ['trail.head', (d) => (d.trail.head = 'b'.repeat(64))],
    ['workflowId', (d) => (d.workflowId = 'golive-other-run-1234')],
    ['state.status', (d) => (d.state.status = 'live')],
    ['finished', (d) => (d.finished = false)],
  ])('dossier.json with a forged %s fails naming it, digests fixed or not', (field, edit) => {
    expect(verifyDossierFiles(forge({ 'dossier.json': edit }, { fixDigests: true }))).toMatchObject({
      ok: false,
      file: 'dossier.json',
      field,
    });
    expect(verifyDossierFiles(forge({ 'dossier.json': edit }))).toMatchObject({
      ok: false,
      file: 'dossier.json',
      reason: 'altered: its SHA-256 differs from the manifest',
    });
  });

  it("the trail file's own head and workflow id are checked too", () => {
    expect(
      verifyDossierFiles(forge({ 'audit-trail.json': (t) => (t.head = 'c'.repeat(64)) }, { fixDigests: true })),
    ).toMatchObject({ ok: false, file: 'audit-trail.json', field: 'head' });
    expect(
      verifyDossierFiles(forge({ 'audit-trail.json': (t) => (t.workflowId = 'golive-other') }, { fixDigests: true })),
    ).toMatchObject({ ok: false, file: 'dossier.json', field: 'workflowId' });
  });
});

describe('verify: the outside anchor', () => {
  it('matches the manifest SHA-256 the server logged, in either case', () => {
    const files = exported();
    const anchor = sha256(files.get('manifest.json')!);
    expect(verifyDossierFiles(files, { expectManifestSha256: anchor })).toMatchObject({
      ok: true,
      anchored: true,
      manifestSha256: anchor,
    });
    expect(verifyDossierFiles(files, { expectManifestSha256: anchor.toUpperCase() })).toMatchObject({
      ok: true,
      anchored: true,
    });
  });

  it('catches the forger who rewrites every file consistently, which nothing inside the dossier can', () => {
    const original = exported();
    const anchor = sha256(original.get('manifest.json')!);
    // Another run's id everywhere it is written, the trail re-chained, every digest recomputed.
    const other = 'golive-other-run-1234';
    const trail = read(original, 'audit-trail.json') as unknown as TrailFile;
    const entries = chainEntries(trail.entries.map(({ hash: _h, prevHash: _p, ...e }) => e));
    const head = entries.at(-1)!.hash;
    const forged = forge(
      {
        'audit-trail.json': (t) => Object.assign(t, { workflowId: other, entries, head }),
        'dossier.json': (d) => Object.assign(d, { workflowId: other, trail: { entries: entries.length, head } }),
        'manifest.json': (m) => Object.assign(m, { workflowId: other, chain: { head, length: entries.length } }),
      },
      { files: original, fixDigests: true },
    );
    expect(verifyDossierFiles(forged)).toMatchObject({ ok: true, workflowId: other, anchored: false });
    expect(verifyDossierFiles(forged, { expectManifestSha256: anchor })).toMatchObject({
      ok: false,
      file: 'manifest.json',
      reason: expect.stringContaining(`not the expected ${anchor}`),
    });
  });
});
