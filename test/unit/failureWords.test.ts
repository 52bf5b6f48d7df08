import { describe, expect, it } from 'vitest';
import { failureWords } from '../../src/contract/failureWords';

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
