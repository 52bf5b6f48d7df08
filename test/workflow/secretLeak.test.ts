import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { buildAuditTrail, dossierFilesOf } from '../../src/audit';
import { configureLogging, createLogger, redactLogsOf } from '../../src/log';
import { knownSecrets } from '../../activities/redaction';
import type { ActivityDeps } from '../../activities/deps';
import { approveStepUpdate } from '../../src/contract/definitions';
import { closedPort, tinyServer } from '../activities/harness';
import { actor, inputFor, people, startRun, stepStatus, waitForState } from '../support/runs';
import { testClient, testWorker } from '../support/temporal';

/**
 * Secrets never enter the record. A Slack webhook (with its token in the path) and an SMTP
 * server that both fail, and a `${secrets.API_TOKEN}` in a URL and a header of a check that
 * fails: the run notifies, fails and rolls back, and then every output — Temporal history, the
 * run's state, the audit trail, each dossier file, the log — is searched for every secret.
 */

const SLACK_TOKEN_PATH = '/services/T0GOLIVE/B0GOLIVE/slackTokenXq7Zp2';
const SMTP_PASSWORD = 'smtp-Pa55word-9wV';
const API_TOKEN = 'api-token-7f3e9a2cb41d';

/** History as JSON with every payload's bytes decoded next to it (payload data is base64 there). */
function decodedPayloads(json: string): string {
  const decoded = [...json.matchAll(/"data":"([A-Za-z0-9+/=]+)"/g)].map((m) =>
    Buffer.from(m[1]!, 'base64').toString('utf8'),
  );
  return [json, ...decoded].join('\n');
}

describe('secrets', () => {
  let client: Client;
  let target: { url: string; close(): void };
  beforeAll(async () => {
    client = await testClient();
    // Fails every check, and echoes what it was sent (as a careless service would).
    target = await tinyServer((req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`refused ${req.url} with ${JSON.stringify(req.headers)}`);
    });
  });
  afterAll(async () => {
    target.close();
    await client.connection.close();
  });

  it('are redacted from history, state, trail, dossier and logs, whichever path they took', async () => {
    const slackPort = await closedPort();
    const smtpPort = await closedPort();
    const deps: Partial<ActivityDeps> = {
      secrets: (name) => (name === 'API_TOKEN' ? API_TOKEN : undefined),
      secretValues: () => [API_TOKEN],
      notifyConfig: {
        slackWebhookUrl: `http://127.0.0.1:${slackPort}${SLACK_TOKEN_PATH}`,
        smtp: {
          host: '127.0.0.1',
          port: smtpPort,
          secure: false,
          user: 'golive',
          pass: SMTP_PASSWORD,
          from: 'golive@example.org',
        },
        directory: { [people.guardian]: ['guardian@example.org'], [people.guardian2]: ['guardian2@example.org'] },
      },
    };
    const secrets = [SLACK_TOKEN_PATH, SMTP_PASSWORD, API_TOKEN, `127.0.0.1:${slackPort}${SLACK_TOKEN_PATH}`];
    const input = inputFor({
      steps: [
        { id: 'sign-off', kind: 'approval', title: 'Sign-off', approvers: [{ role: 'guardian' }], deadline: '1h' },
        {
          id: 'check',
          kind: 'action',
          title: 'Check with a token',
          action: 'http-check',
          params: {
            endpoints: [
              {
                url: `${target.url}/status/\${secrets.API_TOKEN}`,
                headers: { authorization: 'Bearer ${secrets.API_TOKEN}' },
                expectStatus: 200,
              },
            ],
          },
          timeout: '20s',
          retry: { maximumAttempts: 1 },
        },
      ],
    });
    const worker = await testWorker({ activityDeps: deps });
    const { handle, state } = await worker.run(async () => {
      const h = await startRun(client, worker.taskQueue, input);
      await waitForState(h, (s) => stepStatus(s, 'sign-off') === 'waiting');
      await h.executeUpdate(approveStepUpdate, { args: [{ actor: actor(people.guardian), stepId: 'sign-off' }] });
      return { handle: h, state: await h.result() };
    });
    expect(state.status).toBe('rolled-back');

    const history = decodedPayloads(JSON.stringify(await handle.fetchHistory()));
    const trail = await buildAuditTrail({ client, workflowId: handle.workflowId, refusals: [] });
    const notifications = trail.entries.filter((e) => e.kind === 'notification');
    // The failed deliveries are recorded (with the reason), only the secret in them is not.
    expect(notifications.find((e) => e.summary.includes('NOT DELIVERED'))?.summary).toContain('POST [redacted] failed');
    expect(JSON.stringify(notifications)).toContain('email: connect ECONNREFUSED'); // the SMTP path was taken too
    const outputs: Record<string, string> = {
      history,
      state: JSON.stringify(state),
      trail: JSON.stringify(trail.entries),
      ...Object.fromEntries(
        [...(await dossierFilesOf(trail)).entries()].map(([name, bytes]) => [
          `dossier ${name}`,
          Buffer.from(bytes).toString('utf8'),
        ]),
      ),
    };
    // The log: the worker's logger, told the configured secrets at start as main.ts does.
    const written: string[] = [];
    configureLogging({ level: 'info', destination: { write: (line: string) => void written.push(line) } });
    redactLogsOf(knownSecrets({ ...deps, notifyConfig: deps.notifyConfig! }));
    createLogger('activity').warn('delivery failed', {
      url: deps.notifyConfig!.slackWebhookUrl,
      error: `auth failed for ${SMTP_PASSWORD}`,
    });
    configureLogging({});
    outputs.log = written.join('');

    for (const [where, text] of Object.entries(outputs)) {
      for (const secret of secrets) expect(text.includes(secret), `${where} holds a secret`).toBe(false);
    }
    expect(history).toContain('${secrets.API_TOKEN}'); // the placeholder travels, never the value
    expect(outputs.log).toContain('[redacted]');
  });
});
