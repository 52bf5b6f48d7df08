/**
 * How a notification reads on each channel. Subjects and texts carry what people typed (a Red
 * Button report, a rejection comment), so each channel gets them escaped by its own rules:
 * Slack's mrkdwn treats `<…>` as control sequences (`<!channel>` pings everyone,
 * `<https://evil|Open golive>` disguises a link), so `&`, `<` and `>` become entities, exactly
 * the three Slack asks to escape; the HTML part of an e-mail is escaped as HTML.
 */

export interface NotificationText {
  to: string[];
  subject: string;
  text: string;
  severity: string;
}

function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c);
}

/** The Slack message: our own bold header around the escaped subject, then the escaped text. */
export function slackMessage(p: NotificationText): string {
  return `*[${p.severity}] ${escapeSlack(p.subject)}*\nfor: ${escapeSlack(p.to.join(', '))}\n${escapeSlack(p.text)}`;
}

/** The HTML alternative of the e-mail (the plain-text part carries the text as is). */
export function mailHtml(p: NotificationText): string {
  return `<!doctype html><html><body><h3>[${escapeHtml(p.severity)}] ${escapeHtml(p.subject)}</h3><pre style="white-space:pre-wrap;font-family:inherit">${escapeHtml(p.text)}</pre></body></html>`;
}
