import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { oversightScheduleId } from '../../src/contract/reviewDefinitions';
import { OVERSIGHT_RUNBOOK, oversightRunbookYaml } from '../fixtures/oversight-runbook';
import { apiAs, eventually, useExtraRunbooks, useTestApp } from '../support/app';
import { testClient } from '../support/temporal';

/** Scheduled oversight through the API: schedules at go-live, a review recorded, a finding raising a report, a stop pausing them. */

const runbooks = useExtraRunbooks({ beforeAll, afterAll }, { 'web-oversight.yaml': oversightRunbookYaml });
const app = useTestApp({ beforeAll, afterAll }, runbooks);
const as = (who: string) => apiAs(app(), who);

describe('scheduled oversight over HTTP', () => {
  let client: Client;
  beforeAll(async () => {
    client = await testClient();
  });
  afterAll(async () => {
    await client.connection.close();
  });

  it('creates the Mode 4 duties at go-live, records a review whose finding raises a report, and pauses on a stop', async () => {
    const started = await as('rm')('POST', '/api/runs', {
      runbook: OVERSIGHT_RUNBOOK,
      system: 'oversight-api',
      collaborationMode: 4,
    });
    expect(started.status).toBe(201);
    const runId = started.body.runId as string;
    const live = await eventually(async () => {
      const res = await as('rm')('GET', `/api/runs/${runId}/oversight`);
      return res.body.state === 'active' ? res.body : undefined;
    }, 'the oversight schedules');
    expect(live.schedules.map((s: { dutyId: string; paused: boolean }) => [s.dutyId, s.paused])).toEqual([
      ['weekly-sample', false],
    ]);
    expect(live.schedules[0].nextReviews.length).toBeGreaterThan(0);
    expect((await as('user')('GET', `/api/runs/${runId}/oversight`)).status).toBe(200); // involved: may read
    expect((await apiAs(app())('GET', `/api/runs/${runId}/oversight`)).status).toBe(401);

    await client.schedule.getHandle(oversightScheduleId(runId, 'weekly-sample')).trigger();
    const waiting = await eventually(async () => {
      const res = await as('guardian')('GET', `/api/runs/${runId}/oversight`);
      return (res.body.reviews as { status: string; reviewId: string }[]).find((r) => r.status === 'waiting');
    }, 'the fired review in the list');
    const reviewUrl = `/api/reviews/${waiting.reviewId}`;
    expect((await as('guardian')('GET', reviewUrl)).body).toMatchObject({
      dutyId: 'weekly-sample',
      sampleSize: 25,
      status: 'waiting',
    });

    const bad = await as('guardian')('POST', reviewUrl, { sampleSize: -1, overrides: 0 });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('sampleSize');
    const tooMany = await as('guardian')('POST', reviewUrl, { sampleSize: 3, overrides: 5 });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.issues).toEqual([{ path: 'overrides', message: 'cannot exceed sampleSize' }]);
    const notReviewer = await as('user')('POST', reviewUrl, { sampleSize: 25, overrides: 0 });
    expect(notReviewer.status).toBe(403);
    const initiator = await as('rm')('POST', reviewUrl, { sampleSize: 25, overrides: 0 });
    expect(initiator.status).toBe(403);

    const recorded = await as('guardian')('POST', reviewUrl, {
      sampleSize: 25,
      overrides: 3,
      findings: [
        { summary: 'Two refunds above the limit were approved', severity: 'high', report: true },
        { summary: 'Tone fine', severity: 'low' },
      ],
      note: 'Sampled from Monday’s queue',
    });
    expect(recorded.status).toBe(200);
    expect(recorded.body.review).toMatchObject({
      status: 'done',
      review: { by: { id: 'guardian' }, sampleSize: 25, overrides: 3 },
    });
    expect(recorded.body.reports).toEqual([{ finding: 0, reportId: 'R1' }]);
    const run = (await as('rm')('GET', `/api/runs/${runId}`)).body;
    const report = (run.state ?? run).reports[0];
    expect(report).toMatchObject({ id: 'R1', reporter: 'guardian', severity: 'high' });
    expect(report.description).toContain(waiting.reviewId);
    const trail = await eventually(async () => {
      const res = await as('rm')('GET', `/api/runs/${runId}/history?kind=oversight-review`);
      return res.body.entries?.length > 0 ? res.body.entries : undefined;
    }, 'the review in the run’s trail');
    expect(trail[0]).toMatchObject({
      kind: 'oversight-review',
      actor: 'guardian',
      details: { reviewId: waiting.reviewId, status: 'done', sampleSize: 25, overrides: 3 },
    });
    expect((await as('guardian')('POST', reviewUrl, { sampleSize: 1, overrides: 0 })).status).toBeGreaterThanOrEqual(
      400,
    );

    expect((await as('guardian')('POST', `/api/runs/${runId}/stop`, { reason: 'findings too serious' })).status).toBe(
      200,
    );
    const paused = await eventually(async () => {
      const res = await as('rm')('GET', `/api/runs/${runId}/oversight`);
      return res.body.state === 'paused' ? res.body : undefined;
    }, 'the schedules paused');
    expect(paused.schedules[0]).toMatchObject({ paused: true });
    expect(paused.schedules[0].note).toContain('findings too serious');
    expect(paused.reviews[0]).toMatchObject({ status: 'done' });
    await client.schedule.getHandle(oversightScheduleId(runId, 'weekly-sample')).delete();
  }, 120_000);
});
