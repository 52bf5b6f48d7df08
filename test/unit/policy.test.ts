import { describe, expect, it } from 'vitest';
import { approvalStepSchema, evidenceItemSchema, type ApprovalStep } from '../../src/runbook/schema';
import { authorizeDecision, authorizeEvidence, checkEvidenceValue, quorumMet, Refusal, rolesOf, unmetRoles, waitTimeline, type ApprovalTally } from '../../workflows/policy';

/** The approval policy as pure functions: quorum, four-eyes, delegation, evidence, deadlines. */

const step: ApprovalStep = approvalStepSchema.parse({
  id: 'dossier-signoff',
  kind: 'approval',
  title: 'Dossier sign-off',
  approvers: [
    { role: 'guardian', quorum: 2 },
    { role: 'business-sponsor', quorum: 1 },
  ],
  deadline: '48h',
});
const assignments = {
  guardian: ['gina', 'gus', 'rita'],
  'business-sponsor': ['sam'],
  'ai-product-manager': ['rita'],
  operations: ['otto'],
};
const empty = (): ApprovalTally => ({ approvals: [], delegatedRoles: [] });
const ctx = (tally = empty()) => ({ initiatorId: 'rita', assignments, tally });
const refusalType = (r: unknown) => (r instanceof Refusal ? r.type : 'granted');

describe('authorizeDecision', () => {
  it('grants an approver in their role', () => {
    expect(authorizeDecision(step, { actor: { id: 'gina' }, decision: 'approve' }, ctx())).toEqual({ role: 'guardian', countsFor: 'guardian' });
  });

  it('refuses the initiator even when they hold an approver role (four-eyes)', () => {
    expect(refusalType(authorizeDecision(step, { actor: { id: 'rita' }, decision: 'approve' }, ctx()))).toBe('SelfApproval');
    expect(refusalType(authorizeDecision(step, { actor: { id: 'rita' }, decision: 'reject' }, ctx()))).toBe('SelfApproval');
  });

  it('refuses people without an approver role, and roles they do not hold', () => {
    expect(refusalType(authorizeDecision(step, { actor: { id: 'otto' }, decision: 'approve' }, ctx()))).toBe('NotAuthorized');
    expect(refusalType(authorizeDecision(step, { actor: { id: 'gina' }, role: 'business-sponsor', decision: 'approve' }, ctx()))).toBe('NotAuthorized');
    expect(refusalType(authorizeDecision(step, { actor: { id: 'stranger' }, decision: 'approve' }, ctx()))).toBe('NotAuthorized');
  });

  it('counts distinct people towards each role and refuses a second approval by the same person', () => {
    const tally = empty();
    tally.approvals.push({ personId: 'gina', role: 'guardian', countsFor: 'guardian' });
    expect(unmetRoles(step, tally)).toEqual(['guardian', 'business-sponsor']);
    expect(refusalType(authorizeDecision(step, { actor: { id: 'gina' }, decision: 'approve' }, ctx(tally)))).toBe('DuplicateDecision');
    tally.approvals.push({ personId: 'gus', role: 'guardian', countsFor: 'guardian' });
    expect(unmetRoles(step, tally)).toEqual(['business-sponsor']);
    expect(quorumMet(step, tally)).toBe(false);
    tally.approvals.push({ personId: 'sam', role: 'business-sponsor', countsFor: 'business-sponsor' });
    expect(quorumMet(step, tally)).toBe(true);
  });

  it('lets a delegate decide only after delegation, counting for an unmet approver role', () => {
    expect(refusalType(authorizeDecision(step, { actor: { id: 'otto' }, decision: 'approve' }, ctx()))).toBe('NotAuthorized');
    const tally = empty();
    tally.delegatedRoles.push('operations');
    tally.approvals.push({ personId: 'gina', role: 'guardian', countsFor: 'guardian' }, { personId: 'gus', role: 'guardian', countsFor: 'guardian' });
    expect(authorizeDecision(step, { actor: { id: 'otto' }, decision: 'approve' }, ctx(tally))).toEqual({ role: 'operations', countsFor: 'business-sponsor' });
  });

  it('refuses an approval in a role whose quorum is already met', () => {
    const tally = empty();
    tally.approvals.push({ personId: 'gina', role: 'guardian', countsFor: 'guardian' }, { personId: 'gus', role: 'guardian', countsFor: 'guardian' });
    const third = { ...assignments, guardian: [...assignments.guardian, 'gwen'] };
    const r = authorizeDecision(step, { actor: { id: 'gwen' }, decision: 'approve' }, { initiatorId: 'rita', assignments: third, tally });
    expect(refusalType(r)).toBe('DuplicateDecision');
    // …but a rejection by that person is still heard.
    expect(refusalType(authorizeDecision(step, { actor: { id: 'gwen' }, decision: 'reject' }, { initiatorId: 'rita', assignments: third, tally }))).toBe('granted');
  });
});

