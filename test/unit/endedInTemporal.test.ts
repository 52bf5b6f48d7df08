import { describe, expect, it } from 'vitest';
import type { ReportView, RunStateView, StepView } from '../../src/contract/definitions';
import { shownAsEnded } from '../../src/contract/endedRun';
import { endedInTemporal, FINAL_STATUSES, OPEN_STATUSES, RUN_STATUSES } from '../../src/contract/runStatus';
import { stateClause } from '../../src/server/endedInTemporal';
import { runsTable } from '../../src/server/ui/runsPage';
import { diagram } from '../../src/server/ui/runPage';

/**
 * A run Temporal ended before golive finished it, in the cases the API test cannot reach on
 * purpose: a run ended while rolling back, Temporal statuses that are not an end, and the
 * visibility clause of every state filter.
 */

describe('run states', () => {
  it('are each open or final, never both, and the list is the two together', () => {
    expect(OPEN_STATUSES.filter((s) => FINAL_STATUSES.includes(s))).toEqual([]);
    expect([...OPEN_STATUSES, ...FINAL_STATUSES]).toEqual(RUN_STATUSES);
  });
});

describe('endedInTemporal', () => {
  it("gives Temporal's end only when golive's last word was not final", () => {
    expect(endedInTemporal('waiting', 'TERMINATED')).toBe('terminated');
    expect(endedInTemporal('compensating', 'TIMED_OUT')).toBe('timed-out');
    expect(endedInTemporal('running', 'FAILED')).toBe('failed');
    expect(endedInTemporal('waiting', 'CANCELLED')).toBe('cancelled');
    expect(endedInTemporal(undefined, 'TERMINATED')).toBe('terminated'); // before its first task
    // golive's own end stands, whatever Temporal says after it.
    expect(endedInTemporal('live', 'TERMINATED')).toBeUndefined();
    expect(endedInTemporal('rolled-back', 'COMPLETED')).toBeUndefined();
    // Not an end: open, or an earlier execution of a run that went on as new.
    expect(endedInTemporal('waiting', 'RUNNING')).toBeUndefined();
    expect(endedInTemporal('hypercare', 'CONTINUED_AS_NEW')).toBeUndefined();
  });
});

const step = (id: string, status: StepView['status'], extra: Partial<StepView> = {}): StepView => ({
  id,
  title: id,
  kind: 'approval',
  after: [],
  status,
  ...extra,
});

describe('shownAsEnded', () => {
  it('waits for nobody and leaves no step waiting, running or being undone', () => {
    const view = {
      status: 'compensating',
      waitingRoles: ['guardian'],
      steps: [
        step('done', 'completed', { endedAt: '2026-01-01T00:00:00.000Z' }),
        step('sign-off', 'waiting', { mayDecide: [{ role: 'guardian', people: ['g'] }], deadlineAt: 'x' }),
        step('deploy', 'compensating'),
        step('later', 'pending'),
      ],
      reports: [report('R1', 'open'), report('R2', 'resolved')],
    } as unknown as RunStateView;
    const shown = shownAsEnded(view, 'terminated', new Date('2026-01-02T00:00:00.000Z'));
    expect(shown).toMatchObject({ status: 'terminated', waitingRoles: [], endedAt: '2026-01-02T00:00:00.000Z' });
    expect(shown.steps).toEqual([
      step('done', 'completed', { endedAt: '2026-01-01T00:00:00.000Z' }),
      step('sign-off', 'cancelled', { endedAt: '2026-01-02T00:00:00.000Z' }),
      step('deploy', 'compensation-failed', {
        error: 'the run was terminated in Temporal while this step was being undone',
      }),
      step('later', 'pending'),
    ]);
    // An open report is closed with the run, as golive closes them when it ends a run itself.
    expect(shown.reports).toEqual([
      {
        ...report('R1', 'closed'),
        resolution: {
          by: { id: 'golive', name: 'golive' },
          at: '2026-01-02T00:00:00.000Z',
          text: 'closed without a response: the run ended (terminated in Temporal, not by golive)',
        },
      },
      report('R2', 'resolved'),
    ]);
    expect(view.status).toBe('compensating'); // the run's own view is not changed
    expect(view.reports[0]!.status).toBe('open');
  });
});

const report = (id: string, status: ReportView['status']): ReportView => ({
  id,
  severity: 'low',
  description: 'wrong answer',
  reporter: 'user',
  at: '2026-01-01T00:00:00.000Z',
  responseDueAt: '2026-01-01T01:00:00.000Z',
  status,
  escalationLevel: 0,
});

describe('stateClause', () => {
  it('finds open states only in open runs, and the states Temporal gives by its status', () => {
    expect(stateClause('waiting')).toBe(`(GoLiveState = 'waiting' AND ExecutionStatus = 'Running')`);
    expect(stateClause('terminated')).toBe(`ExecutionStatus = 'Terminated'`);
    expect(stateClause('timed-out')).toBe(`ExecutionStatus = 'TimedOut'`);
    expect(stateClause('failed')).toBe(`ExecutionStatus = 'Failed'`);
    expect(stateClause('cancelled')).toBe(`(GoLiveState = 'cancelled' OR ExecutionStatus = 'Canceled')`);
    expect(stateClause('rolled-back')).toBe(`GoLiveState = 'rolled-back'`);
  });
});

describe('the runs table', () => {
  it("says how a run ended in Temporal, after golive's reason when it was rolling back", () => {
    const html = runsTable(
      [
        {
          summary: {
            runId: 'golive-x-1',
            state: 'terminated',
            waitingRoles: [],
            failure: { kind: 'stopped', by: 'gina', reason: 'error rate above 5 %' },
            executionStatus: 'TERMINATED',
            startedAt: '2026-01-01T00:00:00.000Z',
          },
        },
      ],
      undefined,
      '',
    ).value;
    expect(html).toContain(
      'stopped by gina: error rate above 5 %; then terminated in Temporal, not by golive: its rollback did not run',
    );
  });
});

describe('the run page diagram', () => {
  it('shows a step an ended run never reached as "not reached", as the timeline does, and pending while it runs', () => {
    const steps = [step('done', 'completed'), step('later', 'pending', { after: ['done'] })];
    const ended = diagram({ status: 'terminated', steps } as unknown as RunStateView).value;
    expect(ended).toContain('approval · not reached');
    expect(ended).not.toContain('· pending');
    const open = diagram({ status: 'waiting', steps } as unknown as RunStateView).value;
    expect(open).toContain('approval · pending');
  });
});
