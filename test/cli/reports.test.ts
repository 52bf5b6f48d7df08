import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, eventually, SMALL_RUNBOOK } from '../support/app';
import { useCliStack } from './support';

/** `golive reports`: the Red Button across runs from a terminal, as figures, JSON and CSV. */
const stack = useCliStack({ beforeAll, afterAll });

describe('golive reports', () => {
  it('prints the figures, JSON and CSV of the runs the caller may read; names no anonymous reporter', async () => {
    const system = `cli-rb-${randomUUID().slice(0, 6)}`;
    const api = (who: string) => apiAs(stack().app, who);
    /** A run of the system taken to hypercare (once the system's last run has let go of it). */
    const liveRun = async (): Promise<string> => {
      const runId = await eventually(async () => {
        const res = await api('rm')('POST', '/api/runs', { runbook: SMALL_RUNBOOK, system, collaborationMode: 2 });
        return res.status === 201 ? (res.body.runId as string) : undefined;
      }, 'a run started');
      await eventually(
        async () =>
          (await api('rm')('GET', `/api/runs/${runId}`)).body.steps[0].status === 'waiting' ? true : undefined,
        'evidence waiting',
      );
      expect(
        (
          await api('ie')('POST', `/api/runs/${runId}/steps/validation-report/evidence`, {
            itemId: 'accuracy',
            value: 97,
          })
        ).status,
      ).toBe(200);
      expect(
        (await api('guardian')('POST', `/api/runs/${runId}/steps/guardian-sign-off/decisions`, { decision: 'approve' }))
          .status,
      ).toBe(200);
      await eventually(
        async () => ((await api('rm')('GET', `/api/runs/${runId}`)).body.status === 'hypercare' ? true : undefined),
        'hypercare',
      );
      return runId;
    };
    // A run that went live and was stopped without a report: read, but none of the reports is in it.
    const quiet = await liveRun();
    expect((await api('guardian')('POST', `/api/runs/${quiet}/stop`, { reason: 'wrong build' })).status).toBe(200);
    await eventually(
      async () => ((await api('rm')('GET', `/api/runs/${quiet}`)).body.status === 'rolled-back' ? true : undefined),
      'rolled back',
    );
    const runId = await liveRun();
    const r1 = (
      await api('user')('POST', `/api/runs/${runId}/reports`, { severity: 'high', description: 'wrong refund policy' })
    ).body.report.id as string;
    await api('sponsor')('POST', `/api/runs/${runId}/reports`, {
      severity: 'low',
      description: 'tone',
      anonymous: true,
    });
    expect(
      (await api('ops')('POST', `/api/runs/${runId}/reports/${r1}/resolution`, { resolution: 'fixed, thanks' })).status,
    ).toBe(200);

    const text = await stack().cli(['reports', '--system', system], { as: 'rm' });
    expect(text.code, text.stderr).toBe(0);
    // The anonymous report is open and not yet due: neither answered in time nor late.
    expect(text.stdout).toContain(
      '2 reports in 1 run · 2 runs read that went live · answered in time 100 % (1 still within their deadline, not counted) · closed with the reporter 50 %',
    );
    expect(text.stdout).toContain('recognised: Uma User (user)\t1 report, 1 answered, 1 thanked');
    expect(text.stdout).toContain('anonymous reports: 1');
    expect(text.stdout).not.toContain('sponsor');

    const json = await stack().cli(['reports', '--system', system, '--json'], { as: 'rm' });
    expect(JSON.parse(json.stdout)).toMatchObject({
      reports: 2,
      runsWithReports: 1,
      runs: 2,
      shareClosedWithReporter: 0.5,
      shareAnsweredInTime: 1,
      withinDeadline: 1,
      unread: 0,
      recognition: [{ reporter: 'user', name: 'Uma User', reports: 1, answered: 1, thanked: 1 }],
      anonymousReports: 1,
    });
    const csv = await stack().cli(['reports', '--system', system, '--csv'], { as: 'rm' });
    expect(csv.stdout.split('\r\n')[0]).toBe(
      'runId,system,id,severity,reporter,reporterName,at,responseDueAt,status,resolvedAt,resolvedBy,resolvedByName,firstResponseAt,acknowledgedBy,thanked,inTime,overdue,description',
    );
    expect(csv.stdout.trim().split('\r\n')).toHaveLength(3);

    const html = await stack().cli(['reports', '--system', system, '--html'], { as: 'rm' });
    expect(html.code, html.stderr).toBe(0);
    expect(html.stdout).toMatch(/^<!doctype html>/);
    expect(html.stdout).toContain('<dt>Reports</dt><dd>2</dd>');
    expect(html.stdout).not.toContain('sponsor');

    const bad = await stack().cli(['reports', '--system', 'not a system!'], { as: 'rm' });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('system');
  }, 120_000);
});