describe('evidence', () => {
  const rate = evidenceItemSchema.parse({ id: 'training-completion-rate', title: 'Training completion', type: 'number', min: 0.9, max: 1, submittedBy: ['ai-product-manager'] });
  const doc = evidenceItemSchema.parse({ id: 'model-card', title: 'Model card', type: 'document', submittedBy: ['guardian'] });

  it('checks numbers against their bounds, naming the item', () => {
    expect(checkEvidenceValue(rate, 0.95)).toEqual({ ok: true, value: 0.95 });
    const low = checkEvidenceValue(rate, 0.5);
    expect(low).toBeInstanceOf(Refusal);
    expect((low as Refusal).message).toBe('"training-completion-rate" must be at least 0.9 (got 0.5)');
    expect(checkEvidenceValue(rate, 1.2)).toBeInstanceOf(Refusal);
    expect(checkEvidenceValue(rate, '0.95')).toBeInstanceOf(Refusal);
  });

  it('checks documents by shape, naming the bad field', () => {
    const bad = checkEvidenceValue(doc, { name: 'card.pdf', sha256: 'xyz' });
    expect((bad as Refusal).message).toContain('value.sha256');
    expect(checkEvidenceValue(doc, { name: 'card.pdf', sha256: 'a'.repeat(64) })).toMatchObject({ ok: true });
  });

  it('takes only web links as URL evidence', () => {
    const url = evidenceItemSchema.parse({ id: 'feedback-channel-url', title: 'Feedback channel', type: 'url', submittedBy: ['operations'] });
    expect(checkEvidenceValue(url, 'https://feedback.example.org/ai')).toMatchObject({ ok: true });
    expect((checkEvidenceValue(url, 'javascript:alert(1)') as Refusal).message).toContain('http(s)');
    expect(checkEvidenceValue(doc, { name: 'card.pdf', sha256: 'a'.repeat(64), url: 'data:text/html,hi' })).toBeInstanceOf(Refusal);
  });

  it('lets only the listed roles submit', () => {
    expect(authorizeEvidence(rate, { id: 'rita' }, undefined, assignments)).toBe('ai-product-manager');
    expect(authorizeEvidence(rate, { id: 'gina' }, undefined, assignments)).toBeInstanceOf(Refusal);
  });
});

describe('waitTimeline', () => {
  it('orders escalation levels and the deadline by time', () => {
    const t = waitTimeline(
      [
        { after: '36h', notify: ['business-sponsor'], delegateTo: 'business-sponsor' },
        { after: '24h', notify: ['guardian'] },
      ],
      '48h',
    );
    expect(t.map((e) => [e.kind, e.atMs])).toEqual([
      ['escalate', 24 * 3_600_000],
      ['escalate', 36 * 3_600_000],
      ['deadline', 48 * 3_600_000],
    ]);
  });

  it('has no deadline event when the step has none', () => {
    expect(waitTimeline([], undefined)).toEqual([]);
  });
});

describe('rolesOf', () => {
  it('lists every role a person holds in the run', () => {
    expect(rolesOf('rita', assignments).sort()).toEqual(['ai-product-manager', 'guardian']);
    expect(rolesOf('nobody', assignments)).toEqual([]);
  });
});
