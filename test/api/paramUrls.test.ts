import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunStateView } from '../../src/contract/definitions';
import { apiAs, eventually, smallRunbookVariant, useExtraRunbooks, useTestApp } from '../support/app';

/** A URL parameter is a base that runbooks join paths to: `${params.targetUrl}/health`. */

const RUNBOOK = 'web-url-param';

// The small runbook with a target URL parameter and, first, a connection check against it.
const runbooks = useExtraRunbooks(
  { beforeAll, afterAll },
  {
    [`${RUNBOOK}.yaml`]: smallRunbookVariant(RUNBOOK, [
      ['parameters:\n', 'parameters:\n  targetUrl:\n    type: url\n    description: The target.\n'],
      [
        'steps:\n',
        [
          'steps:',
          '  - id: system-connections',
          '    kind: action',
          '    title: System connections reachable',
          '    phase: Integration',
          '    action: http-check',
          '    params:',
          '      endpoints:',
          '        - { name: health, url: "${params.targetUrl}/health", expectStatus: 200 }',
          '',
        ].join('\n'),
      ],
    ]),
  },
);
const app = useTestApp({ beforeAll, afterAll }, runbooks);

// The target: /health answers 200, any other path (`//health` too) 404; every path asked is kept.
const asked: string[] = [];
const target = http.createServer((req, res) => {
  asked.push(req.url ?? '');
  res.writeHead(req.url === '/health' ? 200 : 404).end();
});
beforeAll(() => new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve)));
afterAll(() => new Promise<void>((resolve) => target.close(() => resolve())));

describe('a URL parameter given with a trailing slash', () => {
  it('joins the paths after it with one slash: the connection check passes', async () => {
    const base = `http://127.0.0.1:${(target.address() as AddressInfo).port}/`;
    const start = await apiAs(app(), 'rm')('POST', '/api/runs', {
      runbook: RUNBOOK,
      system: 'url-trailing-slash',
      collaborationMode: 2,
      params: { targetUrl: base },
    });
    expect(start.status, JSON.stringify(start.body)).toBe(201);
    const runId = (start.body as { runId: string }).runId;
    // A 404 fails the check (and the run) at once: wait for either outcome, then judge it.
    const step = await eventually(
      async () => {
        const run = await apiAs(app(), 'rm')<RunStateView>('GET', `/api/runs/${runId}`);
        const status = run.body.steps?.find((s) => s.id === 'system-connections')?.status;
        return status === 'completed' || status === 'failed' ? status : undefined;
      },
      'the connection check to end',
      60_000,
    );
    expect([step, asked]).toEqual(['completed', ['/health']]);
  });
});
