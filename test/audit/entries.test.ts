import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chainEntries, entryHash, verifyChain } from '../../src/audit/chain';
import { actorLabel, auditEntries, filterEntries, finalState, startInput, SYSTEM_ACTOR } from '../../src/audit/entries';
import { chainRefusals } from '../../src/audit/refusals';
import { kindFilterHidesRefusals, viewTrail } from '../../src/audit/view';
import type { RunHistory } from '../../src/audit/history';

/**
 * Pure tests on a recorded history (test/fixtures/audit: a real run of test/audit/support.ts's
 * rejection runbook: evidence, two undoable actions, a sign-off approved, Gate 4 rejected).
 */
const chain = JSON.parse(
  fs.readFileSync(path.join(__dirname, '../fixtures/audit/rejected-run.history.json'), 'utf8'),
) as RunHistory[];

describe('audit entries from history', () => {
  const entries = auditEntries(chain);

  it('tells the facts in the order they happened', () => {
    expect(entries.map((e) => `${e.kind}${e.stepId ? ` ${e.stepId}` : ''}`)).toEqual([
      'run-started',
      'step-started compliance-dossier',
      'evidence-submitted compliance-dossier',
      'evidence-submitted compliance-dossier',
      'step-completed compliance-dossier',
      'step-started enable-access',
      'step-completed enable-access',
      'step-started deploy-stage',
      'step-completed deploy-stage',
      'step-started dossier-signoff',
      'notification',
      'decision dossier-signoff',
      'step-completed dossier-signoff',
      'step-started gate-4',
      'notification',
      'decision gate-4',
      'step-rejected gate-4',
      'compensation deploy-stage',
      'compensation enable-access',
      'notification',
      'run-ended',
    ]);
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
  });

  it('records who started the run, with the runbook pin and Collaboration Mode', () => {
    const started = entries[0]!;
    expect(started).toMatchObject({
      actor: 'rita.rm',
      details: { collaborationMode: 3, runbook: { id: 'test-runbook', version: '1.0.0' } },
    });
    expect((started.details.runbook as { sha256: string }).sha256).toMatch(/^[a-f0-9]{64}$/);
  });

  it('gives each decision its actor, role, comment and evidence hash (from the workflow record)', () => {
    const decisions = filterEntries(entries, { kind: 'decision' });
    expect(decisions.map((d) => [d.actor, d.role, d.details.decision, d.details.comment])).toEqual([
      ['gina.guardian', 'guardian', 'approve', 'complete'],
      ['sam.sponsor', 'business-sponsor', 'reject', 'not ready'],
    ]);
    expect(decisions[0]!.details.evidenceHash).toBe(finalState(chain)!.decisions[0]!.evidenceHash);
    expect(decisions[0]!.eventIds).toHaveLength(2); // accepted + completed
  });

  it("names a document evidence by its file name and the file's own SHA-256, the record's hash kept apart", () => {
    const card = filterEntries(entries, { kind: 'evidence-submitted' }).find((e) => e.details.itemId === 'model-card')!;
    const value = card.details.value as { name: string; sha256: string };
    const record = finalState(chain)!.evidence.find((e) => e.itemId === 'model-card')!;
    expect(card.details).toMatchObject({ document: value.name, sha256: value.sha256, recordSha256: record.sha256 });
    expect(value.sha256).not.toBe(record.sha256);
    expect(card.summary).toContain(`${value.name} (sha256 ${value.sha256})`);
  });

  it('lists compensations in reverse order of the steps they undo, with outcome', () => {
    expect(filterEntries(entries, { kind: 'compensation' }).map((c) => [c.stepId, c.details.status])).toEqual([
      ['deploy-stage', 'completed'],
      ['enable-access', 'completed'],
    ]);
  });

  it('summarizes the evidence an action left', () => {
    expect(entries.find((e) => e.kind === 'step-completed' && e.stepId === 'enable-access')!.summary).toMatch(
      /HTTP 200/,
    );
  });

  it('filters by person and step', () => {
    expect(filterEntries(entries, { person: 'sam.sponsor' }).map((e) => e.kind)).toEqual(['notification', 'decision']);
    expect(filterEntries(entries, { stepId: 'gate-4' }).map((e) => e.kind)).toEqual([
      'step-started',
      'decision',
      'step-rejected',
    ]);
  });

  it('reads the start input and the final state', () => {
    expect(startInput(chain)?.system).toBe('test-system');
    expect(finalState(chain)?.status).toBe('rolled-back');
  });
});

describe('hash chain', () => {
  const chained = chainEntries(auditEntries(chain));

  it('verifies an untouched chain and reports its head', () => {
    expect(verifyChain(chained)).toEqual({ ok: true, head: chained.at(-1)!.hash, length: chained.length });
  });

  it('names the altered entry', () => {
    const altered = structuredClone(chained);
    altered[15]!.details.comment = 'ready';
    expect(verifyChain(altered)).toMatchObject({ ok: false, seq: 16 });
  });

  it('names where an entry was removed', () => {
    const removed = chained.filter((e) => e.seq !== 5);
    expect(verifyChain(removed)).toMatchObject({ ok: false, seq: 6 });
  });

  it('catches a rehashed entry at the next link', () => {
    const forged = structuredClone(chained);
    const { hash: _hash, ...rest } = { ...forged[3]!, summary: 'forged' };
    forged[3] = { ...rest, hash: entryHash(rest) };
    expect(verifyChain(forged)).toMatchObject({ ok: false, seq: 5 });
  });
});

describe('a view of the trail', () => {
  const entries = chainEntries(auditEntries(chain));
  const [refusal] = chainRefusals([
    {
      at: '2024-01-01T00:00:00.000Z',
      runId: 'wf',
      actor: 'rm',
      action: 'decide:approve',
      stepId: 'gate-4',
      type: 'SelfApproval',
      status: 403,
      reason: 'the initiator may not approve',
      by: 'workflow' as const,
    },
  ]);
  const trail = { entries, refusals: [refusal!] };

  it('shows refused attempts under a kind filter only when it asks for refused messages', () => {
    expect(viewTrail(trail, {}).refusals).toEqual([refusal]);
    expect(viewTrail(trail, { kind: ['compensation'] }).refusals).toEqual([]);
    expect(viewTrail(trail, { kind: 'decision' }).refusals).toEqual([]);
    expect(viewTrail(trail, { kind: ['compensation', 'message-refused'] }).refusals).toEqual([refusal]);
    expect(viewTrail(trail, { person: 'guardian' }).refusals).toEqual([]);
    expect(kindFilterHidesRefusals(undefined)).toBe(false);
  });

  it('names the engine as the actor of facts no person did, one name for every view', () => {
    const system = entries.find((e) => e.kind === 'run-ended' || e.kind === 'step-completed')!;
    expect(system.actor).toBeUndefined();
    expect(actorLabel(system.actor)).toBe(SYSTEM_ACTOR);
    expect(SYSTEM_ACTOR).toBe('golive');
    expect(actorLabel('guardian')).toBe('guardian');
  });
});
