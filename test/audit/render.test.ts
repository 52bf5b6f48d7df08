import { describe, expect, it } from 'vitest';
import { dossierFiles } from '../../src/audit/dossier';
import { verifyDossierFiles } from '../../src/audit/verify';
import { DELIVERABLE_IDS, DELIVERABLE_TITLES } from '../../src/audit/documents/model';
import { recordedSource as source } from './support';

/** The dossier's files from a recorded history, without a server: escaping, drafts, verification. */
const text = (files: Map<string, Uint8Array>, name: string) => Buffer.from(files.get(name)!).toString('utf8');

describe('dossier rendering', () => {
  it('escapes what people typed, in HTML and Markdown', async () => {
    const files = await dossierFiles(
      source((s) => (s.state.decisions[1]!.comment = '<script>alert(1)</script> | *x*')),
    );
    const html = text(files, 'index.html');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain("default-src 'none'");
    expect(text(files, 'dossier.md')).toContain('\\<script\\>alert(1)\\</script\\> \\| \\*x\\*');
  });

  it('marks every section of an unfinished run as a draft', async () => {
    const files = await dossierFiles(source((s) => (s.state.status = 'waiting')));
    const html = text(files, 'index.html');
    const sections = html.match(/<section /g)!.length;
    expect(html.match(/DRAFT — run not finished, status: waiting/g)).toHaveLength(sections + 1);
    expect(JSON.parse(text(files, 'manifest.json'))).toMatchObject({ finished: false, status: 'waiting' });
  });

  it('says "Not recorded in this run." where a custom runbook has no data', async () => {
    const md = text(await dossierFiles(source()), 'dossier.md');
    expect(md).toMatch(
      /## Training Materials\n\n_Serves: [^\n]+_\n\n[^\n]+\n\n### Training materials\n\n_Not recorded in this run\._/,
    );
    expect(md).toMatch(/- \*\*Live channel:\*\* NOT GIVEN YET/);
  });

  it('fits a phone: a viewport, tables that scroll in their box, numbers and statuses that never break', async () => {
    const files = await dossierFiles(source((s) => s.state.steps.forEach((step) => (step.status = 'compensated'))));
    const html = text(files, 'index.html');
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toMatch(/\.table\{overflow-x:auto/);
    expect(html).toMatch(/\.short\{white-space:nowrap\}/);
    expect(html).not.toContain('word-break:break-word');
    expect(html.match(/<table>/g)!.length).toBe(html.match(/<div class="table"><table>/g)!.length);
    // The plan's step table: "#" and "Status" are short columns, the free text ones wrap.
    const plan = /<table><thead><tr><th class="(\w+)">#<\/th>.*?<\/table>/.exec(html)!;
    expect(plan[1]).toBe('short');
    expect(plan[0]).toContain('<th class="short">Status</th>');
    expect(plan[0]).toMatch(/<td class="short">compensated<\/td>/);
    expect(plan[0]).toMatch(/<tr><td class="short">\d+<\/td>/);
    // Long free text (the audit trail's entries) stays wrappable.
    expect(html).toContain('<th class="text">Entry</th>');
    expect(verifyDossierFiles(files)).toMatchObject({ ok: true });
  });

  it('produces files that verify, and names a file with one byte changed', async () => {
    const files = await dossierFiles(source());
    expect(verifyDossierFiles(files)).toMatchObject({ ok: true, workflowId: 'wf-1' });
    const md = new Uint8Array(files.get('dossier.md')!);
    md[10] = md[10]! ^ 1;
    expect(verifyDossierFiles(new Map([...files, ['dossier.md', md]]))).toMatchObject({
      ok: false,
      file: 'dossier.md',
    });
    expect(verifyDossierFiles(new Map([...files, ['extra.txt', new Uint8Array([1])]]))).toMatchObject({
      ok: false,
      file: 'extra.txt',
    });
  });

  it('has each of the five deliverables as its own HTML and Markdown file, covered by verify', async () => {
    const files = await dossierFiles(source((s) => (s.state.status = 'waiting')));
    for (const id of DELIVERABLE_IDS) {
      const html = text(files, `${id}.html`);
      const md = text(files, `${id}.md`);
      expect(html).toContain(`<h1>${DELIVERABLE_TITLES[id]} — test-system</h1>`);
      expect(html).toContain('DRAFT — run not finished, status: waiting');
      expect(html).toContain("default-src 'none'");
      expect(md.startsWith(`# ${DELIVERABLE_TITLES[id]} — test-system\n\n> **DRAFT`)).toBe(true);
      expect(md).toMatch(/- \*\*Collaboration Mode:\*\* 3 — /);
      expect(text(files, 'index.html')).toContain(`<a href="${id}.html">${DELIVERABLE_TITLES[id]}</a>`);
      const altered = new Uint8Array(files.get(`${id}.md`)!);
      altered[3] = altered[3]! ^ 1;
      expect(verifyDossierFiles(new Map([...files, [`${id}.md`, altered]]))).toMatchObject({
        ok: false,
        file: `${id}.md`,
      });
      const without = new Map(files);
      without.delete(`${id}.html`);
      expect(verifyDossierFiles(without)).toMatchObject({ ok: false });
    }
    expect(verifyDossierFiles(await dossierFiles(source()))).toMatchObject({ ok: true, files: 21 });
  });
});
