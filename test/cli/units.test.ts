import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { dossierEntries, kindList } from '../../src/cli/commands/audit';
import { documentEvidence, evidenceValue } from '../../src/cli/commands/decisions';
import { table } from '../../src/cli/output';

/** The CLI's pure pieces whose edge cases a child-process test would reach only slowly. */

describe('evidenceValue', () => {
  it('reads JSON scalars as such and anything else as text', () => {
    expect(evidenceValue('97.5')).toBe(97.5);
    expect(evidenceValue('true')).toBe(true);
    expect(evidenceValue('"42"')).toBe('42');
    expect(evidenceValue('https://example.com/report')).toBe('https://example.com/report');
    expect(evidenceValue('{"a":1}')).toBe('{"a":1}');
  });
});

describe('documentEvidence', () => {
  it('submits the file name and SHA-256, not the content', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'golive-cli-doc-'));
    try {
      const file = path.join(dir, 'model-card.pdf');
      fs.writeFileSync(file, 'card');
      expect(await documentEvidence(file)).toEqual({
        name: 'model-card.pdf',
        sha256: createHash('sha256').update('card').digest('hex'),
      });
      await expect(documentEvidence(path.join(dir, 'missing.pdf'))).rejects.toThrow(
        /cannot read .*missing\.pdf \(ENOENT\)/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('dossierEntries', () => {
  const bytes = new TextEncoder().encode('x');
  it('drops the single top folder of the zip', () => {
    const files = dossierEntries(zipSync({ 'dossier-run/manifest.json': bytes, 'dossier-run/dossier.md': bytes }));
    expect([...files.keys()].sort()).toEqual(['dossier.md', 'manifest.json']);
  });

  it('refuses names that would climb out of the folder', () => {
    expect(() => dossierEntries(zipSync({ 'dossier-run/../../etc/passwd': bytes, 'dossier-run/a': bytes }))).toThrow(
      /unsafe file name/,
    );
  });

  it('says so when the download is not a zip', () => {
    expect(() => dossierEntries(new TextEncoder().encode('{"error":{}}'))).toThrow(/not a valid zip/);
  });
});

describe('table', () => {
  it('aligns columns by visible width, ignoring colour codes', () => {
    const green = '\u001b[32mok\u001b[39m';
    expect(table(['A', 'B', 'C'], [['long-value', green, 'x']]).split('\n')).toEqual([
      'A           B   C',
      `long-value  ${green}  x`,
    ]);
  });
});

describe('history --kind', () => {
  it('takes kinds comma-separated or repeated, once each', () => {
    expect(kindList.parse(['decision,stop', 'compensation', 'decision'])).toEqual(['decision', 'stop', 'compensation']);
    expect(kindList.parse(undefined)).toBeUndefined();
  });

  it('names the kind that is wrong, with the one probably meant', () => {
    const result = kindList.safeParse(['decision,stpo']);
    expect(result.success).toBe(false);
    const messages = result.error!.issues.map((i) => i.message);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^"stpo" is not a kind; did you mean "stop"\? \(kinds: run-started,/);
  });
});
