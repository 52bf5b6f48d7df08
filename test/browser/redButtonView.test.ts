import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hypercareRunbookYaml } from '../fixtures/oversight-runbook';
import { apiAs, eventually, useExtraRunbooks, useTestApp } from '../support/app';
import { hasChromium, useBrowser } from '../support/browser';
import { testClient } from '../support/temporal';
import { buildAuditTrail, dossierFilesOf } from '../../src/audit';
import { verifyDossierFiles } from '../../src/audit/verify';
import { GO_LIVE_WORKFLOW } from '../../src/contract/definitions';
import { initiatorKey, reachedHypercareKey, runbookKey, systemKey } from '../../src/contract/searchAttributes';

/**
 * The Red Button across runs in a browser: three runs of three systems (two runbooks: one with a
 * 30-minute response deadline, one with 1 s so reports can be overdue), reports answered in
 * time, late, or not at all, some anonymous. The page's figures are checked against values
 * worked out by hand from what the test did, and the durations from the runs' own timestamps.
 * No timing is asserted: a "late" answer is sent only after the run escalated the report.
 */

const tag = randomUUID().slice(0, 6);
const SLOW = `rbv-slow-${tag}`;
const FAST = `rbv-fast-${tag}`;
type Report = {
  id: string;
  at: string;
  status: string;
  escalationLevel: number;
  resolution?: { at: string };
  acknowledgement?: { at: string };
};

