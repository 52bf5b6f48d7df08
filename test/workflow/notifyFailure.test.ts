import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { buildAuditTrail } from '../../src/audit';
import { getRunStateQuery, resendNotificationUpdate } from '../../src/contract/definitions';
import { tinyServer } from '../activities/harness';
import { autopilot } from '../support/autopilot';
import { defaultRunbookInput } from '../support/defaultRunbook';
import { defaultAssignments, people, startRun } from '../support/runs';
import { startTestSandbox, type TestSandbox } from '../support/sandbox';
import { smtpSink } from '../support/smtpSink';
import { testClient, testWorker } from '../support/temporal';

/**
 * A notification outage does not roll production back. With the Slack webhook down, the default
 * runbook still goes live: the announcement is recorded as not delivered, those it escalates to
 * hear of it by e-mail, and a resend once the webhook is back delivers it.
 */
describe('an announcement that cannot be delivered', () => {
  let client: Client;
  let sandbox: TestSandbox;
  beforeAll(async () => {
    client = await testClient();
  });
  afterAll(async () => client.connection.close());
  beforeEach(async () => {
    sandbox = await startTestSandbox();
  });
  afterEach(async () => sandbox.close());

  it(
    'goes live all the same, escalates on the channels left, and is delivered by a resend',
    { timeout: 240_000 },
    async () => {
      let slackUp = false;
      const slackTexts: string[] = [];
      const slack = await tinyServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString('utf8')));
        req.on('end', () => {
          if (slackUp) slackTexts.push(body);
          res.writeHead(slackUp ? 200 : 503).end(slackUp ? 'ok' : 'down');
        });
      });
      const smtp = await smtpSink();
      // E-mail addresses for people only: the announcement goes to roles, so only Slack could carry it.
      const directory = Object.fromEntries(
        Object.values(defaultAssignments)
          .flat()
          .map((p) => [p, [`${p}@example.test`]]),
      );
      const input = await defaultRunbookInput(sandbox, '1h');
      const announce = input.runbook.steps.find((s) => s.id === 'announce-go-live');
      if (announce?.kind !== 'action') throw new Error('the default runbook announces the go-live');
      announce.retry = { ...announce.retry, maximumAttempts: 2, initialInterval: '1s' };

      const worker = await testWorker({
        activityDeps: {
          notifyConfig: {
            slackWebhookUrl: `${slack.url}/hooks/golive`,
            smtp: { host: '127.0.0.1', port: smtp.port, secure: false, from: 'golive@example.test' },
            directory,
          },
        },
      });
      try {
        await worker.run(async () => {
          const handle = await startRun(client, worker.taskQueue, input);
          const state = await autopilot(handle, input, (s) => s.status === 'hypercare', { timeoutMs: 200_000 });
          const step = state.steps.find((s) => s.id === 'announce-go-live')!;
          expect(step).toMatchObject({
            status: 'completed',
            undelivered: true,
            resendRoles: ['ai-product-manager', 'operations'],
          });
          expect(step.warning).toContain('not delivered');
          expect(state.escalations).toContainEqual(
            expect.objectContaining({ subject: 'announce-go-live', notified: ['ai-product-manager', 'operations'] }),
          );
          const escalationMail = smtp.messages.find(
            (m) => m.includes('announce-go-live') && m.includes('not delivered'),
          );
          expect(escalationMail).toContain(`${people.ops}@example.test`);
          expect(slackTexts).toEqual([]);

          // The webhook is back: the release manager resends it.
          slackUp = true;
          const resent = await handle.executeUpdate(resendNotificationUpdate, {
            args: [{ actor: { id: people.initiator }, stepId: 'announce-go-live' }],
          });
          expect(resent).toMatchObject({ status: 'completed', undelivered: false });
          expect(slackTexts.some((t) => t.includes('is live'))).toBe(true);
          expect((await handle.query(getRunStateQuery)).status).toBe('hypercare');

          const trail = await buildAuditTrail({ client, workflowId: handle.workflowId, refusals: [] });
          const told = trail.entries.filter((e) => e.stepId === 'announce-go-live').map((e) => [e.kind, e.summary]);
          expect(told).toContainEqual([
            'step-failed',
            expect.stringContaining('NOT DELIVERED; the runbook lets this step fail: the run went on'),
          ]);
          expect(told).toContainEqual([
            'notification-resent',
            `${people.initiator} resent "announce-go-live": delivered`,
          ]);
          await handle.terminate('end of test');
        });
      } finally {
        slack.close();
        smtp.close();
      }
    },
  );
});
