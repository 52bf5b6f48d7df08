import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { apiAs, SMALL_RUNBOOK, untilStepOf, useTestApp } from '../support/app';
import { hasChromium, screenshot, useBrowser } from '../support/browser';

/**
 * The runs list says who a run waits for by the names the rest of the UI uses (role titles,
 * people's names; ids in the tooltip).
 */
describe.skipIf(!hasChromium)('the runs list in a browser', () => {
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
});
