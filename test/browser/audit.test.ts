import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app';
import { ARTIFACTS_DIR, hasChromium, screenshot, useBrowser } from '../support/browser';
import { useRejectionRunbooks } from '../audit/support';
import { driveRejectedRun, type RejectedRun } from '../audit/webRun';

const XSS = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> signed off`;

/**
 * An operator reads the audit trail of a rejected run in the browser: filters by person, sees
 * the Guardian's comment as text, downloads the dossier and verifies it on the same page.
 */
describe.skipIf(!hasChromium)('the audit trail in a browser', () => {
  let run: RejectedRun;
  const app = useTestApp({ beforeAll, afterAll }, useRejectionRunbooks({ beforeAll, afterAll }));
  const { as } = useBrowser({ beforeAll, afterAll }, app);
  beforeAll(async () => {
    run = await driveRejectedRun(app(), 'audit-browser', XSS);
  }, 60_000);

  it('operator filters by person, reads the comment as text, downloads and verifies the dossier', async () => {
    const ops = await as('ops');
    const { page } = ops;
    let dialogs = 0;
    page.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });

    // From the run page, by its link.
    await page.goto(`/runs/${run.runId}`);
    await page.getByRole('link', { name: 'Audit trail' }).click();
    await page.waitForURL(`**/runs/${run.runId}/audit`);
    expect(await page.locator('tr[data-kind="compensation"]').count()).toBe(2);
    expect(await page.locator('section.refused tbody tr').count()).toBe(1);
    expect(await page.locator('section.refused').textContent()).toContain('NotAuthorized');
    const temporal = page.getByRole('link', { name: /Raw events in Temporal/ });
    expect(await temporal.getAttribute('href')).toMatch(
      new RegExp(`^http://127\\.0\\.0\\.1:8233/namespaces/default/workflows/${run.runId}/[0-9a-f-]+/history$`),
    );
    await screenshot(page, '10-audit-trail');

    // Filter by person with the keyboard alone: the GET form puts the filter in the URL.
    await page.getByLabel('Person').selectOption('guardian');
    await page.getByRole('button', { name: 'Filter' }).press('Enter');
    await page.waitForURL(/person=guardian/);
    // The person filter keeps what they did and the notifications sent to them.
    const actors = await page
      .locator('table.audit tbody tr[data-kind]:not([data-kind="notification"]) td[data-label="Who"]')
      .allTextContents();
    expect(actors.length).toBeGreaterThan(0);
    expect(actors.every((a) => a.startsWith('guardian'))).toBe(true);
    const decision = page.locator('tr[data-kind="decision"]');
    expect(await decision.count()).toBe(1);
    expect(await decision.locator('blockquote.comment').textContent()).toBe(XSS);
    expect(await page.locator('table.audit img, table.audit script').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined();
    expect(dialogs).toBe(0);
    expect(await page.locator('section.refused').textContent()).toContain('None for these filters');
    await screenshot(page, '11-audit-filtered-xss-as-text');

    // Hashes are short on screen, whole in the tooltip.
    const head = page.locator('.facts .hash code').last();
    expect(await head.textContent()).toMatch(/^[0-9a-f]{12}…$/);
    expect(await head.getAttribute('title')).toMatch(/^[0-9a-f]{64}$/);

    // Download the dossier, then verify it with the form on the page.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download dossier' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`dossier-${run.runId}.zip`);
    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
    const zipPath = path.join(ARTIFACTS_DIR, download.suggestedFilename());
    await download.saveAs(zipPath);
    expect(fs.statSync(zipPath).size).toBeGreaterThan(1000);
    await page.getByLabel('Dossier zip').setInputFiles(zipPath);
    await page.getByRole('button', { name: 'Verify' }).click();
    const verdict = page.locator('form[data-upload] .form-status');
    await expect.poll(() => verdict.textContent(), { timeout: 30_000 }).toContain('Verified'); // a verification queues behind others on a busy machine
    expect(await verdict.getAttribute('class')).toContain('ok');
    // The page showed the manifest SHA-256 when the zip was saved: the one verify reports.
    const shown = /Manifest SHA-256: ([0-9a-f]{64})/.exec(
      (await page.locator('#dossier-anchor').textContent()) ?? '',
    )?.[1];
    expect(shown).toMatch(/^[0-9a-f]{64}$/);
    expect(await verdict.textContent()).toContain(`Manifest SHA-256 ${shown}`);
    await screenshot(page, '12-dossier-verified');

    // A phone-width look at the same page.
    const phone = await as('ops', { width: 390, height: 844 });
    await phone.page.goto(`/runs/${run.runId}/audit?kind=decision`);
    expect(await phone.page.locator('tr[data-kind="decision"]').count()).toBe(2);
    const overflow = await phone.page.evaluate(() => {
      const root = (
        globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }
      ).document.documentElement;
      return root.scrollWidth - root.clientWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(phone.page, '13-audit-phone');

    // Someone without a role in the run hears there is no such run, not the trail.
    const outsider = await as('user');
    const res = await outsider.page.goto(`/runs/${run.runId}/audit`);
    expect(res?.status()).toBe(404);
    expect(await outsider.page.locator('main').textContent()).toContain(`no run with id ${run.runId}`);

    for (const c of [ops, phone, outsider]) await c.context.close();
  });
});
