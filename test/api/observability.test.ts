import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureLogging, createLogger } from '../../src/log';
import { apiAs, eventually, useExtraRunbooks, useTestApp } from '../support/app';
import { PROMTOOL_BIN, startMonitoringStack, type MonitoringStack } from '../support/prometheus';

/**
 * golive observable as operators expect: structured log lines that follow one decision from
 * the HTTP request into the worker's activity by request id, and a /metrics that a Prometheus
 * text-format parser reads and a real Prometheus scrapes.
 */

const lines: Record<string, unknown>[] = [];
const capture = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const line of chunk.toString('utf8').split('\n'))
      if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});

// After the approval the run notifies people (an activity) before its next step: the activity
// that the decision caused.
const OBSERVED = `
id: web-observed
version: 1.0.0
title: Observed go-live
roles:
  - { id: implementation-engineer, title: Implementation Engineer }
  - { id: ai-product-manager, title: AI Product Manager }
  - { id: guardian, title: Guardian }
  - { id: operations, title: Operations }
stopAuthority: [guardian, operations]
steps:
  - id: guardian-sign-off
    kind: approval
    title: Guardian signs off
    approvers: [{ role: guardian, quorum: 1 }]
    deadline: 30m
  - id: announce
    kind: action
    title: Announce the go-live
    action: notify
    params: { to: [operations], subject: go-live, text: the release is live }
  - id: hypercare
    kind: hypercare
    title: Hypercare
    duration: 30m
    responseDeadline: 30m
    stopAuthority: [guardian, operations]
`;

const runbooks = useExtraRunbooks({ beforeAll, afterAll }, { 'web-observed.yaml': OBSERVED });
const app = useTestApp({ beforeAll, afterAll }, () => ({ ...runbooks(), log: createLogger('web') }));
const as = (id: string) => apiAs(app(), id);

beforeAll(() => configureLogging({ level: 'debug', destination: capture }));
afterAll(() => configureLogging({}));

describe('logs', () => {
  it('carry the request id of a decision from the HTTP request to the activity it caused', async () => {
    const started = await as('rm')('POST', '/api/runs', {
      runbook: 'web-observed',
      system: 'observed',
      collaborationMode: 2,
    });
    expect(started.status).toBe(201);
    const runId = (started.body as { runId: string }).runId;
    await eventually(
      async () =>
        (await as('rm')('GET', `/api/runs/${runId}`)).body.steps?.[0]?.status === 'waiting' ? true : undefined,
      'the approval to wait',
    );

    const requestId = `decision-${runId.slice(-8)}`;
    const decided = await as('guardian')(
      'POST',
      `/api/runs/${runId}/steps/guardian-sign-off/decisions`,
      { decision: 'approve', comment: 'ok' },
      { 'x-request-id': requestId },
    );
    expect(decided.status).toBe(200);
    expect(decided.headers.get('x-request-id')).toBe(requestId);

    const mine = await eventually(
      async () => {
        const found = lines.filter((l) => l.requestId === requestId);
        return found.some(
          (l) => l.component === 'activity' && l.msg === 'activity completed' && l.activityType === 'notify',
        )
          ? found
          : undefined;
      },
      'the activity log lines of the decision',
      30_000,
    );
    expect(mine.find((l) => l.component === 'web' && l.msg === 'http request')).toMatchObject({
      level: 'info',
      method: 'POST',
      route: '/api/runs/:runId/steps/:stepId/decisions',
      status: 200,
    });
    expect(mine.find((l) => l.component === 'activity' && l.msg === 'activity started')).toMatchObject({
      activityType: 'notify',
      workflowId: runId,
    });
    // Another request's lines do not take this id.
    const other = await as('rm')('GET', `/api/runs/${runId}`);
    expect(other.headers.get('x-request-id')).not.toBe(requestId);
  });

  it('never show a token or password', async () => {
    await as('rm')('POST', '/api/login', { username: 'rm', password: 'not-the-password' });
    const text = JSON.stringify(lines);
    expect(text).not.toContain('not-the-password');
    expect(text).not.toContain(app().credentials.rm!.token);
  });
});

describe('/metrics', () => {
  let stack: MonitoringStack | undefined;
  afterAll(async () => {
    await stack?.stop();
  });

  it("passes Prometheus's own text-format parser (promtool) with process, HTTP latency, decision and run-state metrics", async () => {
    const res = await fetch(`${app().url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    // Exit 1 is a parse error; 3 only lint findings, which prom-client's own default gauges
    // (nodejs_active_*_total) have and golive's metrics must not.
    const checked = promtoolCheck(text);
    expect(checked.status === 0 || checked.status === 3, checked.output).toBe(true);
    expect(checked.output.split('\n').filter((l) => l && !l.startsWith('nodejs_'))).toEqual([]);
    expect(promtoolCheck(`${text}golive_broken{route="x" 1\n`)).toMatchObject({
      status: 1,
      output: expect.stringMatching(/parsing error/),
    });

    expect(text).toContain('# TYPE process_cpu_user_seconds_total counter');
    expect(text).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
    expect(text).toContain('# TYPE golive_http_request_duration_seconds histogram');
    expect(text).toMatch(
      /golive_http_request_duration_seconds_bucket\{le="\+Inf",method="POST",route="\/api\/runs\/:runId\/steps\/:stepId\/decisions",status="200"\} [1-9]/,
    );
    expect(text).toMatch(/^golive_decisions_total\{decision="approve"\} [1-9]/m);
    await eventually(
      async () => {
        // A scrape that fails on a busy machine (a reset connection) is simply tried again.
        const now = await fetch(`${app().url}/metrics`).then(
          (r) => r.text(),
          () => '',
        );
        return /^golive_runs\{state="hypercare"\} [1-9]/m.test(now) ? true : undefined;
      },
      'golive_runs{state="hypercare"} to count the observed run',
      40_000,
      1_000,
    );
  });

  it('is scraped by a real Prometheus (up == 1 for golive)', { timeout: 90_000 }, async () => {
    stack = await startMonitoringStack([{ job: 'golive', target: new URL(app().url).host }]);
    const up = await eventually(
      async () => {
        const result = await stack!.query('up{job="golive"}');
        return result[0]?.value[1] === '1' ? result : undefined;
      },
      'Prometheus to scrape golive',
      60_000,
      500,
    );
    expect(up).toHaveLength(1);
    const latency = await eventually(
      async () => {
        const r = await stack!.query('sum by (route) (golive_http_request_duration_seconds_count{route="/metrics"})');
        return r.length > 0 ? r : undefined;
      },
      'the scrapes themselves to appear in the latency histogram',
      30_000,
      500,
    );
    expect(Number(latency[0]!.value[1])).toBeGreaterThan(0);
  });
});

/** `promtool check metrics`: parses (and lints) the exposition as Prometheus does. */
function promtoolCheck(text: string): { status: number | null; output: string } {
  const r = spawnSync(PROMTOOL_BIN, ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}
