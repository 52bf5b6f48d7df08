import { describe, expect, it } from 'vitest';
import { RunState } from '../../workflows/runState';
import { VIEW_LIMITS } from '../../workflows/viewBounds';
import { inputFor, people } from '../support/runs';

/** The run's record, without a server: what queries show and what continue-as-new carries. */
function state() {
  return new RunState(
    inputFor({
      steps: [
        {
          id: 'evidence',
          kind: 'evidence',
          title: 'Evidence',
          items: [{ id: 'card', title: 'Card', type: 'url', submittedBy: ['ai-product-manager'] }],
        },
        {
          id: 'watch',
          kind: 'hypercare',
          title: 'Hypercare',
          duration: '1d',
          responseDeadline: '1h',
          stopAuthority: ['guardian'],
        },
      ],
    }),
    '2026-01-01T00:00:00.000Z',
  );
}

describe('RunState', () => {
  it('marks a resubmitted item as replacing the earlier one', () => {
    const s = state();
    const first = s.recordEvidence(
      'evidence',
      'card',
      'https://a.example',
      undefined,
      { id: people.initiator },
      'ai-product-manager',
      't1',
    );
    const second = s.recordEvidence(
      'evidence',
      'card',
      'https://b.example',
      'fixed link',
      { id: people.initiator },
      'ai-product-manager',
      't2',
    );
    expect(first.replaces).toBeUndefined();
    expect(second.replaces).toBe(first.seq);
    expect(second.sha256).not.toBe(first.sha256);
  });

  it('closes reports nobody answered when the run ends, and leaves answered ones alone', () => {
    const s = state();
    const base = {
      severity: 'high' as const,
      description: 'x',
      reporter: people.user,
      at: 't',
      responseDueAt: 't',
      escalationLevel: 0,
    };
    s.addReport({ ...base, status: 'open' }, undefined);
    const answered = s.addReport({ ...base, status: 'open' }, undefined);
    answered.status = 'resolved';
    s.setStatus('rolled-back');
    s.closeOpenReports('t9');
    expect(s.view().reports.map((r) => [r.id, r.status])).toEqual([
      ['R1', 'closed'],
      ['R2', 'resolved'],
    ]);
    expect(s.view().reports[0]?.resolution?.text).toBe('closed without a response: the run ended (rolled-back)');
  });

  it('carries its whole record into the next run of a continue-as-new chain', () => {
    const s = state();
    s.recordEvidence(
      'evidence',
      'card',
      'https://a.example',
      undefined,
      { id: people.initiator },
      'ai-product-manager',
      't1',
    );
    const next = new RunState({ ...s.input, carried: s.data }, 'later');
    expect(next.view().evidence).toEqual(s.view().evidence);
    expect(next.data.chainLength).toBe(2);
  });

  it('answers a query of a run with 10,000 reports with a bounded record that keeps the open ones and says what it left out', () => {
    const s = state();
    for (let i = 0; i < 10_000; i++) {
      const report = s.addReport(
        {
          severity: 'medium',
          description: `answer ${i} cited a retired policy`,
          reporter: people.user,
          at: 't',
          responseDueAt: 't',
          escalationLevel: 0,
          status: 'open',
        },
        undefined,
      );
      if (i % 10 !== 0) s.resolveReport(report, { id: people.initiator }, 'fixed', 't2');
      s.recordEscalation({ subject: report.id, level: 1, at: 't', notified: ['guardian'] });
    }
    const full = s.view();
    const answer = s.view({ bounded: true });
    expect(full.reports).toHaveLength(10_000);
    expect(full.omitted).toBeUndefined();
    const open = answer.reports.filter((r) => r.status === 'open');
    expect(open).toHaveLength(VIEW_LIMITS.openReports);
    expect(open[0]?.id).toBe('R1'); // the oldest open one (most overdue) first
    expect(answer.reports.filter((r) => r.status !== 'open').map((r) => r.id)).toEqual(
      full.reports
        .filter((r) => r.status !== 'open')
        .slice(-VIEW_LIMITS.otherReports)
        .map((r) => r.id),
    );
    expect(answer.escalations).toEqual(full.escalations.slice(-VIEW_LIMITS.escalations));
    expect(answer.omitted).toEqual({
      reports: 10_000 - VIEW_LIMITS.openReports - VIEW_LIMITS.otherReports,
      openReports: 0,
      escalations: 10_000 - VIEW_LIMITS.escalations,
      refusedSignals: 0,
    });
    expect(Buffer.byteLength(JSON.stringify(answer))).toBeLessThan(512 * 1024);
    expect(Buffer.byteLength(JSON.stringify(full))).toBeGreaterThan(2 * 1024 * 1024);
  });

  it('answers a short record whole', () => {
    const s = state();
    s.addReport(
      {
        severity: 'low',
        description: 'x',
        reporter: people.user,
        at: 't',
        responseDueAt: 't',
        escalationLevel: 0,
        status: 'open',
      },
      undefined,
    );
    expect(s.view({ bounded: true })).toEqual(s.view());
  });

  it("shows one step (an Update's answer) exactly as the whole view shows it", () => {
    const s = new RunState(
      inputFor({
        steps: [
          { id: 'go', kind: 'approval', title: 'Go', approvers: [{ role: 'guardian', quorum: 2 }], deadline: '1h' },
          {
            id: 'evidence',
            kind: 'evidence',
            title: 'Evidence',
            items: [{ id: 'card', title: 'Card', type: 'url', submittedBy: ['ai-product-manager'] }],
          },
        ],
      }),
      '2026-01-01T00:00:00.000Z',
    );
    s.setStep('go', 'waiting', 't1');
    s.setStep('evidence', 'waiting', 't1');
    s.recordDecision(
      'go',
      'approve',
      { id: people.guardian },
      { role: 'guardian', source: 'unverified' },
      'ok',
      [],
      't2',
    );
    for (const id of ['go', 'evidence']) {
      expect(s.shownStepView(id)).toEqual(s.view().steps.find((step) => step.id === id));
    }
    expect(s.shownStepView('go').mayDecide).toEqual([{ role: 'guardian', people: [people.guardian2] }]);
  });

  it('answers a query without changing the record (a query runs outside history: what it changed, replay would not)', () => {
    const s = new RunState(
      inputFor({
        steps: [
          {
            id: 'gate',
            kind: 'approval',
            title: 'Gate',
            approvers: [{ role: 'guardian', quorum: 1 }],
            deadline: '1h',
          },
        ],
      }),
      '2026-01-01T00:00:00.000Z',
    );
    s.setStep('gate', 'waiting', 't');
    const before = JSON.stringify(s.data);
    const answer = s.view({ bounded: true });
    s.view();
    expect(JSON.stringify(s.data)).toBe(before);
    expect(answer.steps[0]).toMatchObject({ delegatedRoles: [], mayDecide: [{ role: 'guardian' }] });
    // An escalation that delegates still records, and the view shows it.
    s.delegatedRoles('gate').push('business-sponsor');
    expect(s.view().steps[0]?.delegatedRoles).toEqual(['business-sponsor']);
    expect(s.data.tallies).toEqual({ gate: { delegatedRoles: ['business-sponsor'] } });
  });
});
