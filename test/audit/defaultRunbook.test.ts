import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { exportDossier, filterEntries, verifyDossier } from '../../src/audit';
import type { Dossier } from '../../src/audit/dossier';
import { loadRunbookFile } from '../../src/runbook/load';
import { prepareRun } from '../../src/runbook/prepare';
import { startTestSandbox, type TestSandbox } from '../support/sandbox';
import {
  approveStepUpdate,
  getRunStateQuery,
  rejectStepUpdate,
  REFUSAL_TYPES,
  submitEvidenceUpdate,
} from '../../src/contract/definitions';
import { FINAL_STATUSES } from '../../src/contract/runStatus';
import { decisionBinding, passkeyRing } from '../support/softPasskey';
import {
  defaultAssignments,
  people,
  signedActor,
  signedFor,
  startSignedRun,
  stepStatus,
  testKeyring,
  waitForState,
} from '../support/runs';
import { testClient, testWorker } from '../support/temporal';
import { SPEED_FREE_PARAMS } from '../support/defaultRunbook';

const doc = (name: string) => ({ name, sha256: Buffer.from(name).toString('hex').padEnd(64, '0').slice(0, 64) });

/**
 * The default runbook against the sandbox, through every phase up to Gate 4, which the Business
 * Sponsor rejects: the run compensates, and the finished run's dossier holds every deliverable.
 */
