import nodemailer from 'nodemailer';
import type { z } from 'zod';
import type { ActivityDeps, NotifyConfig, SmtpConfig } from './deps';
import { isTransient, parseParams, transient } from './errors';
import { httpCall, statusMatches } from './http';
import { mailHtml, slackMessage } from './notifyText';
import { notifyParams, type NotifyResult } from '../src/contract/schemas/actions/notify';

type Params = z.output<typeof notifyParams>;
type Delivery = NotifyResult['deliveries'][number];

/**
 * Messages roles or people over the configured channels. No channel configured is not an
 * error: the message is logged and the result says `loggedOnly`. It fails (retryably) only when
 * every configured channel failed, so a partial delivery is not repeated by a retry.
 */
export function notify(deps: ActivityDeps) {
  return async function notify(input: unknown): Promise<NotifyResult> {
    const p = parseParams(notifyParams, input);
    const cfg = deps.notifyConfig;
    const wanted = p.channels ?? ['slack', 'email'];
    const deliveries: Delivery[] = [];
    if (wanted.includes('slack') && cfg.slackWebhookUrl) deliveries.push(await toSlack(cfg.slackWebhookUrl, p, deps));
    if (wanted.includes('email') && cfg.smtp) {
      const addresses = emailsFor(p.to, cfg);
      deliveries.push(
        addresses.length === 0
          ? { channel: 'email', ok: false, detail: 'no e-mail address for these recipients' }
          : await toEmail(cfg.smtp, addresses, p),
      );
    }
    const attempted = deliveries.filter((d) => d.detail !== 'no e-mail address for these recipients');
    if (deliveries.length === 0) {
      deps.log?.info('notify: no channel configured, message logged only', {
        to: p.to,
        subject: p.subject,
        severity: p.severity,
        text: p.text,
      });
    } else if (attempted.length > 0 && attempted.every((d) => !d.ok)) {
      transient(
        'ConnectionFailed',
        `notify: every channel failed: ${attempted.map((d) => `${d.channel}: ${d.detail}`).join('; ')}`,
        { deliveries },
      );
    }
    return { recipients: p.to, deliveries, loggedOnly: deliveries.length === 0 };
  };
}

async function toSlack(webhookUrl: string, p: Params, deps: ActivityDeps): Promise<Delivery> {
  const text = slackMessage(p);
  try {
    const res = await httpCall({ url: webhookUrl, method: 'POST', body: { text }, timeoutMs: 10_000 }, deps, {
      operatorConfigured: true,
    });
    return { channel: 'slack', ok: statusMatches(res.status, undefined), detail: `status ${res.status}` };
  } catch (error) {
    if (!isTransient(error)) throw error;
    return { channel: 'slack', ok: false, detail: error.message };
  }
}

async function toEmail(smtp: SmtpConfig, to: string[], p: Params): Promise<Delivery> {
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.pass ?? '' } } : {}),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  try {
    const info = await transport.sendMail({
      from: smtp.from,
      to,
      subject: `[golive ${p.severity}] ${p.subject}`,
      text: p.text,
      html: mailHtml(p),
    });
    return {
      channel: 'email',
      ok: info.accepted.length > 0,
      detail: `accepted ${info.accepted.length}, rejected ${info.rejected.length}`,
    };
  } catch (error) {
    return { channel: 'email', ok: false, detail: error instanceof Error ? error.message : String(error) };
  } finally {
    transport.close();
  }
}

/** Addresses are used as given; names are looked up in the directory (roles or people). */
function emailsFor(to: string[], cfg: NotifyConfig): string[] {
  const out = new Set<string>();
  for (const r of to) for (const a of r.includes('@') ? [r] : (cfg.directory?.[r] ?? [])) out.add(a);
  return [...out];
}
