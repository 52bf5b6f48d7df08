import { describe, expect, it } from 'vitest';
import { notify } from '../../activities/notify';
import { smtpSink } from '../support/smtpSink';
import { closedPort, exec, expectFailure, makeDeps, tinyServer } from './harness';

/** A Slack-compatible webhook on loopback that keeps what it was sent. */
async function slackSink(): Promise<{ url: string; bodies: string[]; close(): void }> {
  const bodies: string[] = [];
  const server = await tinyServer((req, res) => {
    req.on('data', (c: Buffer) => bodies.push(c.toString()));
    req.on('end', () => res.end('ok'));
  });
  return { ...server, bodies };
}

const message = {
  to: ['release-manager', 'bob@example.test'],
  subject: 'Go-live approved',
  text: 'Step deploy approved by alice.',
};

describe('notify', () => {
  it('records a logged-only message when no channel is configured, and never throws for that', async () => {
    const logged: unknown[] = [];
    const r = await exec(
      notify(makeDeps({ log: { info: (_m, meta) => logged.push(meta), warn: () => undefined } })),
      message,
    );
    expect(r).toEqual({ recipients: message.to, deliveries: [], loggedOnly: true });
    expect(logged).toHaveLength(1);
  });

  it('posts to a Slack-compatible webhook and mails the role and the person over SMTP', async () => {
    const slack = await slackSink();
    const slackBodies = slack.bodies;
    const smtp = await smtpSink();
    try {
      const deps = makeDeps({
        notifyConfig: {
          slackWebhookUrl: `${slack.url}/services/T/B/X`,
          smtp: { host: '127.0.0.1', port: smtp.port, secure: false, from: 'golive@example.test' },
          directory: { 'release-manager': ['rm@example.test'] },
        },
      });
      const r = await exec(notify(deps), message);
      expect(r.loggedOnly).toBe(false);
      expect(r.deliveries).toEqual([
        { channel: 'slack', ok: true, detail: 'status 200' },
        { channel: 'email', ok: true, detail: 'accepted 2, rejected 0' },
      ]);
      expect(slackBodies.join('')).toContain('Go-live approved');
      expect(smtp.messages[0]).toContain('Subject: [golive info] Go-live approved');
      expect(JSON.stringify(r)).not.toContain('/services/T/B/X');
    } finally {
      slack.close();
      smtp.close();
    }
  });

  it('fails retryably only when every configured channel failed', async () => {
    const port = await closedPort();
    const deps = makeDeps({ notifyConfig: { slackWebhookUrl: `http://127.0.0.1:${port}/hook` } });
    const f = await expectFailure(exec(notify(deps), message), 'ConnectionFailed', false);
    expect(f.message).toContain('ECONNREFUSED');
  });

  it('escapes people’s text for Slack and for the HTML part of the mail: <!channel> and disguised links stay inert', async () => {
    const slack = await slackSink();
    const smtp = await smtpSink();
    try {
      const deps = makeDeps({
        notifyConfig: {
          slackWebhookUrl: `${slack.url}/hook`,
          smtp: { host: '127.0.0.1', port: smtp.port, secure: false, from: 'golive@example.test' },
        },
      });
      const report = {
        to: ['ops@example.test'],
        subject: 'Report <!here>',
        text: 'Hey <!channel> see <https://evil.example|Open golive> & <script>alert(1)</script>',
      };
      await exec(notify(deps), report);
      const sent = (JSON.parse(slack.bodies.join('')) as { text: string }).text;
      expect(sent).toContain('&lt;!channel&gt; see &lt;https://evil.example|Open golive&gt; &amp; &lt;script&gt;');
      expect(sent).toContain('*[info] Report &lt;!here&gt;*');
      expect(sent).not.toMatch(/<[!h]/);
      const mail = (smtp.messages[0] ?? '').replace(/=\n/g, '').replace(/=3D/g, '=');
      expect(mail).toContain('text/html');
      expect(mail).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(mail).toContain('<h3>[info] Report &lt;!here&gt;</h3>');
    } finally {
      slack.close();
      smtp.close();
    }
  });
});
