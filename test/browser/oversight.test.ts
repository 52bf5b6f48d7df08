import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { oversightScheduleId } from '../../src/contract/reviewDefinitions';
import { OVERSIGHT_RUNBOOK, oversightRunbookYaml } from '../fixtures/oversight-runbook';
import { apiAs, eventually, useExtraRunbooks, useTestApp } from '../support/app';
import { hasChromium, useBrowser } from '../support/browser';
import { testClient } from '../support/temporal';

/** The Guardian records a scheduled review in the browser; its finding raises a Red Button report on the run. */
describe.skipIf(!hasChromium)('scheduled oversight in a browser', () => {
  const runbooks = useExtraRunbooks({ beforeAll, afterAll }, { 'web-oversight.yaml': oversightRunbookYaml });
  const app = useTestApp({ beforeAll, afterAll }, runbooks);
  const { as } = useBrowser({ beforeAll, afterAll }, app);
  let client: Client;
  beforeAll(async () => {
    client = await testClient();
  });
  afterAll(async () => {
    await client.connection.close();
  });

  it('from the run page to the review form; the recorded review and its report show', async () => {
    const api = apiAs(app(), 'rm');
    const runId = (
      await api('POST', '/api/runs', { runbook: OVERSIGHT_RUNBOOK, system: 'oversight-ui', collaborationMode: 4 })
    ).body.runId as string;
    await eventually(
      async () => ((await api('GET', `/api/runs/${runId}/oversight`)).body.state === 'active' ? true : undefined),
      'the schedules',
    );
    await client.schedule.getHandle(oversightScheduleId(runId, 'weekly-sample')).trigger();
    await eventually(
      async () => ((await api('GET', `/api/runs/${runId}/oversight`)).body.reviews.length > 0 ? true : undefined),
      'the fired review',
    );

    const { page } = await as('guardian');
    await page.goto(`/runs/${runId}`);
    await page.getByRole('link', { name: 'Oversight', exact: true }).click();
    await page.waitForURL(`**/runs/${runId}/oversight`);
    expect(await page.locator('#sched-h + table').textContent()).toContain('weekly-sample');
    await page.getByRole('link', { name: 'Sample 25 AI decisions' }).click();
    await page.getByLabel('Of those, overridden').fill('4');
    await page.getByLabel('What was wrong').fill('A refund above the limit was approved');
    await page.getByLabel('Severity').selectOption('high');
    await page.getByLabel('Raise it as a Red Button report on the run').check();
    await page.getByRole('button', { name: 'Record review' }).click();
    // The page shows the recorded review in place of the form, without a reload.
    await page.locator('#done-h').waitFor();
    expect(await page.locator('#done-h').textContent()).toContain('Review by');
    expect(await page.locator('#review-form').count()).toBe(0);
    expect(await page.locator('main').textContent()).toContain('overrode 4');

    const run = (await api('GET', `/api/runs/${runId}`)).body;
    expect((run.state ?? run).reports).toMatchObject([{ id: 'R1', reporter: 'guardian', severity: 'high' }]);
    await client.schedule.getHandle(oversightScheduleId(runId, 'weekly-sample')).delete();
  }, 120_000);
});
