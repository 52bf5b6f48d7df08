import { beforeAll, describe, expect, it } from 'vitest';
import { dossierFiles, sha256 } from '../../src/audit/dossier';
import { verifyDossierFiles } from '../../src/audit/verify';
import { DELIVERABLE_IDS, DELIVERABLE_TITLES } from '../../src/audit/documents/model';
import { deliverableDocument } from '../../src/audit/documents/render';
import { deliverablePdf, PDF_TABLE_ROWS } from '../../src/audit/documents/renderPdf';
import { pdfsMade, renderPdfs } from '../../src/audit/documents/pdfPool';
import { readPdf } from '../support/pdfText';
import { recordedSource } from './support';

/**
 * The five deliverables as PDFs in the dossier, read back with pdf.js: real PDFs carrying the
 * same title, facts, headings and people as the HTML and Markdown files, the same bytes for the
 * same export, and covered by the manifest and verify.
 */

type Files = Map<string, Uint8Array>;
let files: Files;
beforeAll(async () => {
  files = await dossierFiles(recordedSource());
}, 120_000);

const src = recordedSource();
const ctx = { input: src.input, state: src.state, entries: src.entries, refusals: src.refusals };
/**
 * What the PDF prints for a text (the few glyphs Roboto lacks spelled out), without whitespace:
 * a hash or URL in a narrow column breaks mid-token, and the reader sees a line end there.
 */
const printed = (s: string) =>
  s.replace(/→/g, '->').replace(/☑/g, '[x]').replace(/☐/g, '[ ]').replace(/☒/g, '[!]').replace(/\s+/g, '');
const words = (text: string) => text.replace(/\s+/g, '');

describe('the deliverables as PDF files', () => {
  it('each is a real PDF with the document title, facts, every heading and the people who acted', async () => {
    for (const id of DELIVERABLE_IDS) {
      const bytes = files.get(`${id}.pdf`)!;
      expect(Buffer.from(bytes.subarray(0, 5)).toString('latin1'), id).toBe('%PDF-');
      const pdf = await readPdf(bytes);
      const doc = deliverableDocument(ctx, id, 'wf-1', new Date(0).toISOString());
      expect(pdf.text, id).toContain(`${DELIVERABLE_TITLES[id]} — test-system`);
      expect(pdf.info.Title).toBe(`${DELIVERABLE_TITLES[id]} — test-system`);
      for (const [key, value] of doc.facts) expect(words(pdf.text), `${id}: ${key}`).toContain(printed(value));
      const headings = doc.deliverable.blocks.flatMap((b) => (b.kind === 'heading' ? [b.text] : []));
      expect(headings.length, id).toBeGreaterThan(0);
      for (const h of headings) expect(words(pdf.text), `${id}: ${h}`).toContain(printed(h));
    }
    // The Compliance Dossier's approvals name who decided, as its HTML does, and keep each hash whole.
    const dossier = await readPdf(files.get('compliance-dossier.pdf')!);
    const html = Buffer.from(files.get('compliance-dossier.html')!).toString('utf8');
    const deciders = src.state.decisions.map((d) => d.actor.id);
    expect(deciders.length).toBeGreaterThan(0);
    for (const who of deciders) {
      expect(html).toContain(who);
      expect(dossier.text).toContain(who);
    }
    expect(html).toContain('REJECTED');
    expect(dossier.text).toContain('REJECTED');
    for (const d of src.state.decisions) expect(words(dossier.text)).toContain(d.evidenceHash);
  });

  it('are laid out on the PDF thread, the same bytes the main thread makes', async () => {
    const before = pdfsMade();
    const docs = DELIVERABLE_IDS.map((id) => deliverableDocument(ctx, id, 'wf-1', new Date(0).toISOString()));
    const onThread = await renderPdfs(docs);
    expect(pdfsMade().onThread - before.onThread).toBe(docs.length);
    for (const [i, doc] of docs.entries())
      expect(Buffer.from(onThread[i]!).equals(Buffer.from(await deliverablePdf(doc))), doc.deliverable.id).toBe(true);
  });

  it('carries the export time as its creation date, so the same export gives the same bytes', async () => {
    const again = await dossierFiles(recordedSource());
    for (const id of DELIVERABLE_IDS) {
      expect(sha256(again.get(`${id}.pdf`)!), id).toBe(sha256(files.get(`${id}.pdf`)!));
    }
    expect((await readPdf(files.get('compliance-dossier.pdf')!)).info.CreationDate).toMatch(/^D:19700101000000/);
    const later = await dossierFiles(recordedSource((s) => (s.now = new Date(86_400_000))));
    expect(sha256(later.get('go-live-plan.pdf')!)).not.toBe(sha256(files.get('go-live-plan.pdf')!));
  });

  it('is covered by the manifest and verify: one byte changed or the file gone fails, naming it', () => {
    const manifest = JSON.parse(Buffer.from(files.get('manifest.json')!).toString('utf8')) as {
      files: { name: string; sha256: string }[];
    };
    expect(verifyDossierFiles(files)).toMatchObject({ ok: true, files: 21 });
    for (const id of DELIVERABLE_IDS) {
      const name = `${id}.pdf`;
      expect(manifest.files.find((f) => f.name === name)?.sha256).toBe(sha256(files.get(name)!));
      const altered = new Uint8Array(files.get(name)!);
      altered[altered.length - 20] = altered[altered.length - 20]! ^ 1;
      expect(verifyDossierFiles(new Map([...files, [name, altered]]))).toEqual({
        ok: false,
        file: name,
        reason: 'altered: its SHA-256 differs from the manifest',
      });
      const without = new Map(files);
      without.delete(name);
      expect(verifyDossierFiles(without)).toMatchObject({ ok: false, file: name });
    }
  });
});

describe('a long run in the PDFs', () => {
  // 100 Red Button reports: more rows than a PDF table prints.
  const many = recordedSource((s) => {
    s.state.reports = Array.from({ length: 100 }, (_, i) => ({
      id: `rb-${String(i + 1).padStart(3, '0')}`,
      severity: 'medium' as const,
      reporter: 'anonymous',
      description: `answer ${i + 1} cited a retired policy`,
      at: new Date(i * 60_000).toISOString(),
      responseDueAt: new Date(i * 60_000 + 3_600_000).toISOString(),
      status: 'open' as const,
      escalationLevel: 0,
    }));
  });

  it('prints the first and last rows of a long table and says how many it leaves out and where they all are', async () => {
    const long = await dossierFiles(many);
    const pdf = await readPdf(long.get('compliance-dossier.pdf')!);
    const html = Buffer.from(long.get('compliance-dossier.html')!).toString('utf8');
    const shown = PDF_TABLE_ROWS / 2;
    for (let i = 1; i <= 100; i++) {
      const id = `rb-${String(i).padStart(3, '0')}`;
      expect(html, id).toContain(id);
      expect(pdf.text.includes(id), id).toBe(i <= shown || i > 100 - shown);
    }
    expect(pdf.text).toContain(
      `… ${100 - PDF_TABLE_ROWS} rows not printed here (rows ${shown + 1}–${100 - shown} of 100)`,
    );
    expect(words(pdf.text)).toContain(
      words('The complete table is in compliance-dossier.html and compliance-dossier.md'),
    );
    // The same content still gives the same bytes, whichever PDFs the process rendered before.
    const again = await dossierFiles(many);
    expect(sha256(again.get('compliance-dossier.pdf')!)).toBe(sha256(long.get('compliance-dossier.pdf')!));
  });
});
