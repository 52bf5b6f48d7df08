import type { Principal } from '../../auth/authenticator';
import { AGAIN } from '../unavailable';
import { html, type SafeHtml } from './html';

/** The page shell and the small formatting pieces every page uses. */

export interface PageOptions {
  title: string;
  principal?: Principal;
  csrfToken?: string;
  /** Which nav entry is current. */
  nav?: 'runs' | 'approvals' | 'passkeys' | 'reports';
  body: SafeHtml;
  /** Extra elements for <head> (a page that moves on by itself). */
  head?: SafeHtml;
  /** A banner across the top while something golive needs is away (Temporal, the database). */
  outage?: string;
}

/** What the outage banner says while Temporal is unreachable. */
const TEMPORAL_OUTAGE_BANNER =
  'Temporal is unreachable: runs cannot be read or changed right now. This page retries by itself; nothing you sent has been lost.';

export function page(o: PageOptions): string {
  const navLink = (href: string, key: PageOptions['nav'], label: string) =>
    html`<a href="${href}" ${o.nav === key ? html`aria-current="page"` : ''}>${label}</a>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${o.csrfToken ? html`<meta name="csrf-token" content="${o.csrfToken}">` : ''}
<title>${o.title} · golive</title>
${o.head}
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/style.css">
<script type="module" src="/assets/app.mjs"></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="/runs">golive</a>
  ${
    o.principal &&
    html`<nav aria-label="Main">${navLink('/runs', 'runs', 'Runs')}${navLink('/approvals', 'approvals', 'My approvals')}${navLink('/reports', 'reports', 'Red Button')}${navLink('/passkeys', 'passkeys', 'Passkeys')}</nav>
  <div class="who">
    <span>${o.principal.person.name} <small>(${o.principal.person.roles.join(', ') || 'no roles'})</small></span>
    ${o.principal.via === 'session' && html`<form data-api="/api/session" data-method="DELETE" data-redirect="${o.principal.session.method === 'oidc' ? '/auth/oidc/logout' : '/login'}"><button type="submit" class="link">Log out</button></form>`}
  </div>`
  }
</header>
<main id="main" tabindex="-1">
<p id="outage" class="outage" role="alert"${o.outage ? '' : ' hidden'}>${o.outage ?? TEMPORAL_OUTAGE_BANNER}</p>
<p id="flash" class="flash" role="status" aria-live="polite" tabindex="-1"></p>
${o.body}
</main>
</body>
</html>`.value;
}

export function badge(status: string): SafeHtml {
  return html`<span class="badge status-${status.replace(/[^a-z-]/g, '')}">${status}</span>`;
}

/** A UTC time to the minute; `seconds` for records where order within a minute matters (audit). */
export function time(iso: string | undefined, opts: { seconds?: boolean } = {}): SafeHtml | string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return html`<time datetime="${iso}">${d
    .toISOString()
    .slice(0, opts.seconds ? 19 : 16)
    .replace('T', ' ')} UTC</time>`;
}

/** Query values without the empty ones a GET form sends for "any", ready for a zod schema. */
export function filledIn(query: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v !== ''));
}

export function duration(from: string | undefined, to: string | undefined, now = Date.now()): string {
  if (!from) return '';
  const ms = (to ? Date.parse(to) : now) - Date.parse(from);
  if (!Number.isFinite(ms) || ms < 0) return '';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h}h ${m % 60}m` : `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** Where a form reports its outcome; app.mjs fills it. */
export function formStatus(): SafeHtml {
  return html`<p class="form-status" role="alert" aria-live="polite"></p>`;
}

export function errorPage(principal: Principal | undefined, status: number, message: string): string {
  const title =
    status === 404
      ? 'Not found'
      : status === 403
        ? 'Not allowed'
        : status === 503
          ? 'Temporarily unavailable'
          : `Something went wrong (${status})`;
  // A page was asked for, nothing was sent: the API's advice on resending decisions is not for its reader.
  const said = status === 503 ? message.replace(AGAIN, '').trim() : message;
  return page({
    title: status === 404 ? 'Not found' : `Error ${status}`,
    ...(principal ? { principal } : {}),
    ...(status === 503 ? { outage: said } : {}),
    body: html`<section class="card error-page"><h1>${title}</h1><p class="error">${said}</p><p><a href="/runs">Back to the runs</a>${principal && html` · <a href="/approvals">My approvals</a>`}</p></section>`,
  });
}

/** "field: why" lines for filters a page ignored (the issues' messages are already in plain words). */
export function filterProblems(issues: readonly { path: PropertyKey[]; message: string }[]): string[] {
  return issues.map((i) => `${i.path.map(String).join('.') || 'filters'}: ${i.message}`);
}

export function badFiltersNotice(problems: readonly string[]): SafeHtml | false {
  return (
    problems.length > 0 &&
    html`<div class="error" role="alert"><p>Some filters were not valid and were ignored:</p><ul>${problems.map((p) => html`<li>${p}</li>`)}</ul></div>`
  );
}
