import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DELIVERABLE_IDS, DELIVERABLE_TITLES } from '../../src/audit/documents/model';
import { apiAs } from '../support/app';
import { useTestApp } from '../support/app';
import { hasChromium, screenshot, useBrowser } from '../support/browser';
import { useRejectionRunbooks } from '../audit/support';
import { readPdf } from '../support/pdfText';
import { driveRejectedRun, type RejectedRun } from '../audit/webRun';

const XSS = `<img src=x onerror="window.__xss=1"> fine by me`;

type Box = { scrollWidth: number; clientWidth: number };
const overflowOf = () => {
  const root = (globalThis as unknown as { document: { documentElement: Box } }).document.documentElement;
  return root.scrollWidth - root.clientWidth;
};
/** How far the deliverables' tables would scroll sideways: never, at phone (stacked rows) or laptop width. */
const tableOverflowOf = () => {
  const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<Box> } }).document;
  return Math.max(
    0,
    ...Array.from(doc.querySelectorAll('article.document .table-wrap')).map((w) => w.scrollWidth - w.clientWidth),
  );
};

/**
 * Plain words (letters only, up to 20) in the deliverables' table cells that the browser laid out
 * on more than one line: a word's range has client rects at more than one height. Ids, hashes,
 * links and addresses are not plain words and may break.
 */
const splitWordsIn = `(() => {
  const split = [];
  let words = 0;
  for (const cell of document.querySelectorAll('article.document table td')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(/[^\\s]+/g)) {
        const word = m[0].replace(/^[^\\p{L}]+|[^\\p{L}]+$/gu, '');
        if (word.length < 2 || word.length > 20 || !/^\\p{L}+$/u.test(word)) continue;
        words++;
        const range = document.createRange();
        const start = m.index + m[0].indexOf(word);
        range.setStart(node, start);
        range.setEnd(node, start + word.length);
        const tops = new Set(Array.from(range.getClientRects(), (r) => Math.round(r.top)));
        if (tops.size > 1) split.push(word);
      }
    }
  }
  return { words, split };
})()`;

/**
 * The five deliverables of a rejected run, each a page of the web UI, read at laptop and phone
 * width (screenshots kept in test-artifacts/browser), reached from the run page and from each
 * other; the same documents through the API as JSON, HTML, Markdown and PDF.
 */
