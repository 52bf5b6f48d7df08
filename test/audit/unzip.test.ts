import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { DossierArchiveError, unzipDossier, verifyDossierZip } from '../../src/audit/verify';

/** Uploaded zips are untrusted: bounded before they are inflated, and never a crash. */
describe('unzipDossier', () => {
  it('strips the top folder and keeps the files', () => {
    const files = unzipDossier(
      zipSync({ 'dossier-x/a.txt': new Uint8Array([1]), 'dossier-x/b.txt': new Uint8Array([2]) }),
    );
    expect([...files.keys()]).toEqual(['a.txt', 'b.txt']);
  });

  it('refuses what is not a zip, too many files, or too much unpacked data', () => {
    expect(() => unzipDossier(new Uint8Array([1, 2, 3]))).toThrow(DossierArchiveError);
    const many = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`d/${i}`, new Uint8Array(1)]));
    expect(() => unzipDossier(zipSync(many), { files: 4, unpackedBytes: 1000 })).toThrow(/more than 4 files/);
    // A megabyte of zeros deflates to about a kilobyte: the declared size is what counts.
    const bomb = zipSync({ 'd/zeros': new Uint8Array(1024 * 1024) }, { level: 9 });
    expect(bomb.length).toBeLessThan(5000);
    expect(() => unzipDossier(bomb, { files: 10, unpackedBytes: 1024 })).toThrow(/unpacks to more than 1024 bytes/);
  });

  it('a zip without a manifest is not a verified dossier', () => {
    expect(verifyDossierZip(zipSync({ 'd/index.html': new Uint8Array([60]) }))).toEqual({
      ok: false,
      file: 'manifest.json',
      reason: 'the manifest is missing',
    });
  });
});
