import { expect } from 'vitest';
import type { RunStateView } from '../../src/contract/definitions';
import { apiAs, eventually, type TestApp } from '../support/app';
import { REJECTION_RUNBOOK_ID } from './support';

/**
 * The rejection runbook played through the web API by the demo people: evidence, the initiator's
 * refused self-approval (a refusal for the log), the Guardian's approval, the Sponsor's Gate 4
 * rejection, and the rollback that compensates both actions.
 */

export interface RejectedRun {
  runId: string;
  guardianComment: string;
  sponsorComment: string;
}

/** `untilGate4`: stop when Gate 4 waits for the Sponsor (the run stays open). */
export async function driveRejectedRun(
  app: TestApp,
  system: string,
  guardianComment: string,
  sponsorComment = 'latency budget not met',
  untilGate4 = false,
): Promise<RejectedRun> {
  const as = (id: string) => apiAs(app, id);
  const untilStep = (runId: string, stepId: string, status: string) =>
    eventually(async () => {
      const s = (await as('rm')<RunStateView>('GET', `/api/runs/${runId}`)).body;
      return s.steps?.find((x) => x.id === stepId)?.status === status ? s : undefined;
    }, `${stepId} to be ${status}`);

  const started = await as('rm')('POST', '/api/runs', { runbook: REJECTION_RUNBOOK_ID, system, collaborationMode: 3 });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  const runId = (started.body as { runId: string }).runId;
  const post = async (who: string, path: string, body: unknown, status = 200) => {
    const res = await as(who)('POST', `/api/runs/${runId}${path}`, body);
    expect(res.status, `${who} POST ${path}: ${JSON.stringify(res.body)}`).toBe(status);
  };

  await untilStep(runId, 'compliance-dossier', 'waiting');
  await post('ie', '/steps/compliance-dossier/evidence', {
    itemId: 'model-card',
    value: { name: 'model-card.pdf', sha256: 'c'.repeat(64) },
  });
  // A second Guardian attests; the first signs off (whoever submits evidence never signs it off).
  await post('guardian2', '/steps/compliance-dossier/evidence', { itemId: 'hard-boundaries-held', value: true });
  await untilStep(runId, 'dossier-signoff', 'waiting');
  await post('rm', '/steps/dossier-signoff/decisions', { decision: 'approve', comment: 'my own run' }, 403);
  await post('guardian', '/steps/dossier-signoff/decisions', { decision: 'approve', comment: guardianComment });
  await untilStep(runId, 'gate-4', 'waiting');
  if (untilGate4) return { runId, guardianComment, sponsorComment };
  await post('sponsor', '/steps/gate-4/decisions', { decision: 'reject', comment: sponsorComment });
  await eventually(
    async () =>
      (await as('rm')<RunStateView>('GET', `/api/runs/${runId}`)).body.status === 'rolled-back' ? true : undefined,
    'the run to roll back',
  );
  return { runId, guardianComment, sponsorComment };
}
