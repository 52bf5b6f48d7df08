import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, modelCardRunbook, untilStepOf, useExtraRunbooks, useTestApp } from '../support/app';
import { hasChromium, screenshot, useBrowser } from '../support/browser';

/**
 * A document's SHA-256 typed or pasted into an evidence form: Windows' Get-FileHash prints it in
 * upper case, sha256sum in lower case; both are the same digest and the form takes either,
 * recording it in lower case as the API stores it (the browser refused it before, with
 * "Please match the requested format").
 */

const RUNBOOK = 'web-evidence-hex';

describe.skipIf(!hasChromium)('evidence forms in a browser', () => {
  const runbooks = useExtraRunbooks(
    { beforeAll, afterAll },
    {
      [`${RUNBOOK}.yaml`]: modelCardRunbook(RUNBOOK),
    },
  );
  const app = useTestApp({ beforeAll, afterAll }, runbooks);
  const { as } = useBrowser({ beforeAll, afterAll }, app);

  it('takes an upper-case SHA-256 and records it in lower case', async () => {
    const started = await apiAs(app(), 'rm')('POST', '/api/runs', {
      runbook: RUNBOOK,
      system: 'evidence-hex',
      collaborationMode: 2,
    });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const runId = started.body.runId as string;
    await untilStepOf(app(), runId, 'validation-report', 'waiting');

    const ie = await as('ie');
    await ie.page.goto(`/runs/${encodeURIComponent(runId)}`);
    const card = ie.page.locator('#ev-validation-report-model-card-form');
    const sha = card.getByLabel('SHA-256 (hex)');
    await card.getByLabel('Document name').fill('model-card.md');
    const digest = createHash('sha256').update('model card v1').digest('hex');
    await sha.fill(digest.toUpperCase());
    await card.getByRole('button', { name: 'Submit' }).click();
    await expect
      .poll(() => ie.page.locator('#flash').textContent(), { timeout: 15_000 })
      .toBe('Evidence “Model card” sent.');
    const run = await apiAs(app(), 'ie')('GET', `/api/runs/${encodeURIComponent(runId)}`);
    const evidence = run.body.evidence as { stepId: string; itemId: string; value: { sha256: string } }[];
    expect(evidence.find((e) => e.itemId === 'model-card')!.value.sha256).toBe(digest);
    await screenshot(ie.page, 'evidence-upper-case-sha');
    await ie.context.close();
  });
});
