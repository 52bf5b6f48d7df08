import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hypercareRunbookYaml } from '../fixtures/oversight-runbook';
import { apiAs, eventually, useExtraRunbooks, useTestApp } from '../support/app';
import { hasChromium, screenshot, useBrowser } from '../support/browser';

/**
 * A run in hypercare as the people who read it see it in a browser: an auditor reads it and acts
 * on none of it, so nothing on the page offers them an action (not even a link to one); the
 * dossier's download tells the reader a command that works on the file they saved (the zip).
 */

const tag = randomUUID().slice(0, 6);
const RUNBOOK = `reader-${tag}`;

describe.skipIf(!hasChromium)('a run in hypercare, read in a browser', () => {
  const runbooks = useExtraRunbooks(
    { beforeAll, afterAll },
    { [`${RUNBOOK}.yaml`]: hypercareRunbookYaml(RUNBOOK, '30m') },
  );
  const app = useTestApp({ beforeAll, afterAll }, runbooks);
  const { as } = useBrowser({ beforeAll, afterAll }, app);
  const api = (who: string) => apiAs(app(), who);
  let runPath = '';

  beforeAll(async () => {
    const res = await api('rm')('POST', '/api/runs', {
      runbook: RUNBOOK,
      system: `reader-${tag}`,
      collaborationMode: 2,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const runId = res.body.runId as string;
    await eventually(
      async () => ((await api('rm')('GET', `/api/runs/${runId}`)).body.status === 'hypercare' ? true : undefined),
      'the run in hypercare',
    );
    runPath = `/runs/${encodeURIComponent(runId)}`;
  }, 60_000);

  it('offers the auditor no "Report an AI error" link, and the end user one that leads to the form', async () => {
    const auditor = await as('auditor');
    await auditor.page.goto(runPath);
    expect(await auditor.page.locator('#rb-h').textContent()).toBe('Red Button');
    expect(await auditor.page.getByRole('link', { name: 'Report an AI error' }).count()).toBe(0);
    expect(await auditor.page.locator('main form').count()).toBe(0);
    await screenshot(auditor.page, 'reader-auditor-hypercare');

    const user = await as('user');
    await user.page.goto(runPath);
    await user.page.getByRole('link', { name: 'Report an AI error' }).click();
    expect(await user.page.locator('#rb-form').isVisible()).toBe(true);
    for (const c of [auditor, user]) await c.context.close();
  });

  it('names the saved zip in the verify command shown after a dossier download', async () => {
    const auditor = await as('auditor');
    await auditor.page.goto(runPath);
    const [download] = await Promise.all([
      auditor.page.waitForEvent('download'),
      auditor.page.getByRole('link', { name: 'Download dossier' }).click(),
    ]);
    const saved = download.suggestedFilename();
    expect(saved).toMatch(/\.zip$/);
    const anchor = auditor.page.locator('#dossier-anchor');
    await expect.poll(() => anchor.textContent(), { timeout: 30_000 }).toContain('--expect-manifest');
    expect(await anchor.textContent()).toMatch(
      new RegExp(`golive verify ${saved.replace(/\./g, '\\.')} --expect-manifest [0-9a-f]{64}`),
    );
    await auditor.context.close();
  });
});