describe.skipIf(!hasChromium)('the five deliverables in a browser', () => {
  let run: RejectedRun;
  const app = useTestApp({ beforeAll, afterAll }, useRejectionRunbooks({ beforeAll, afterAll }));
  const { as } = useBrowser({ beforeAll, afterAll }, app);
  beforeAll(async () => {
    run = await driveRejectedRun(app(), 'documents-browser', XSS);
  }, 60_000);

  it(
    'each deliverable is a page at laptop and phone width, names people, escapes what they typed',
    { timeout: 120_000 },
    async () => {
      const laptop = await as('guardian', { width: 1280, height: 900 });
      const phone = await as('guardian', { width: 390, height: 844 });

      // From the run page, by its link.
      await laptop.page.goto(`/runs/${run.runId}`);
      await laptop.page
        .getByRole('navigation', { name: 'Deliverables' })
        .getByRole('link', { name: 'Go-live Plan' })
        .click();
      await laptop.page.waitForURL(`**/runs/${run.runId}/documents/go-live-plan`);

      for (const [i, id] of DELIVERABLE_IDS.entries()) {
        for (const [width, c] of [
          ['laptop', laptop],
          ['phone', phone],
        ] as const) {
          const res = await c.page.goto(`/runs/${run.runId}/documents/${id}`);
          expect(res?.status(), id).toBe(200);
          expect(await c.page.locator('h1').textContent()).toContain(DELIVERABLE_TITLES[id]);
          const main = (await c.page.locator('main').textContent()) ?? '';
          expect(main, id).toContain('Collaboration Mode');
          expect(main, id).toMatch(/3 — /); // the mode by name, not a bare number
          expect(main, id).toContain('Riley Release'); // the release manager by name
          expect(await c.page.locator('article.document').count()).toBe(1);
          expect(await c.page.evaluate(overflowOf), `${id} at ${width}`).toBeLessThanOrEqual(0);
          if (width === 'phone')
            expect(await c.page.evaluate(tableOverflowOf), `${id}'s tables at ${width}`).toBeLessThanOrEqual(0);
          await screenshot(c.page, `30-document-${i + 1}-${id}-${width}`);
        }
      }

      // The Compliance Dossier names the Guardian who signed off, and her comment is text.
      await laptop.page.goto(`/runs/${run.runId}/documents/compliance-dossier`);
      const dossier = (await laptop.page.locator('article.document').textContent()) ?? '';
      expect(dossier).toContain('Gita Guardian (guardian)');
      expect(dossier).toContain(XSS);
      expect(await laptop.page.locator('article.document img').count()).toBe(0);
      expect(await laptop.page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined();
      // The Go-live Plan's communication plan gives contacts.
      await laptop.page.goto(`/runs/${run.runId}/documents/go-live-plan`);
      expect(await laptop.page.locator('article.document').textContent()).toContain('guardian@demo.golive.example');

      // The runs list says why the run ended.
      await laptop.page.goto('/runs?system=documents-browser');
      expect(await laptop.page.locator('table.runs tbody tr').filter({ hasText: run.runId }).textContent()).toContain(
        'rejected at gate-4 by sponsor: latency budget not met',
      );

      // An unknown document is a 404 naming the five; someone without a role in the run sees none.
      const missing = await laptop.page.goto(`/runs/${run.runId}/documents/press-release`);
      expect(missing?.status()).toBe(404);
      expect(await laptop.page.locator('main').textContent()).toContain(
        `no such document: "press-release"; the deliverables are ${DELIVERABLE_IDS.join(', ')}`,
      );
      const outsider = await as('user');
      expect((await outsider.page.goto(`/runs/${run.runId}/documents/go-live-plan`))?.status()).toBe(404);

      for (const c of [laptop, phone, outsider]) await c.context.close();
    },
  );

  it('at laptop width, table cells wrap between words, never inside one', { timeout: 120_000 }, async () => {
    const laptop = await as('guardian', { width: 1280, height: 800 });
    let seen = 0;
    for (const id of DELIVERABLE_IDS) {
      await laptop.page.goto(`/runs/${run.runId}/documents/${id}`);
      const { words, split } = (await laptop.page.evaluate(splitWordsIn)) as { words: number; split: string[] };
      seen += words;
      expect(split, `${id}: words broken across lines`).toEqual([]);
      // Whole words, and still no sideways scroll: long ids and hashes break instead.
      expect(await laptop.page.evaluate(overflowOf), id).toBeLessThanOrEqual(0);
      expect(await laptop.page.evaluate(tableOverflowOf), `${id}'s tables`).toBeLessThanOrEqual(0);
    }
    expect(seen, 'words in the tables looked at').toBeGreaterThan(100);
    await screenshot(laptop.page, '31-document-tables-1280');
    await laptop.context.close();
  });

  it('serves each deliverable through the API as JSON, HTML, Markdown and PDF', { timeout: 120_000 }, async () => {
    const ops = apiAs(app(), 'ops');
    for (const id of DELIVERABLE_IDS) {
      const json = await ops<{
        id: string;
        deliverable: { title: string; blocks: unknown[] };
        facts: [string, string][];
      }>('GET', `/api/runs/${run.runId}/documents/${id}`);
      expect(json.status, id).toBe(200);
      expect(json.body.deliverable.title).toBe(DELIVERABLE_TITLES[id]);
      expect(json.body.deliverable.blocks.length).toBeGreaterThan(0);
      const html = await ops('GET', `/api/runs/${run.runId}/documents/${id}?format=html`);
      expect(html.headers.get('content-type')).toMatch(/^text\/html/);
      expect(html.body).toContain(`<h1>${DELIVERABLE_TITLES[id]} — documents-browser</h1>`);
      const md = await ops('GET', `/api/runs/${run.runId}/documents/${id}?format=md`);
      expect(md.headers.get('content-type')).toMatch(/^text\/markdown/);
      expect(md.body).toMatch(new RegExp(`^# ${DELIVERABLE_TITLES[id]} — documents-browser\\n`));
      const pdf = await fetch(`${app().url}/api/runs/${run.runId}/documents/${id}?format=pdf`, {
        headers: { authorization: `Bearer ${app().credentials.ops!.token}` },
      });
      expect(pdf.headers.get('content-type')).toBe('application/pdf');
      expect(pdf.headers.get('content-disposition')).toBe(`inline; filename="${id}.pdf"`);
      const printed = await readPdf(new Uint8Array(await pdf.arrayBuffer()));
      expect(printed.text).toContain(`${DELIVERABLE_TITLES[id]} — documents-browser`);
      expect(printed.text).toContain('Riley Release');
    }
    const bad = await ops<{ error: string }>('GET', `/api/runs/${run.runId}/documents/go-live-plan?format=docx`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('format');
    // The same 404 as the web page: the name asked for, and the five there are.
    const unknown = await ops<{ error: { message: string } }>('GET', `/api/runs/${run.runId}/documents/press-release`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toBe(
      `no such document: "press-release"; the deliverables are ${DELIVERABLE_IDS.join(', ')}`,
    );
    expect((await apiAs(app(), 'user')('GET', `/api/runs/${run.runId}/documents/go-live-plan`)).status).toBe(404);
  });

  it(
    'the Gate 4 card shows the mode by name, the deadline, the figures, the sign-off and the draft dossier',
    { timeout: 120_000 },
    async () => {
      const open = await driveRejectedRun(app(), 'documents-gate4', 'signed, fine', 'unused', true);
      const sponsor = await as('sponsor');
      await sponsor.page.goto('/approvals');
      const card = sponsor.page.locator('form.decision').filter({ hasText: 'Gate 4' });
      await card.waitFor();
      const text = (await card.textContent()) ?? '';
      expect(text).toMatch(/Collaboration Mode\s*3 — /);
      expect(text).toContain('Decide by');
      expect(text).not.toContain('no deadline');
      expect(text).toMatch(/Figures this decision rests on \(\d+\)/);
      expect(text).toMatch(/Sign-offs before this one \(1\)/);
      expect(text).toContain('approved by Gita Guardian (guardian)');
      expect(text).toContain('“signed, fine”');
      await screenshot(sponsor.page, '35-gate-4-card');
      await card.getByRole('link', { name: 'read the draft dossier' }).click();
      await sponsor.page.waitForURL(`**/runs/${open.runId}/documents/compliance-dossier`);
      expect(await sponsor.page.locator('main').textContent()).toContain('DRAFT — run not finished');
      await sponsor.context.close();
    },
  );
});
