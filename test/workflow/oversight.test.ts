import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { HeldKey } from '../../src/signing/keyring';
import { getRunStateQuery, stopLineUpdate } from '../../src/contract/definitions';
import {
  getReviewQuery,
  oversightScheduleId,
  reviewWorkflowIdPrefix,
  submitReviewUpdate,
  type ReviewView,
} from '../../src/contract/reviewDefinitions';
import { buildAuditTrail, dossierFilesOf } from '../../src/audit';
import { chainEntries } from '../../src/audit/chain';
import { verifySignatures } from '../../src/audit/signatures';
import { verifyDossierFiles } from '../../src/audit/verify';
import { eventually } from '../support/eventually';
import { inputFor, people, signedActor, signedFor, startSignedRun, testKeyring, waitForState } from '../support/runs';
import { testClient, testWorker } from '../support/temporal';

/**
 * Scheduled oversight on the real dev server: a Mode 4 system's duties become Temporal
 * Schedules at go-live; a fired review takes a signed review; a review nobody records is missed
 * and escalates; stopping the line pauses the schedules. Schedules fire on `trigger()` (their
 * interval is a week), so nothing here waits for a clock except the missed review's 2 s.
 */

export const mode4Oversight = [
  {
    id: 'weekly-sample',
    title: 'Sample AI decisions',
    modes: [4],
    every: '7d',
    reviewers: ['guardian'],
    sampleSize: 25,
    within: '1h',
  },
  {
    id: 'escalation-review',
    title: 'Review escalations',
    modes: [4],
    every: '7d',
    reviewers: ['guardian'],
    within: '2s',
    escalation: [{ after: '1s', notify: ['operations'] }],
    onMissed: ['business-sponsor'],
  },
  {
    id: 'daily-attestation',
    title: 'Attest every suggestion was reviewed',
    modes: [2],
    every: '1d',
    reviewers: ['guardian'],
    within: '1d',
  },
];

const runbook = {
  stopAuthority: ['guardian'],
  oversight: { duties: mode4Oversight },
  steps: [
    {
      id: 'hypercare',
      kind: 'hypercare' as const,
      title: 'Hypercare',
      duration: '1h',
      responseDeadline: '1h',
      notifyOnReport: ['operations'],
      stopAuthority: ['guardian'],
    },
  ],
};

async function firedReview(client: Client, runId: string, dutyId: string): Promise<string> {
  await client.schedule.getHandle(oversightScheduleId(runId, dutyId)).trigger();
  return eventually(async () => {
    const d = await client.schedule.getHandle(oversightScheduleId(runId, dutyId)).describe();
    return d.info.recentActions.at(-1)?.action.workflow.workflowId;
  }, `a review of ${dutyId} started`);
}

