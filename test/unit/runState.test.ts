import { describe, expect, it } from 'vitest';
import { RunState } from '../../workflows/runState';
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
});
