import { describe, expect, it } from 'vitest';
import { activityErrorWords, failureWords, undeliveredWords } from '../../src/contract/failureWords';

describe('failureWords', () => {
  it("says an action's failure by its own message, without Temporal's wrapper", () => {
    const reason = 'Activity task failed: 1 of 1 endpoint(s) failed: status http://x/status (status 503)';
    expect(failureWords({ kind: 'action-failed', stepId: 'checks', reason })).toBe(
      'action-failed at checks: 1 of 1 endpoint(s) failed: status http://x/status (status 503)',
    );
    expect(
      failureWords({ kind: 'action-failed', reason: 'Activity task timed out: activity StartToClose timeout' }),
    ).toBe('action-failed: activity StartToClose timeout');
  });

  it("keeps people's words as they wrote them", () => {
    const reason = 'Activity task failed: that is what the dashboard said';
    expect(failureWords({ kind: 'stopped', by: 'guardian', reason })).toBe(`stopped by guardian: ${reason}`);
  });
});

describe('activityErrorWords', () => {
  it("gives a step's or an undo's error by the activity's own words", () => {
    expect(activityErrorWords('Activity task failed: POST http://x/undo answered 500')).toBe(
      'POST http://x/undo answered 500',
    );
    expect(activityErrorWords('Child Workflow execution failed: Activity task timed out: too slow')).toBe('too slow');
    expect(activityErrorWords('no wrapper: Activity task failed: stays')).toBe(
      'no wrapper: Activity task failed: stays',
    );
  });

  it("says an undelivered notification's warning with its error in the same words", () => {
    expect(undeliveredWords('not delivered: Activity task failed: slack answered 503')).toBe(
      'not delivered: slack answered 503',
    );
    expect(undeliveredWords('not delivered: slack answered 503')).toBe('not delivered: slack answered 503');
  });
});
