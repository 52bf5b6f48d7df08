import { describe, expect, it } from 'vitest';
import type { EvidenceRecord } from '../../src/contract/definitions';
import { redButtonFigures, reportsCsv } from '../../src/server/redButtonFigures';
import type { ReportView } from '../../src/contract/definitions';
import { redButtonHtml } from '../../src/server/redButtonHtml';

/** The Monitoring export: the figures as a self-contained document, each run's feedback channel alongside. */

const evidence = (itemId: string, value: unknown): EvidenceRecord => ({
  seq: 1,
  stepId: 'training-and-feedback',
  itemId,
  value,
  submittedBy: { id: 'rm', name: 'Riley Release' },
  role: 'ai-product-manager',
  at: '2026-01-02T10:00:00.000Z',
  sha256: 'a'.repeat(64),
});

describe('the Red Button Monitoring export', () => {
  it('shows the figures, the unread runs and each run’s feedback channel, escaped, with no script', () => {
    const figures = redButtonFigures(
      [
        {
          runId: 'run-1',
          state: {
            system: 'claims <ai>',
            reports: [
              {
                id: 'R1',
                severity: 'high',
                description: 'refund <b>denied</b>',
                reporter: 'anonymous',
                at: '2026-01-02T10:00:00.000Z',
                responseDueAt: '2026-01-02T11:00:00.000Z',
                status: 'open',
                escalationLevel: 0,
              },
            ],
            // A long-running run whose bounded state left 250 older reports out.
            omitted: { reports: 250, openReports: 0, escalations: 0, refusedSignals: 0 },
          },
        },
        // Went live, read, no report: a run read, not a run the reports are in.
        { runId: 'run-2', state: { system: 'claims <ai>', reports: [] } },
      ],
      new Date('2026-01-02T10:30:00.000Z'),
      { unread: 2 },
    );
    const runs = [
      {
        runId: 'run-1',
        state: {
          system: 'claims <ai>',
          evidence: [
            evidence('feedback-channel-url', 'https://feedback.example/claims'),
            evidence('feedback-channel-description', { name: 'feedback.pdf', sha256: 'b'.repeat(64) }),
            evidence('workflow-guide', { name: 'guide.pdf', sha256: 'c'.repeat(64) }),
          ],
        },
      },
    ];
    const doc = redButtonHtml(figures, runs, 'system=claims');
    expect(doc).toMatch(/^<!doctype html>/);
    expect(doc).toContain('<dt>Runs that could not be read now</dt><dd>2</dd>');
    expect(figures).toMatchObject({ reports: 1, runsWithReports: 1, runs: 2 });
    expect(doc).toContain('<dt>Runs with reports</dt><dd>1</dd><dt>Runs read (went live)</dt><dd>2</dd>');
    expect(figures.omittedReports).toBe(250);
    expect(doc).toContain('<dt>Older reports not counted (kept in the audit trails)</dt><dd>250</dd>');
    expect(doc).toContain('https://feedback.example/claims');
    expect(doc).toContain(`feedback.pdf (SHA-256 ${'b'.repeat(64)})`);
    expect(doc).not.toContain('guide.pdf');
    expect(doc).toContain('claims &lt;ai&gt;');
    expect(doc).toContain('refund &lt;b&gt;denied&lt;/b&gt;');
    expect(doc).not.toContain('<script');
    expect(doc).toContain('Riley Release (rm)');
  });
});

describe('answered in time', () => {
  const due = '2026-01-02T11:00:00.000Z';
  const by = { id: 'ops' };
  const report = (id: string, extra: Partial<ReportView>): ReportView => ({
    id,
    severity: 'high',
    description: id,
    reporter: 'user',
    at: '2026-01-02T10:00:00.000Z',
    responseDueAt: due,
    status: 'open',
    escalationLevel: 0,
    ...extra,
  });
  const figuresAt = (now: string) =>
    redButtonFigures(
      [
        {
          runId: 'run-1',
          state: {
            system: 'claims',
            reports: [
              report('in-time', { status: 'resolved', resolution: { by, at: '2026-01-02T10:30:00.000Z', text: 'ok' } }),
              report('late', { status: 'resolved', resolution: { by, at: '2026-01-02T12:00:00.000Z', text: 'ok' } }),
              report('closed', { status: 'closed' }),
              report('open', {}),
            ],
          },
        },
      ],
      new Date(now),
    );

  it('leaves open reports that are not yet due out of the share: neither answered in time nor late', () => {
    const before = figuresAt('2026-01-02T10:45:00.000Z');
    expect(before.withinDeadline).toBe(1);
    expect(before.shareAnsweredInTime).toBe(1 / 3);
    expect(before.list.find((r) => r.id === 'open')?.inTime).toBeNull();
    const open = reportsCsv(before)
      .split('\r\n')
      .find((line) => line.startsWith('run-1,claims,open,'));
    expect(open).toContain(',false,,false,open'); // thanked, inTime (empty: not yet known), overdue

    // Once its deadline has passed unanswered, it counts as not answered in time.
    const after = figuresAt('2026-01-02T11:30:00.000Z');
    expect(after.withinDeadline).toBe(0);
    expect(after.shareAnsweredInTime).toBe(1 / 4);
    expect(after.list.find((r) => r.id === 'open')).toMatchObject({ inTime: false, overdue: true });
  });
});