describe('scheduled oversight', () => {
  let client: Client;
  let key: HeldKey;
  beforeAll(async () => {
    client = await testClient();
    key = testKeyring().current;
  });
  afterAll(async () => {
    await client.connection.close();
  });

  it('schedules a Mode 4 system’s duties at go-live, takes reviews, escalates a missed one and pauses on a stop', async () => {
    const { taskQueue, run } = await testWorker();
    await run(async () => {
      const handle = await startSignedRun(
        client,
        taskQueue,
        inputFor(runbook, { collaborationMode: 4, system: 'oversight-sys' }),
        key,
      );
      const live = await waitForState(handle, (s) => s.status === 'hypercare' && s.oversight !== undefined);
      const runId = handle.workflowId;
      // Only the duties of Mode 4, ids from the run and the duty.
      expect(live.oversight).toMatchObject({
        state: 'active',
        schedules: [{ dutyId: 'weekly-sample' }, { dutyId: 'escalation-review' }],
      });
      for (const dutyId of ['weekly-sample', 'escalation-review']) {
        const d = await client.schedule.getHandle(oversightScheduleId(runId, dutyId)).describe();
        expect(d.state.paused).toBe(false);
        expect(d.spec.intervals?.[0]?.every).toBe(7 * 24 * 3600 * 1000);
      }

      const sampleId = await firedReview(client, runId, 'weekly-sample');
      expect(sampleId.startsWith(reviewWorkflowIdPrefix(runId, 'weekly-sample'))).toBe(true);
      const review = client.workflow.getHandle(sampleId);
      const payload = {
        actor: signedActor(people.guardian),
        sampleSize: 25,
        overrides: 2,
        findings: [{ summary: 'Refunds over limit approved', severity: 'high' as const, report: true }],
      };
      // The initiator may not review (four-eyes); an unsigned review is refused.
      const byInitiator = await review
        .executeUpdate(submitReviewUpdate, {
          args: [signedFor(key, review, 'submitReview', { ...payload, actor: signedActor(people.initiator) })],
        })
        .catch((e: unknown) => e);
      expect(byInitiator).toBeInstanceOf(WorkflowUpdateFailedError);
      const unsigned = await review.executeUpdate(submitReviewUpdate, { args: [payload] }).catch((e: unknown) => e);
      expect(unsigned).toBeInstanceOf(WorkflowUpdateFailedError);
      const done = await review.executeUpdate(submitReviewUpdate, {
        args: [signedFor(key, review, 'submitReview', payload)],
      });
      expect(done).toMatchObject({
        status: 'done',
        review: { by: { id: people.guardian }, role: 'guardian', sampleSize: 25, overrides: 2 },
      });
      expect(((await review.result()) as ReviewView).status).toBe('done');

      const missedId = await firedReview(client, runId, 'escalation-review');
      const missed = (await client.workflow.getHandle(missedId).result()) as ReviewView;
      expect(missed.status).toBe('missed');
      expect(missed.escalations.map((e) => [e.level, e.missed, e.notified])).toEqual([
        [1, false, ['operations']],
        [2, true, ['business-sponsor', 'guardian']],
      ]);
      const late = await client.workflow.getHandle(missedId).query(getReviewQuery);
      expect(late.review).toBeUndefined();

      await handle.executeUpdate(stopLineUpdate, {
        args: [
          signedFor(key, handle, 'stopLine', { actor: signedActor(people.guardian), reason: 'oversight test stop' }),
        ],
      });
      const stopped = await waitForState(handle, (s) => s.oversight?.state === 'paused');
      expect(stopped.oversight?.note).toContain('oversight test stop');
      for (const dutyId of ['weekly-sample', 'escalation-review']) {
        const d = await client.schedule.getHandle(oversightScheduleId(runId, dutyId)).describe();
        expect(d.state.paused).toBe(true);
        expect(d.state.note).toContain('line stopped by gina.guardian');
      }
      expect((await handle.query(getRunStateQuery)).status).toBe('rolled-back');
      await handle.result();

      // Every review, done or missed, is in the run's hash-chained trail and counted in the dossier.
      const trail = await eventually(async () => {
        const t = await buildAuditTrail({ client, workflowId: runId, refusals: [] });
        return t.entries.filter((e) => e.kind === 'oversight-review').length === 2 ? t : undefined;
      }, 'both reviews in the trail');
      const reviews = trail.entries.filter((e) => e.kind === 'oversight-review');
      expect(reviews.map((e) => [e.details.reviewId, e.details.status, e.actor])).toEqual(
        expect.arrayContaining([
          [sampleId, 'done', people.guardian],
          [missedId, 'missed', undefined],
        ]),
      );
      expect(reviews.find((e) => e.details.status === 'done')?.details).toMatchObject({ sampleSize: 25, overrides: 2 });
      const files = await dossierFilesOf(trail);
      expect(verifyDossierFiles(files)).toMatchObject({ ok: true });
      const dossier = JSON.parse(new TextDecoder().decode(files.get('dossier.json'))) as {
        sections: { id: string; blocks: { kind: string; fields?: string[][]; rows?: string[][] }[] }[];
      };
      const post = dossier.sections.find((s) => s.id === 'scheduled-oversight')!;
      expect(post.blocks.find((b) => b.kind === 'fields')?.fields).toEqual([
        ['Reviews done', '1'],
        ['Reviews missed', '1'],
        ['Reviews waiting', '0'],
      ]);
      expect(JSON.stringify(post.blocks)).toContain(missedId);

      // An altered review fails verification, naming the entry.
      const forged = trail.entries.map((e) =>
        e.kind === 'oversight-review' && e.details.status === 'done'
          ? { ...e, details: { ...e.details, overrides: 0 } }
          : e,
      );
      const rechained = chainEntries(forged.map(({ hash: _h, prevHash: _p, ...e }) => e));
      expect(verifySignatures(runId, trail.entries)).toMatchObject({ ok: true });
      const forgedVerdict = verifySignatures(runId, rechained);
      expect(forgedVerdict).toMatchObject({ ok: false });
      expect(!forgedVerdict.ok && forgedVerdict.reason).toContain('overrides differs');
      for (const dutyId of ['weekly-sample', 'escalation-review'])
        await client.schedule.getHandle(oversightScheduleId(runId, dutyId)).delete();
    });
  }, 120_000);
});
