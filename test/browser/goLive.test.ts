import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { SMALL_RUNBOOK, useTestApp } from '../support/app';
import { hasChromium, screenshot, useBrowser } from '../support/browser';

const XSS = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> looks fine`;

describe.skipIf(!hasChromium)('the go-live in a browser', () => {
  const app = useTestApp({ beforeAll, afterAll });
  const { as } = useBrowser({ beforeAll, afterAll }, app);

  const stepStatus = (page: Page, stepId: string) => page.locator(`#step-${stepId}`).getAttribute('data-status');

  it('release manager starts, Guardian approves, end user presses the Red Button; a comment stays text', async () => {
    // Release manager starts a run from the form.
    const rm = await as('rm');
    const form = rm.page.locator('form.start-form');
    await form.getByLabel('Runbook').selectOption(SMALL_RUNBOOK);
    await form.getByLabel('System').fill('browser-bot');
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
    const user = await as('user');
    await user.page.goto(runPath);
    await user.page.getByLabel('Severity').selectOption('high');
    await user.page.getByLabel('What did the AI get wrong?').fill('It told a customer their claim was approved; it was not.');
    await user.page.getByRole('button', { name: 'Report AI error' }).click();
    await expect.poll(() => user.page.locator('#flash').textContent(), { timeout: 15_000 }).toContain('Report sent. Thank you.');
    await expect.poll(() => user.page.locator('.reports li').count(), { timeout: 15_000 }).toBe(1);
    expect(await user.page.locator('.reports li').first().textContent()).toContain('by user');
    await screenshot(user.page, '05-red-button');

    for (const c of [rm, ie, guardian, user]) await c.context.close();
  });
});
