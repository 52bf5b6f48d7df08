import { describe, expect, it } from 'vitest';
import { formatPath, StartInputError } from '../../src/runbook/issues';
import { parseRunbookText, RunbookError } from '../../src/runbook/load';
import { prepareRun } from '../../src/runbook/prepare';

/** Hypercare analyses in the runbook: validated at load with their own paths, filled at start. */

const runbook = (analyses: string) => `
id: analysed
version: 1.0.0
title: Analysed
roles: [{ id: operations, title: Operations }]
parameters:
  prometheusUrl: { type: url, default: http://127.0.0.1:9090 }
steps:
  - id: hypercare
    kind: hypercare
    title: Hypercare
    duration: 1h
    responseDeadline: 1h
    stopAuthority: [operations]
    analyses:
${analyses}
`;

function loadIssues(text: string): string[] {
  try {
    parseRunbookText(text, { source: 'analysed.yaml' });
  } catch (error) {
    expect(error).toBeInstanceOf(RunbookError);
    return (error as RunbookError).issues.map((i) => `${formatPath(i.path)}@${i.line}: ${i.message}`);
  }
  throw new Error('expected a RunbookError');
}

describe('hypercare analyses', () => {
  it('load with defaults: report on breach, 3 failures in a row, every minute', () => {
    const { runbook: rb } = parseRunbookText(
      runbook(
        `      - { id: errors, prometheusUrl: "\${params.prometheusUrl}", query: "sum(rate(errors_total[5m]))", max: 0.01 }`,
      ),
      { source: 'a.yaml' },
    );
    const step = rb.steps[0];
    expect(step?.kind === 'hypercare' && step.analyses[0]).toMatchObject({
      id: 'errors',
      interval: '1m',
      failureLimit: 3,
      onBreach: 'report',
      severity: 'high',
      onEmpty: 'fail',
      timeout: '30s',
    });
  });

  it('a field the schema refuses (a bad interval) is named with its path and line', () => {
    const issues = loadIssues(
      runbook(
        [
          '      - { id: no-bound, prometheusUrl: "http://p:9090", query: "up" }',
          '      - { id: bad-url, prometheusUrl: "ftp://p", query: "up", min: 1 }',
          '      - { id: undeclared, prometheusUrl: "${params.promUrl}", query: "up", min: 1 }',
          '      - { id: no-bound, prometheusUrl: "http://p:9090", query: "up", min: 1, interval: soon }',
        ].join('\n'),
      ),
    );
    expect(issues).toEqual(['steps[0].analyses[3].interval@19: must be a duration such as 500ms, 30s, 5m, 24h or 14d']);
  });

  it('the cross-field checks name the analysis field at fault: no bound, a bad URL, an undeclared parameter, a duplicate id', () => {
    const issues = loadIssues(
      runbook(
        [
          '      - { id: no-bound, prometheusUrl: "http://p:9090", query: "up" }',
          '      - { id: bad-url, prometheusUrl: "ftp://p", query: "up", min: 1 }',
          '      - { id: undeclared, prometheusUrl: "${params.promUrl}", query: "up", min: 1 }',
          '      - { id: no-bound, prometheusUrl: "http://p:9090", query: "up", min: 1, onBreach: stop }',
        ].join('\n'),
      ),
    );
    expect(issues).toEqual([
      'steps[0].analyses[0].max@16: give max and/or min',
      'steps[0].analyses[1].prometheusUrl@17: must be an http(s) URL',
      'steps[0].analyses[2].prometheusUrl@18: ${params.promUrl} names no declared parameter (declared: prometheusUrl)',
      'steps[0].analyses[3].id@19: duplicate analysis id "no-bound" (already used at index 0)',
    ]);
  });

  it('are filled at start, and a bad value is blamed on the parameter', () => {
    const loaded = parseRunbookText(
      runbook(`      - { id: errors, prometheusUrl: "\${params.prometheusUrl}", query: 'up{job="x"}', min: 1 }`),
      { source: 'a.yaml' },
    );
    const start = (prometheusUrl: string) =>
      prepareRun({
        loaded,
        system: 's',
        collaborationMode: 1,
        initiator: { id: 'rita' },
        assignments: { operations: ['olga'] },
        params: { prometheusUrl },
      });
    const input = start('http://prom.internal:9090');
    const step = input.runbook.steps[0];
    expect(step?.kind === 'hypercare' && step.analyses[0]?.prometheusUrl).toBe('http://prom.internal:9090');
    try {
      start('http://bad url');
      throw new Error('expected a StartInputError');
    } catch (error) {
      expect(error).toBeInstanceOf(StartInputError);
      expect((error as StartInputError).issues.map((i) => formatPath(i.path))).toEqual(['params.prometheusUrl']);
    }
  });
});
