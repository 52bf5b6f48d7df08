import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { apiAs, eventually, SMALL_RUNBOOK, untilStepOf, useTestApp } from '../support/app';
import { hasChromium, screenshot, useBrowser } from '../support/browser';

/**
 * The runs list says who a run waits for by the names the rest of the UI uses (role titles,
 * people's names; ids in the tooltip), and a rejection asks first, as stopping the line does:
 * it rolls back every completed step.
 */
describe.skipIf(!hasChromium)('the runs list and a rejection in a browser', () => {
  const app = useTestApp({ beforeAll, afterAll });
  const { as } = useBrowser({ beforeAll, afterAll }, app);
  const api = (who: string) => apiAs(app(), who);
  /** A run of the small runbook, started by the release manager: its id and system. */
  const startRun = async (prefix: string) => {
    const system = `${prefix}-${Date.now().toString(36)}`;
    const started = await api('rm')('POST', '/api/runs', { runbook: SMALL_RUNBOOK, system, collaborationMode: 2 });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    return { runId: started.body.runId as string, system };
  };

  /** The engineer's evidence: the run then waits for the Guardian's sign-off. */
  const submitAccuracy = async (runId: string) => {
    const sent = await api('ie')('POST', `/api/runs/${runId}/steps/validation-report/evidence`, {
      itemId: 'accuracy',
      value: 97,
    });
    expect(sent.status).toBe(200);
    await untilStepOf(app(), runId, 'guardian-sign-off', 'waiting');
  };

  /** The run's Waits for cell on the runs list, once it says `expected` (the list follows the run). */
  const waitsForCell = async (page: Page, run: { runId: string; system: string }, expected: string) => {
    const cell = page
      .locator('table.runs tbody tr')
      .filter({ hasText: run.runId })
      .locator('td[data-label="Waits for"]');
    await expect
      .poll(
        async () => {
          await page.goto(`/runs?system=${run.system}`);
          return (await cell.count()) ? cell.textContent() : undefined;
        },
        { timeout: 20_000, interval: 500 },
      )
      .toBe(expected);
    return cell;
  };

  it('Waits for says role titles and people by name, their ids as tooltips', async () => {
    const run = await startRun('names');
    const rm = await as('rm');
    const evidence = await waitsForCell(rm.page, run, 'Implementation Engineer: Ines Engineer');
    expect(await evidence.locator('span[title="implementation-engineer"]').textContent()).toBe(
      'Implementation Engineer',
    );
    expect(await evidence.locator('span[title="ie"]').textContent()).toBe('Ines Engineer');

    await submitAccuracy(run.runId);
    const approval = await waitsForCell(rm.page, run, 'Guardian: Gita Guardian, Gus Guardian');
    // Ids only in tooltips: the role's id and each person's.
    expect(await approval.locator('span[title="guardian"]').allTextContents()).toEqual(['Guardian', 'Gita Guardian']);
    expect(await approval.locator('span[title="guardian2"]').textContent()).toBe('Gus Guardian');
    await screenshot(rm.page, '40-runs-waits-for-names');
    await rm.context.close();
  });

  it('the run page names roles by title and people by name, their ids as tooltips', async () => {
    const { runId } = await startRun('run-names');
    const rm = await as('rm');
    const { page } = rm;
    const step = (id: string) => page.locator(`#step-${id}`);
    /** The run page, reloaded until `step` says `expected` (the page follows the run). */
    const untilSays = async (id: string, expected: string) => {
      await expect
        .poll(
          async () => {
            await page.goto(`/runs/${runId}`);
            return step(id).textContent();
          },
          { timeout: 20_000, interval: 500 },
        )
        .toContain(expected);
      return step(id);
    };

    // An evidence item waits for the role's title and its people's names.
    const item = await untilSays('validation-report', 'waits for Implementation Engineer (Ines Engineer)');
    expect(await item.locator('.items span[title="implementation-engineer"]').textContent()).toBe(
      'Implementation Engineer',
    );
    expect(await item.locator('.items span[title="ie"]').textContent()).toBe('Ines Engineer');
    expect(await page.locator('.run-status span[title="implementation-engineer"]').textContent()).toBe(
      'Implementation Engineer',
    );

    // Evidence says who sent it; an approval its progress and who it waits for, by name.
    await submitAccuracy(runId);
    const gate = await untilSays('guardian-sign-off', 'Waiting for Guardian (Gita Guardian, Gus Guardian)');
    expect(await gate.textContent()).toContain('Guardian: 0/1 approved');
    expect(await gate.locator('span[title="guardian"]').allTextContents()).toEqual([
      'Guardian',
      'Guardian',
      'Gita Guardian',
    ]);
    expect(await gate.locator('span[title="guardian2"]').textContent()).toBe('Gus Guardian');
    expect(await step('validation-report').locator('.records.evidence').textContent()).toContain('by Ines Engineer');
    expect(await step('validation-report').locator('.records.evidence span[title="ie"]').textContent()).toBe(
      'Ines Engineer',
    );

    // The Guardian's card: the evidence it covers, by the sender's name.
    const guardian = await as('guardian');
    await guardian.page.goto(`/runs/${runId}`);
    const card = guardian.page.locator('#decide-guardian-sign-off-form');
    expect(await card.locator('.records').textContent()).toContain('by Ines Engineer');
    expect(await card.locator('.records span[title="ie"]').textContent()).toBe('Ines Engineer');
    await guardian.context.close();

    // A decision: who decided, in which role, by name; the progress names who approved.
    const decided = await api('guardian')('POST', `/api/runs/${runId}/steps/guardian-sign-off/decisions`, {
      decision: 'approve',
      comment: 'oversight plan fits',
    });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    const done = await untilSays('guardian-sign-off', 'approve by Gita Guardian as Guardian');
    expect(await done.textContent()).toContain('Guardian: 1/1 approved (Gita Guardian)');
    expect(await done.locator('.records.decisions span[title="guardian"]').allTextContents()).toEqual([
      'Gita Guardian',
      'Guardian',
    ]);
    await screenshot(page, '42-run-page-names');
    // Display only: the API still says ids.
    const state = (await api('rm')('GET', `/api/runs/${runId}`)).body;
    expect(state.decisions).toMatchObject([{ actor: { id: 'guardian' }, role: 'guardian' }]);
    await rm.context.close();
  });

  it('Reject asks first; Cancel sends nothing; Yes rejects and the run rolls back', async () => {
    const { runId } = await startRun('reject');
    await submitAccuracy(runId);
    const guardian = await as('guardian');
    const { page } = guardian;
    await page.goto(`/runs/${runId}`);
    const form = page.locator('#decide-guardian-sign-off-form');
    await form.getByLabel(/^Comment/).fill('the oversight plan names nobody for nights');
    const yes = form.getByRole('button', { name: 'Yes, reject and roll back' });
    expect(await yes.isVisible()).toBe(false);

    await form.getByRole('button', { name: 'Reject…' }).click();
    expect(await yes.isVisible()).toBe(true);
    expect(await form.locator('.confirm').textContent()).toContain('Rejecting rolls back every step');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Yes, reject and roll back');
    await screenshot(page, '41-reject-confirm');
    // The question alone decides nothing, also after the page's next refresh.
    await page.waitForTimeout(3500);
    expect(await yes.isVisible()).toBe(true);
    expect((await api('rm')('GET', `/api/runs/${runId}`)).body.status).toBe('waiting');

    // Cancel closes the question and goes back to the button that asked it.
    await form.getByRole('button', { name: 'Cancel' }).click();
    expect(await yes.isVisible()).toBe(false);
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Reject…');
    expect((await api('rm')('GET', `/api/runs/${runId}`)).body.decisions).toEqual([]);

    await form.getByRole('button', { name: 'Reject…' }).click();
    await yes.click();
    await expect
      .poll(() => page.locator('#flash').textContent(), { timeout: 15_000 })
      .toBe('Rejected “Guardian signs off human oversight”: the run rolls back.');
    const state = await eventually(async () => {
      const s = (await api('rm')('GET', `/api/runs/${runId}`)).body;
      return s.failure ? s : undefined;
    }, 'the rejection to end the run');
    expect(state.failure).toMatchObject({ kind: 'rejected', stepId: 'guardian-sign-off' });
    // The page says who rejected by name, the id as its tooltip.
    await page.goto(`/runs/${runId}`);
    expect(await page.locator('.failure span[title="guardian"]').textContent()).toBe('Gita Guardian');
    expect(state.decisions).toMatchObject([
      { decision: 'reject', comment: 'the oversight plan names nobody for nights', actor: { id: 'guardian' } },
    ]);
    await guardian.context.close();
  });
});