describe.skipIf(!hasChromium)('the Red Button across runs in a browser', () => {
  const runbooks = useExtraRunbooks(
    { beforeAll, afterAll },
    { [`${SLOW}.yaml`]: hypercareRunbookYaml(SLOW, '30m'), [`${FAST}.yaml`]: hypercareRunbookYaml(FAST, '1s') },
  );
  const app = useTestApp({ beforeAll, afterAll }, runbooks);
  const { as } = useBrowser({ beforeAll, afterAll }, app);
  const api = (who: string) => apiAs(app(), who);

  async function liveRun(runbook: string, system: string): Promise<string> {
    const res = await api('rm')('POST', '/api/runs', { runbook, system, collaborationMode: 2 });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const runId = res.body.runId as string;
    await eventually(
      async () => ((await api('rm')('GET', `/api/runs/${runId}`)).body.status === 'hypercare' ? true : undefined),
      `${system} in hypercare`,
    );
    return runId;
  }
  const report = async (who: string, runId: string, severity: string, anonymous = false) => {
    const res = await api(who)('POST', `/api/runs/${runId}/reports`, {
      severity,
      description: `${severity} issue seen by the test`,
      anonymous,
    });
    expect(res.status).toBe(201);
    return res.body.report.id as string;
  };
  const resolve = async (runId: string, reportId: string) =>
    expect(
      (
        await api('ops')('POST', `/api/runs/${runId}/reports/${reportId}/resolution`, {
          resolution: 'fixed, thank you for reporting',
        })
      ).status,
    ).toBe(200);
  const reportsOf = async (runId: string) => (await api('rm')('GET', `/api/runs/${runId}`)).body.reports as Report[];
  const escalated = (runId: string, reportId: string) =>
    eventually(
      async () => ((await reportsOf(runId)).find((r) => r.id === reportId)!.escalationLevel >= 1 ? true : undefined),
      `${reportId} past its deadline`,
    );

  it('shows the figures worked out by hand, overdue first, and never names an anonymous reporter', async () => {
    const alpha = await liveRun(SLOW, `alpha-${tag}`);
    const beta = await liveRun(SLOW, `beta-${tag}`);
    const gamma = await liveRun(FAST, `gamma-${tag}`);
    // alpha: high by user, answered in time; low by the sponsor, anonymously, open.
    await resolve(alpha, await report('user', alpha, 'high'));
    await report('sponsor', alpha, 'low', true);
    // beta: critical by the guardian, acknowledged in the browser (its first response), then answered in time.
    const criticalId = await report('guardian', beta, 'critical');
    const ack = `/api/runs/${beta}/reports/${criticalId}/acknowledgement`;
    expect((await api('user')('POST', ack, { text: 'on it' })).status).toBe(403); // the policy: not a responder
    const opsPage = (await as('ops')).page;
    await opsPage.goto(`/runs/${beta}`);
    await opsPage.getByLabel('First response').fill('Seen, looking into it now');
    await opsPage.getByRole('button', { name: 'Acknowledge' }).click();
    await opsPage.locator('.acknowledged').filter({ hasText: 'Seen, looking into it now' }).waitFor();
    expect((await api('ops')('POST', ack, { text: 'again' })).status).toBe(409); // once per report
    expect((await api('ops')('POST', ack, { text: '' })).body.error.issues[0].path).toBe('text');
    await resolve(beta, criticalId);
    // gamma (1 s deadline): medium by user, left open (overdue); high by the sponsor, anonymously, answered late.
    const overdueId = await report('user', gamma, 'medium');
    const late = await api('sponsor')('POST', `/api/runs/${gamma}/reports`, {
      severity: 'high',
      description: 'high issue seen by the test',
      anonymous: true,
    });
    expect(late.status).toBe(201);
    const lateId = late.body.report.id as string;
    await escalated(gamma, overdueId);
    await escalated(gamma, lateId);
    await resolve(gamma, lateId);

    // By hand: 5 reports in 3 runs; answered in time 2 of 4 (alpha's open low report is still within
    // its deadline: neither in time nor late); closed with the reporter 3 of 5;
    // 2 anonymous; recognition: user 2 reports (1 answered), guardian 1 (1).
    const all = [...(await reportsOf(alpha)), ...(await reportsOf(beta)), ...(await reportsOf(gamma))];
    const resolved = all.filter((r) => r.status === 'resolved');
    const answered = resolved.map((r) => Date.parse(r.resolution!.at) - Date.parse(r.at)).sort((a, b) => a - b);
    expect(answered).toHaveLength(3);
    const [, median, p90] = answered; // nearest rank of 3 values: the 2nd and the 3rd
    // First response: the acknowledgement where there is one (beta's critical), else the resolution.
    const firsts = resolved
      .map((r) => Date.parse(r.acknowledgement?.at ?? r.resolution!.at) - Date.parse(r.at))
      .sort((a, b) => a - b);
    expect(resolved.filter((r) => r.acknowledgement)).toHaveLength(1);
    const [, firstMedian, firstP90] = firsts;

    // A run that went live but whose worker is away (no worker polls its task queue): unread.
    const client = await testClient();
    const away = await client.workflow.start(GO_LIVE_WORKFLOW, {
      taskQueue: `nobody-${tag}`,
      workflowId: `rbv-away-${tag}`,
      args: [{}],
      typedSearchAttributes: [
        { key: runbookKey, value: SLOW },
        { key: systemKey, value: `away-${tag}` },
        { key: initiatorKey, value: 'rm' },
        { key: reachedHypercareKey, value: 'yes' },
      ],
    });

    const { page } = await as('rm');
    await page.goto(`/reports?runbook=${SLOW}&runbook=${FAST}`);
    expect(await page.locator('main').textContent()).toContain('5 reports in 3 runs');
    expect(await page.locator('#share-in-time').textContent()).toBe('50 %');
    expect(await page.locator('#within-deadline').textContent()).toBe('1');
    expect(await page.locator('#share-closed').textContent()).toBe('60 %');
    expect(await page.locator('#anonymous-count').textContent()).toBe('2');
    const ms = (row: string, col: number) =>
      page.locator(`#rb-timing tr[data-row="${row}"] td`).nth(col).getAttribute('data-ms');
    expect(await ms('resolution', 0)).toBe(String(median));
    expect(await ms('resolution', 1)).toBe(String(p90));
    expect(await ms('first-response', 0)).toBe(String(firstMedian));
    expect(await ms('first-response', 1)).toBe(String(firstP90));

    const bySystem = await page
      .locator('#rb-by-system tbody tr')
      .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)));
    expect(bySystem).toEqual([
      [`alpha-${tag}`, 'high', '1', '0', '0'],
      [`alpha-${tag}`, 'low', '1', '1', '0'],
      [`beta-${tag}`, 'critical', '1', '0', '0'],
      [`gamma-${tag}`, 'high', '1', '0', '0'],
      [`gamma-${tag}`, 'medium', '1', '1', '1'],
    ]);
    const first = page.locator('#rb-list tbody tr').first();
    expect(await first.getAttribute('data-report')).toBe(`${gamma}/${overdueId}`);
    expect(await first.getAttribute('class')).toBe('overdue');

    const recognition = await page
      .locator('#rb-recognition tbody tr')
      .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)));
    // Names shown, ids kept as the reference; each answered report thanked its named reporter.
    expect(recognition).toEqual([
      ['Uma User (user)', '2', '1', '1'],
      ['Gita Guardian (guardian)', '1', '1', '1'],
    ]);
    expect(await first.locator('td').nth(6).textContent()).toBe('Uma User (user)');
    // The run whose worker is away is counted, not dropped.
    expect(await page.locator('#rb-unread').getAttribute('data-unread')).toBe('1');
    // The sponsor reported twice, both anonymously: named nowhere on the page.
    expect(await page.locator('main').textContent()).not.toContain('sponsor');

    const csv = await api('rm')('GET', `/api/reports.csv?runbook=${SLOW}&runbook=${FAST}`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = String(csv.body).trim().split('\r\n');
    expect(lines).toHaveLength(6);
    expect(lines[1]).toContain(`${gamma},gamma-${tag},${overdueId},medium,user`);
    expect(csv.body).not.toContain('sponsor');
    expect(lines[0]).toContain('reporter,reporterName,');
    const figures = (await api('rm')('GET', `/api/reports?runbook=${SLOW}&runbook=${FAST}`)).body;
    expect(figures).toMatchObject({ runs: 3, runsWithReports: 3, unread: 1, reports: 5 });
    // Recognition in the trail: the resolution records the thank-you; a named reporter is sent it,
    // an anonymous one is named nowhere (their report carries it).
    const history = async (runId: string, kind: string) =>
      (await api('rm')('GET', `/api/runs/${runId}/history?kind=${kind}`)).body.entries as {
        summary: string;
        details: { to?: string[]; subject?: string; thanks?: { text: string } };
      }[];
    expect((await history(alpha, 'report-resolved'))[0]?.details.thanks?.text).toContain('Thank you');
    const thanked = await eventually(
      async () => (await history(alpha, 'notification')).find((e) => e.details.subject?.includes('Thank you')),
      'the thank-you sent to the reporter',
    );
    expect(thanked.details.to).toEqual(['user']);
    expect((await history(gamma, 'report-resolved'))[0]?.details.thanks?.text).toContain('Thank you');
    expect(JSON.stringify(await history(gamma, 'notification'))).not.toContain('sponsor');
    // The anonymous reporter reads the thank-you with their receipt; nothing in the answer names them.
    const receiptUrl = `/api/runs/${gamma}/reports/${lateId}/receipt`;
    const byReceipt = await api('sponsor')('POST', receiptUrl, { receipt: late.body.receipt });
    expect(byReceipt.status).toBe(200);
    expect(byReceipt.body.report).toMatchObject({ id: lateId, status: 'resolved' });
    expect(byReceipt.body.report.thanks.text).toContain('Thank you');
    expect(JSON.stringify(byReceipt.body)).not.toContain('sponsor');
    expect((await api('sponsor')('POST', receiptUrl, { receipt: 'A'.repeat(24) })).status).toBe(404);
    expect((await api('sponsor')('POST', receiptUrl, { receipt: 'short' })).body.error.issues[0].path).toBe('receipt');
    // The acknowledgement is a signed message in the trail; the dossier still verifies offline.
    expect((await history(beta, 'report-acknowledged'))[0]).toMatchObject({
      actor: 'ops',
      details: { reportId: criticalId, text: 'Seen, looking into it now' },
    });
    const betaTrail = await buildAuditTrail({ client, workflowId: beta, refusals: [] });
    expect(verifyDossierFiles(await dossierFilesOf(betaTrail))).toMatchObject({ ok: true });

    // The Monitoring export, linked from the page: the same figures as a self-contained document.
    const htmlHref = await page.locator('#rb-html').getAttribute('href');
    expect(htmlHref).toBe(`/api/reports.html?runbook=${SLOW}&runbook=${FAST}`);
    const exported = await api('rm')('GET', htmlHref!);
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toContain('text/html');
    const doc = String(exported.body);
    expect(doc).toContain('<dt>Runs that could not be read now</dt><dd>1</dd>');
    expect(doc).toContain('<dt>Closed with the reporter</dt><dd>60 %</dd>');
    expect(doc).toContain('Uma User (user)');
    expect(doc).toContain('User feedback channels');
    expect(doc).not.toContain('sponsor');
    expect(doc).not.toContain('<script');
    await away.terminate('test over');
    await client.connection.close();
  }, 180_000);
});