describe('dossier of the default runbook', () => {
  let client: Client;
  let sandbox: TestSandbox;
  let tmp: string;
  beforeAll(async () => {
    client = await testClient();
    sandbox = await startTestSandbox();
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'golive-dossier-'));
  });
  afterAll(async () => {
    await sandbox.close();
    await client.connection.close();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('holds every deliverable, each naming its obligation, and verifies', { timeout: 240_000 }, async () => {
    const loaded = await loadRunbookFile(path.join(__dirname, '../../runbooks/default.yaml'));
    const port = Number(new URL(sandbox.url).port);
    const input = prepareRun({
      loaded,
      system: 'test-system',
      collaborationMode: 3,
      initiator: { id: people.initiator },
      assignments: defaultAssignments,
      people: { [people.guardian]: { name: 'Gina Guardian', email: 'gina@example.test' } },
      params: {
        ...sandbox.params,
        targetHost: '127.0.0.1',
        targetPort: port,
        loadTestSeconds: 2,
        stressMaxRate: 50,
        failoverSeconds: 3,
        p95LatencyMs: SPEED_FREE_PARAMS.p95LatencyMs,
      },
    });
    const { taskQueue, run } = await testWorker();
    const workflowId = await run(async () => {
      const ring = testKeyring();
      const handle = await startSignedRun(client, taskQueue, input, ring.current);
      const waiting = async (stepId: string) => {
        const s = await waitForState(
          handle,
          (x) => stepStatus(x, stepId) === 'waiting' || FINAL_STATUSES.includes(x.status),
          120_000,
        );
        if (stepStatus(s, stepId) !== 'waiting')
          throw new Error(`run ended (${s.status}: ${s.failure?.reason}) before ${stepId}`);
      };
      const submit = async (stepId: string, items: [string, string, unknown][]) => {
        await waiting(stepId);
        for (const [who, itemId, value] of items)
          await handle.executeUpdate(submitEvidenceUpdate, {
            args: [
              signedFor(ring.current, handle, 'submitEvidence', { actor: signedActor(who), stepId, itemId, value }),
            ],
          });
      };
      const passkeyOf = passkeyRing();
      // The shipped runbook's three sign-offs are signed by each approver's own passkey.
      const decide = async (stepId: string, who: string, comment: string, reject = false) => {
        await waiting(stepId);
        const step = input.runbook.steps.find((s) => s.id === stepId);
        if (step?.kind !== 'approval' || !step.passkey) throw new Error(`${stepId} should be a passkey approval`);
        const state = await handle.query(getRunStateQuery);
        const binding = decisionBinding(
          state,
          { runId: handle.workflowId, stepId, personId: who, comment, covers: step.covers ?? [] },
          reject ? 'reject' : 'approve',
        );
        const message = { actor: signedActor(who), stepId, comment, passkey: passkeyOf(who).assert(binding) };
        await (reject
          ? handle.executeUpdate(rejectStepUpdate, { args: [signedFor(ring.current, handle, 'rejectStep', message)] })
          : handle.executeUpdate(approveStepUpdate, {
              args: [signedFor(ring.current, handle, 'approveStep', message)],
            }));
      };
      await submit('entry-criteria', [
        [people.initiator, 'gate-3-approved', doc('gate-3-decision.pdf')],
        [people.engineer, 'rc-tests-passed', doc('rc-test-report.pdf')],
        [people.ops, 'production-infrastructure-ready', true],
        [people.engineer, 'rollback-plan-documented', doc('rollback-plan.md')],
        [people.guardian, 'collaboration-mode-confirmed', true],
      ]);
      await submit('oversight-protocol', [
        [people.initiator, 'oversight-protocol', doc('oversight-protocol.pdf')],
        [people.ops, 'escalation-paths', doc('escalation-paths.pdf')],
        [people.initiator, 'intervention-levels', doc('intervention-levels.pdf')],
      ]);
      await decide('oversight-signoff', people.guardian, 'protocol fits mode 3');
      await submit('training-and-feedback', [
        [people.initiator, 'workflow-guide', doc('workflow-guide.pdf')],
        [
          people.initiator,
          'workflow-before-after',
          'Claims were triaged by hand; now the AI routes them and people decide',
        ],
        [people.initiator, 'quality-awareness', doc('quality-awareness.pdf')],
        [people.ops, 'feedback-channel-description', doc('feedback-channel.md')],
        [people.initiator, 'training-completion-rate', 0.96],
        [people.initiator, 'feedback-channel-url', 'https://feedback.example/ai'],
      ]);
      await submit('leadership-endorsement', [
        [people.sponsor, 'red-button-announcement', 'Report every AI error: I read each one. — Sam'],
      ]);
      await submit('compliance-dossier', [
        [people.initiator, 'risk-prescan', doc('risk-prescan.pdf')],
        [people.engineer, 'validation-reports', doc('validation.pdf')],
        [people.engineer, 'model-card', doc('model-card.pdf')],
        [people.engineer, 'hard-boundaries-held', true],
        [people.initiator, 'dpia', doc('dpia.pdf')],
        [people.initiator, 'lawful-basis', 'Art. 6(1)(b) performance of the insurance contract'],
        [people.initiator, 'personal-data-categories', 'claimants: contact data, claim details'],
        [people.initiator, 'dpo-consultation', doc('dpo-opinion.pdf')],
      ]);
      await decide('dossier-signoff', people.guardian2, 'dossier complete');
      await decide('dossier-signoff', people.sponsor, 'co-signed');
      // As shipped, Gate 4 is not decided without the Business Sponsor's passkey.
      await waiting('gate-4');
      const bare = { actor: signedActor(people.sponsor), stepId: 'gate-4', comment: 'no passkey' };
      await expect(
        handle.executeUpdate(approveStepUpdate, { args: [signedFor(ring.current, handle, 'approveStep', bare)] }),
      ).rejects.toMatchObject({ cause: { type: REFUSAL_TYPES.passkeyRequired } });
      await decide('gate-4', people.sponsor, 'business case changed: not now', true);
      expect((await handle.result()).status).toBe('rolled-back');
      return handle.workflowId;
    });

    const dir = path.join(tmp, 'dossier');
    await exportDossier({ client, workflowId, outDir: dir });
    // Oversight sign-off, two dossier sign-offs, Gate 4: each with the approver's passkey.
    expect(await verifyDossier(dir)).toMatchObject({ ok: true, passkeys: { checked: 4 } });
    const dossier = JSON.parse(await fs.readFile(path.join(dir, 'dossier.json'), 'utf8')) as Dossier;
    expect(dossier.finished).toBe(true);
    expect(dossier.draftNotice).toBeUndefined();

    const ids = dossier.sections.map((s) => s.id);
    expect(ids).toEqual([
      'go-live-plan',
      'human-oversight-protocol',
      'training-materials',
      'stability-and-rollback-drill',
      'legal-dossier',
      'accountability-evidence',
      'gdpr',
      'sector-rules',
      'handover-log',
      'operational-handover-checklist',
      'gate-4-decision',
      'post-market-monitoring',
      'leadership-endorsement',
      'scheduled-oversight',
      'refused-attempts',
    ]);
    for (const s of dossier.sections) expect(s.obligations.length, s.id).toBeGreaterThan(0);
    // Every deliverable has data from this run (refusals: none were made; reports: no hypercare;
    // the endorsement was not published: the run was rejected at Gate 4, before go-live).
    for (const s of dossier.sections.filter((x) => x.id !== 'refused-attempts' && x.id !== 'sector-rules')) {
      expect(
        s.blocks.some((b) => b.kind === 'table' && b.rows.length > 0),
        s.id,
      ).toBe(true);
    }
    const md = await fs.readFile(path.join(dir, 'dossier.md'), 'utf8');
    for (const text of [
      'load test at',
      'stress test:',
      'failover: availability',
      'rollback drill: back on 1.0.0',
      'Risk pre-scan',
      'Technical model card',
      'Hard boundaries held in testing',
      'https://feedback.example/ai',
      '0.96',
      'test alert delivered',
      'business case changed: not now',
      'protocol fits mode 3',
      'Art. 14 — Human oversight',
      'GDPR Art. 35',
      'Art. 6(1)(b) performance of the insurance contract',
      'dpo-opinion.pdf',
      'workflow-guide.pdf',
      'Gina Guardian (gina.guardian)',
      'gina@example.test',
      'Art. 72 — Post-market monitoring',
      'Art. 73',
      'each signing with their own passkey',
    ]) {
      expect(md, text).toContain(text.replace(/([_*[\]<>|#])/g, '\\$1'));
    }
    const legal = dossier.sections.find((s) => s.id === 'legal-dossier')!;
    expect(JSON.stringify(legal)).toContain(people.guardian); // Guardian approvals
    const trail = JSON.parse(await fs.readFile(path.join(dir, 'audit-trail.json'), 'utf8')) as {
      entries: Parameters<typeof filterEntries>[0];
    };
    expect(filterEntries(trail.entries, { kind: 'compensation' }).map((c) => c.stepId)).toEqual([
      'monitoring-activate',
      'deploy-release-candidate',
      'access-apply',
    ]);
    expect(filterEntries(trail.entries, { kind: 'decision' }).map((d) => [d.actor, d.details.decision])).toEqual([
      [people.guardian, 'approve'],
      [people.guardian2, 'approve'],
      [people.sponsor, 'approve'],
      [people.sponsor, 'reject'],
    ]);
  });
});
