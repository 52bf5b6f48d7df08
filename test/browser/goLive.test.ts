import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { apiAs, modelCardRunbook, SMALL_RUNBOOK, useExtraRunbooks, useTestApp } from '../support/app';
import { hasChromium, screenshot, useBrowser } from '../support/browser';

const XSS = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> looks fine`;

const DOCS_RUNBOOK = 'web-docs';

describe.skipIf(!hasChromium)('the go-live in a browser', () => {
  const runbooks = useExtraRunbooks(
    { beforeAll, afterAll },
    {
      [`${DOCS_RUNBOOK}.yaml`]: modelCardRunbook(DOCS_RUNBOOK),
    },
  );
  const app = useTestApp({ beforeAll, afterAll }, runbooks);
  const { as } = useBrowser({ beforeAll, afterAll }, app);

  const stepStatus = (page: Page, stepId: string) => page.locator(`#step-${stepId}`).getAttribute('data-status');

  const api = (who: string) => apiAs(app(), who);

  it('release manager starts, Guardian approves, end user presses the Red Button; a comment stays text', async () => {
    // Release manager starts a run from the form.
    const rm = await as('rm');
    const form = rm.page.locator('form.start-form');
    await form.getByLabel('Runbook').selectOption(SMALL_RUNBOOK);
    // Nothing typed: a summary at the top links to the field, which says what is wrong.
    await rm.page.getByRole('button', { name: 'Start the run' }).click();
    await expect
      .poll(() => form.locator('.error-summary a').textContent(), { timeout: 10_000 })
      .toBe('System: required');
    expect(await rm.page.evaluate('document.activeElement?.id')).toBe('system');
    expect(await form.getByLabel('System').getAttribute('aria-invalid')).toBe('true');
    await screenshot(rm.page, '00-start-form-errors');
    await form.getByLabel('System').fill('browser-bot');
    expect(await form.locator('.error-summary').count()).toBe(0);
    // A person unknown here: the summary names the field by its label, without its help text.
    const guardianField = form.locator('#a-web-small-guardian');
    const guardians = await guardianField.inputValue();
    await guardianField.fill(`${guardians}, mallory`);
    await rm.page.getByRole('button', { name: 'Start the run' }).click();
    await expect
      .poll(() => form.locator('.error-summary a').textContent(), { timeout: 10_000 })
      .toBe('Guardian: no person "mallory" in the users file');
    await guardianField.fill(guardians);
    await screenshot(rm.page, '01-start-form');
    await rm.page.getByRole('button', { name: 'Start the run' }).click();
    await rm.page.waitForURL(/\/runs\/golive-browser-bot-/);
    const runPath = new URL(rm.page.url()).pathname;
    await expect.poll(() => stepStatus(rm.page, 'validation-report'), { timeout: 15_000 }).toBe('waiting');
    await screenshot(rm.page, '02-run-started');
    // The initiator sees no decision form for their own run.
    expect(await rm.page.getByRole('button', { name: 'Approve' }).count()).toBe(0);

    // The implementation engineer submits the evidence.
    const ie = await as('ie');
    await ie.page.goto(runPath);
    await ie.page.getByLabel(/^Value \(number/).fill('97.5');
    await ie.page.getByRole('button', { name: 'Submit' }).first().click();
    await expect.poll(() => stepStatus(ie.page, 'guardian-sign-off'), { timeout: 15_000 }).toBe('waiting');

    // The Guardian finds it under My approvals (visibility lags a little) and approves.
    const guardian = await as('guardian', { width: 390, height: 844 });
    await expect
      .poll(
        async () => {
          await guardian.page.goto('/approvals');
          return guardian.page.getByRole('button', { name: 'Approve' }).count();
        },
        { timeout: 20_000, interval: 500 },
      )
      .toBe(1);
    await screenshot(guardian.page, '03-my-approvals-phone');
    let dialogs = 0;
    guardian.page.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    await guardian.page.getByLabel(/^Comment/).fill(XSS);
    await guardian.page.getByRole('button', { name: 'Approve' }).click();
    await expect
      .poll(() => guardian.page.locator('#flash').textContent(), { timeout: 15_000 })
      .toBe('Approved “Guardian signs off human oversight”.');
    await guardian.page.goto(runPath);
    await expect.poll(() => stepStatus(guardian.page, 'guardian-sign-off'), { timeout: 15_000 }).toBe('completed');
    await expect.poll(() => stepStatus(guardian.page, 'hypercare'), { timeout: 15_000 }).toBe('running');
    const comment = guardian.page.locator('#step-guardian-sign-off blockquote.comment');
    expect(await comment.textContent()).toBe(XSS);
    expect(await guardian.page.locator('#step-guardian-sign-off img').count()).toBe(0);
    expect(await guardian.page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined();
    expect(dialogs).toBe(0);
    await screenshot(guardian.page, '04-approved-xss-as-text');

    // The release manager's page advances by itself (polling).
    await expect.poll(() => stepStatus(rm.page, 'guardian-sign-off'), { timeout: 15_000 }).toBe('completed');

    // An end user presses the Red Button.
    const user = await as('user', { width: 390, height: 844 });
    await user.page.goto(runPath);
    // On a phone the Red Button comes before the long timeline.
    const rb = await user.page.locator('#rb-h').boundingBox();
    const timeline = await user.page.locator('#timeline-h').boundingBox();
    expect(rb && timeline && rb.y < timeline.y).toBe(true);
    await user.page.getByLabel('Severity').selectOption('high');
    await user.page
      .getByLabel('What did the AI get wrong?')
      .fill('It told a customer their claim was approved; it was not.');
    await user.page.getByRole('button', { name: 'Report AI error' }).click();
    await expect
      .poll(() => user.page.locator('#flash').textContent(), { timeout: 15_000 })
      .toContain('Report sent. Thank you.');
    await expect.poll(() => user.page.locator('.reports li').count(), { timeout: 15_000 }).toBe(1);
    expect(await user.page.locator('.reports li').first().textContent()).toContain('by Uma User');
    await screenshot(user.page, '05-red-button-phone');

    // Anonymously: the receipt is shown beside the form, explained, and stays through refreshes.
    await user.page.getByLabel('What did the AI get wrong?').fill('It invented a refund policy.');
    await user.page.getByLabel('Report anonymously').check();
    await user.page.getByRole('button', { name: 'Report AI error' }).click();
    const receipt = user.page.locator('#rb-receipt');
    await expect.poll(() => receipt.isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await receipt.textContent()).toContain('Keep this receipt');
    expect((await receipt.locator('code').textContent())?.length).toBeGreaterThan(16);
    await expect.poll(() => user.page.locator('.reports > li').count(), { timeout: 15_000 }).toBe(2);
    // The receipt says where the answer will be, and that place is on the page under that name.
    expect(await receipt.textContent()).toContain("appears under Red Button reports on this run's page");
    expect(await user.page.locator('#reports-h').textContent()).toMatch(/^Red Button reports /);
    await user.page.waitForTimeout(3000);
    expect(await receipt.isVisible()).toBe(true);
    await screenshot(user.page, '06-anonymous-receipt-phone');

    // Operations answers reports: the run page says how many are open, at the top, and lists
    // them before the timeline; My approvals lists each with its deadline and the resolve form.
    const ops = await as('ops');
    await ops.page.goto(runPath);
    const banner = ops.page.locator('.reports-banner');
    expect(await banner.textContent()).toBe('2 open reports');
    expect(await banner.locator('a').getAttribute('href')).toBe('#reports-h');
    const reportsBox = await ops.page.locator('#reports-h').boundingBox();
    const opsTimeline = await ops.page.locator('#timeline-h').boundingBox();
    expect(reportsBox && opsTimeline && reportsBox.y < opsTimeline.y).toBe(true);
    await screenshot(ops.page, '06b-open-reports-banner');
    await ops.page.goto('/approvals');
    const cards = ops.page.locator('.report-card');
    expect(await cards.count()).toBe(2);
    const refundCard = cards.filter({ hasText: 'It invented a refund policy.' });
    expect(await refundCard.locator('.report-timing').textContent()).toContain('response due');
    await screenshot(ops.page, '06c-my-approvals-reports');
    await refundCard.getByLabel('Resolution').fill('Refund answers now come from the policy page only.');
    await refundCard.getByRole('button', { name: 'Resolve' }).click();
    await expect.poll(() => ops.page.locator('#flash').textContent(), { timeout: 15_000 }).toContain('Report resolved');
    await expect.poll(() => ops.page.locator('.report-card').count(), { timeout: 15_000 }).toBe(1);
    expect(
      (await api('rm')('GET', `/api${runPath}`)).body.reports.filter((r: { status: string }) => r.status === 'open'),
    ).toHaveLength(1);
    await ops.page.goto(runPath);
    expect(await banner.textContent()).toBe('1 open report');

    for (const c of [rm, ie, guardian, user, ops]) await c.context.close();
  });

  it('forms only for who may use them; errors that stay and name the field; live diagram; long text; stop asks twice', async () => {
    const started = await api('rm')('POST', '/api/runs', {
      runbook: DOCS_RUNBOOK,
      system: 'browser-rules',
      collaborationMode: 2,
    });
    expect(started.status).toBe(201);
    const runPath = `/runs/${encodeURIComponent(started.body.runId)}`;
    const apiPath = `/api${runPath}`;

    // The sponsor holds no role that submits the accuracy: no form, but who it waits for.
    const sponsor = await as('sponsor');
    await sponsor.page.goto(runPath);
    await expect.poll(() => stepStatus(sponsor.page, 'validation-report'), { timeout: 15_000 }).toBe('waiting');
    expect(await sponsor.page.locator('form[data-api$="/evidence"]').count()).toBe(0);
    expect(await sponsor.page.locator('#step-validation-report').textContent()).toContain(
      'waits for Implementation Engineer (Ines Engineer)',
    );
    const node = sponsor.page.locator('.node[data-node="guardian-sign-off"]');
    expect(await node.getAttribute('class')).toContain('status-pending');

    // The engineer's forms say who may submit them; a document's SHA-256 is computed from the
    // picked file in the browser, and its http(s) link becomes a safe link.
    const ie = await as('ie');
    await ie.page.goto(runPath);
    expect(await ie.page.locator('#ev-validation-report-accuracy-form .who-may').textContent()).toBe(
      'Submitted by: Implementation Engineer',
    );
    const card = ie.page.locator('#ev-validation-report-model-card-form');
    expect(await card.locator('.who-may').textContent()).toBe('Submitted by: Implementation Engineer or Operations');
    await card
      .locator('input[type=file]')
      .setInputFiles({ name: 'model-card.md', mimeType: 'text/markdown', buffer: Buffer.from('hello') });
    const sha = card.getByLabel('SHA-256 (hex)');
    await expect
      .poll(() => sha.inputValue(), { timeout: 5000 })
      .toBe('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    expect(await card.getByLabel('Document name').inputValue()).toBe('model-card.md');
    // A link the workflow refuses is marked at its field.
    const linkField = card.getByLabel('Link to the document (optional)');
    await linkField.fill('javascript:alert(1)');
    await card.getByRole('button', { name: 'Submit' }).click();
    await expect.poll(() => linkField.getAttribute('aria-invalid'), { timeout: 10_000 }).toBe('true');
    expect(await ie.page.locator('#ev-validation-report-model-card-url-error').textContent()).toBe(
      'must be an http(s) link',
    );
    await screenshot(ie.page, '06d-evidence-link-error');
    await linkField.fill('https://example.com/card?v=1');
    await card.getByRole('button', { name: 'Submit' }).click();
    const link = ie.page.locator('#step-validation-report .records.evidence a[href="https://example.com/card?v=1"]');
    await expect.poll(() => link.count(), { timeout: 15_000 }).toBe(1);
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    await expect.poll(() => ie.page.evaluate('document.activeElement?.id'), { timeout: 5000 }).toBe('flash');

    // Evidence with a 3000-character note without spaces arrives; the sponsor's diagram and
    // header follow without a reload.
    const note = 'x'.repeat(3000);
    expect(
      (await api('ie')('POST', `${apiPath}/steps/validation-report/evidence`, { itemId: 'accuracy', value: 97, note }))
        .status,
    ).toBe(200);
    await expect.poll(() => node.getAttribute('class'), { timeout: 15_000 }).toContain('status-waiting');
    expect(await sponsor.page.locator('.run-head [data-duration]').count()).toBe(1);

    // Long text never widens the page (run page, My approvals, audit trail; phone and laptop).
    const guardian = await as('guardian', { width: 390, height: 844 });
    const fits = async (page: Page, path: string) => {
      await page.goto(path);
      await page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })"); // folded notes too
      const [scroll, inner] = (await page.evaluate('[document.documentElement.scrollWidth, window.innerWidth]')) as [
        number,
        number,
      ];
      expect(scroll, `${path} at ${inner}px`).toBeLessThanOrEqual(inner);
    };
    for (const path of [runPath, '/approvals', `${runPath}/audit`]) await fits(guardian.page, path);
    for (const path of [runPath, `${runPath}/audit`]) await fits(sponsor.page, path);
    await screenshot(sponsor.page, '07-long-note-audit');
    await guardian.page.goto(runPath);
    await screenshot(guardian.page, '08-long-note-phone');
    // On a phone the diagram is wider than its box and says it scrolls.
    expect(await guardian.page.locator('.diagram[data-overflows] .scroll-hint').isVisible()).toBe(true);

    // Reject without a comment: the error names the comment, sits next to it, and outlives a refresh.
    await guardian.page.setViewportSize({ width: 1280, height: 900 });
    const commentBox = guardian.page.locator('#decide-guardian-sign-off-comment');
    await commentBox.fill('   ');
    await guardian.page.getByRole('button', { name: 'Reject' }).click();
    const fieldError = guardian.page.locator('#decide-guardian-sign-off-comment-error');
    await expect.poll(() => fieldError.textContent(), { timeout: 10_000 }).toBe('a rejection needs a comment');
    expect(await commentBox.getAttribute('aria-invalid')).toBe('true');
    expect(await commentBox.getAttribute('aria-describedby')).toContain('decide-guardian-sign-off-comment-error');
    expect(await guardian.page.evaluate('document.activeElement?.id')).toBe('decide-guardian-sign-off-comment');
    await guardian.page.locator('#flash').focus(); // focus elsewhere: the error must still survive the poll
    await guardian.page.waitForTimeout(3500);
    expect(await fieldError.isVisible()).toBe(true);
    await screenshot(guardian.page, '09-reject-needs-comment');
    await commentBox.fill('fine after all');
    expect(await fieldError.count()).toBe(0);
    expect(await guardian.page.locator('#decide-guardian-sign-off-form .form-status').textContent()).toBe('');

    // Stopping the line needs a reason (said at the field), then asks a second time.
    await guardian.page.getByRole('button', { name: 'Stop the line…' }).click();
    expect(await guardian.page.locator('#stop-reason-error').textContent()).toBe('required');
    expect(await guardian.page.getByLabel('Why stop the line?').getAttribute('aria-invalid')).toBe('true');
    expect(await guardian.page.getByRole('button', { name: 'Yes, stop the line and roll back' }).isVisible()).toBe(
      false,
    );
    await guardian.page.getByLabel('Why stop the line?').fill('drill: the oversight protocol changed');
    await guardian.page.getByRole('button', { name: 'Stop the line…' }).click();
    const yes = guardian.page.getByRole('button', { name: 'Yes, stop the line and roll back' });
    expect(await yes.isVisible()).toBe(true);
    expect(await guardian.page.evaluate('document.activeElement?.textContent')).toBe(
      'Yes, stop the line and roll back',
    );
    await screenshot(guardian.page, '10-stop-confirm');
    await guardian.page.waitForTimeout(500);
    expect((await api('rm')('GET', apiPath)).body.status).toBe('waiting');
    await yes.click();
    await expect
      .poll(async () => (await api('rm')('GET', apiPath)).body.status, { timeout: 15_000 })
      .not.toBe('waiting');
    // Focus went to the outcome, not BODY, which says what happened.
    await expect.poll(() => guardian.page.evaluate('document.activeElement?.id'), { timeout: 5000 }).toBe('flash');
    expect(await guardian.page.locator('#flash').textContent()).toBe('Line stopped: rolling back.');
    // Screen readers hear the new status once, in the words the page carries (src/contract/runStatus.ts).
    await expect
      .poll(() => guardian.page.locator('#live-note').textContent(), { timeout: 15_000 })
      .toMatch(/^The run is now (rolling back|rolled back)\.$/);

    // An unknown page looks like the app, with a way back.
    await sponsor.page.setViewportSize({ width: 390, height: 844 });
    expect((await sponsor.page.goto('/no-such-page'))?.status()).toBe(404);
    expect(await sponsor.page.getByRole('heading', { name: 'Not found' }).count()).toBe(1);
    await screenshot(sponsor.page, '11-not-found-phone');

    for (const c of [sponsor, ie, guardian]) await c.context.close();
  });
});
