import type { Express, Request, Response } from 'express';
import { z } from 'zod';
import type { Principal } from '../../auth/authenticator';
import { OidcLoginError, rolesFromGroups, type PendingLogin } from '../../auth/oidc';
import type { PasskeySummary } from '../../auth/passkeys';
import { parseCookies, sessionCookieHeader } from '../../auth/sessions';
import { cliLoginBodySchema } from '../api';
import { publicOrigin, type ServerContext } from '../deps';
import { HttpError } from '../errors';
import { html, type SafeHtml } from './html';
import { errorPage, formStatus, page, time } from './layout';
import type { PageKit, Send } from './pageKit';

/**
 * The pages of people's own identity: single sign-on through OpenID Connect (the login, the
 * provider's callback, logout), the page where a browser hands `golive login` its token, and
 * the Passkeys page.
 */

const STATE_COOKIE = 'golive_oidc_state';
const LOGIN_TTL_MS = 10 * 60_000;

export function safeNext(value: unknown): string {
  // Only local paths: never let a login bounce to another site.
  return typeof value === 'string' && /^\/(?![/\\])[\w\-./?=&%]*$/.test(value) ? value : '/runs';
}

function stateCookie(value: string, maxAgeMs: number, secure: boolean): string {
  // Lax: the provider sends the browser back with a top-level GET from its own site.
  const attrs = [
    `${STATE_COOKIE}=${value}`,
    'Path=/auth/oidc',
    'HttpOnly',
    'SameSite=Lax',
    `Max-Age=${Math.floor(maxAgeMs / 1000)}`,
  ];
  if (secure) attrs.push('Secure');
  return attrs.join('; ');
}

/** After the provider's redirect the session cookie (SameSite=Strict) rides only on a same-site navigation: this page makes one. */
function continuePage(next: string, who: string, roles: string[]): string {
  return page({
    title: 'Logged in',
    head: html`<meta http-equiv="refresh" content="0;url=${next}">`,
    body: html`<section class="card"><h1>Logged in as ${who}</h1><p>Roles from your groups: ${roles.join(', ') || 'none'}.</p><p><a href="${next}">Continue</a></p></section>`,
  });
}

function registerOidcRoutes(app: Express, ctx: ServerContext, send: Send): void {
  app.get('/auth/oidc/login', async (req, res) => {
    const oidc = ctx.oidc;
    if (!oidc)
      return send(res, 404, errorPage(undefined, 404, 'Single sign-on is not configured here (GOLIVE_OIDC_ISSUER).'));
    try {
      const { url, state, pending } = await oidc.begin(publicOrigin(ctx, req), safeNext(req.query.next));
      await ctx.oneTime.put('oidc-login', state, pending, LOGIN_TTL_MS);
      res.setHeader('Set-Cookie', stateCookie(state, LOGIN_TTL_MS, ctx.secureCookies));
      res.redirect(303, url.href);
    } catch (err) {
      if (!(err instanceof OidcLoginError)) throw err;
      ctx.log.warn('single sign-on unavailable', { reason: err.message });
      send(
        res,
        503,
        errorPage(undefined, 503, `Single sign-on is unavailable: ${err.message}. Try again in a moment.`),
      );
    }
  });

  app.get('/auth/oidc/callback', (req, res) => oidcCallback(ctx, req, res, send));

  // After golive's own logout: the provider's too, when it has a logout page.
  app.get('/auth/oidc/logout', async (req, res) => {
    const provider = await ctx.oidc?.endSessionUrl(`${publicOrigin(ctx, req)}/login`);
    res.redirect(303, provider ?? '/login');
  });
}

/** The provider sends the browser back here: check the login was started in this browser, then start a session. */
async function oidcCallback(ctx: ServerContext, req: Request, res: Response, send: Send): Promise<void> {
  const oidc = ctx.oidc;
  if (!oidc) return send(res, 404, errorPage(undefined, 404, 'Single sign-on is not configured here.'));
  const fail = (status: 400 | 401 | 403 | 503, message: string) =>
    send(res, status, errorPage(undefined, status, `${message} `));
  const query = z
    .object({
      state: z.string().max(500).optional(),
      error: z.string().max(200).optional(),
      error_description: z.string().max(1000).optional(),
    })
    .safeParse(req.query);
  if (!query.success)
    return fail(400, 'The identity provider sent back something golive cannot read. Start the login again.');
  const { state, error, error_description: description } = query.data;
  res.setHeader('Set-Cookie', stateCookie('', 0, ctx.secureCookies));
  if (error)
    return fail(401, `The identity provider did not log you in (${error}${description ? `: ${description}` : ''}).`);
  // Bound to this browser: a login started elsewhere (login CSRF) has no cookie here.
  if (!state || parseCookies(req.headers.cookie)[STATE_COOKIE] !== state)
    return fail(
      400,
      'This login was not started in this browser, or took too long. Start it again from the login page.',
    );
  const pending = await ctx.oneTime.take<PendingLogin>('oidc-login', state);
  if (!pending) return fail(400, 'This login expired or was used already. Start it again from the login page.');
  try {
    const who = await oidc.finish(new URL(req.originalUrl, publicOrigin(ctx, req)), state, pending);
    if (ctx.directory.file.get(who.id))
      return fail(
        403,
        `The identity provider names you "${who.id}", a person of golive's users file; single sign-on cannot log in as them. Ask an administrator.`,
      );
    const roles = rolesFromGroups(who.groups, oidc.settings.groupRoles);
    const recorded = await ctx.directory.oidc!.recordLogin({ ...who, roles });
    if (!recorded.ok) return fail(403, recorded.problem);
    const { cookie, maxAgeMs } = await ctx.auth.startSession(recorded.person, 'oidc');
    ctx.log.info('login', { user: who.id, via: 'oidc', roles, groups: who.groups.length });
    res.setHeader('Set-Cookie', sessionCookieHeader(cookie, maxAgeMs, ctx.secureCookies));
    send(res, 200, continuePage(pending.next, recorded.person.name, roles));
  } catch (err) {
    if (!(err instanceof OidcLoginError)) throw err;
    ctx.log.warn('single sign-on refused', { reason: err.message });
    fail(401, `Single sign-on failed: ${err.message}.`);
  }
}

/** The login page's way in through single sign-on, when it is configured. */
export function singleSignOn(ctx: ServerContext, next: string): SafeHtml | false {
  return (
    ctx.oidc !== undefined &&
    html`<p><a class="button" href="/auth/oidc/login?next=${encodeURIComponent(next)}">Log in with ${ctx.oidc.settings.displayName}</a></p><p class="hint">Or with a golive user id and password:</p>`
  );
}

function cliLoginPage(principal: Principal, q: z.infer<typeof cliLoginBodySchema>): SafeHtml {
  return html`<section class="card login"><h1>Log in the golive command line</h1>
  <p><code>golive login</code> asks for an API token for <strong>${principal.person.name}</strong> (${principal.person.id}; roles ${principal.person.roles.join(', ') || 'none'}). It acts as you until it expires or you log out there.</p>
  <p class="hint">Continue only if you ran <code>golive login</code> yourself just now.</p>
  <form id="cli-login-form" data-api="/api/cli-logins" data-follow data-success="Done: go back to your terminal.">
    <input type="hidden" name="state" value="${q.state}"><input type="hidden" name="challenge" value="${q.challenge}">
    ${q.port !== undefined && html`<input type="hidden" name="port" value="${q.port}" data-type="number">`}
    ${formStatus()}<button type="submit">Give the command line a token</button>
  </form></section>`;
}

function passkeysPage(passkeys: PasskeySummary[], principal: Principal): SafeHtml {
  const fresh = principal.via === 'session';
  return html`<h1>Passkeys</h1>
  <p class="hint">Some approvals (the runbook marks them) are signed by your own passkey over exactly what you decide: the run, the step, approve or reject, your comment and the evidence. The record keeps the signature, and anyone can check it offline.</p>
  <section class="card" aria-labelledby="mine-h"><h2 id="mine-h">Your passkeys</h2>
  ${
    passkeys.length === 0
      ? html`<p class="empty">You have no passkey yet.</p>`
      : html`<ul class="records passkeys">${passkeys.map(
          (
            p,
          ) => html`<li data-passkey-id="${p.credentialId}"><strong>${p.label}</strong> <small class="muted">added ${time(p.createdAt)}${p.lastUsedAt && html` · last used ${time(p.lastUsedAt)}`}</small>
          <form id="rm-${p.credentialId.slice(0, 16)}-form" data-api="/api/passkeys/${encodeURIComponent(p.credentialId)}" data-method="DELETE" data-redirect="/passkeys">${formStatus()}<button type="submit" class="link">Remove</button></form></li>`,
        )}</ul>`
  }</section>
  <section class="card" aria-labelledby="add-h"><h2 id="add-h">Add a passkey</h2>
  ${
    fresh
      ? html`<form id="passkey-register-form" data-passkey-register="/api/passkeys" novalidate>
    <div class="field"><label for="passkey-label">Name <small>(which device, e.g. "work laptop")</small></label><input id="passkey-label" name="label" required maxlength="80"></div>
    <p class="hint">Your browser asks your device (fingerprint, face, PIN or security key). Adding one needs a login within the last 15 minutes: log out and in again if it is refused.</p>
    ${formStatus()}<button type="submit">Add a passkey</button></form>`
      : html`<p class="hint">Passkeys are added in a browser where you logged in to golive.</p>`
  }</section>`;
}

export function registerIdentityPages({ app, ctx, send, pageRoute, render }: PageKit): void {
  registerOidcRoutes(app, ctx, send);

  pageRoute('/auth/cli', async (req, res, principal) => {
    const q = cliLoginBodySchema.safeParse(req.query);
    if (!q.success) throw new HttpError(400, 'This link is not one golive login made: run golive login again.');
    render(res, principal, 'Log in the command line', cliLoginPage(principal, q.data));
  });

  pageRoute('/passkeys', async (_req, res, principal) => {
    render(
      res,
      principal,
      'Passkeys',
      passkeysPage(await ctx.passkeys.list(principal.person.id), principal),
      'passkeys',
    );
  });
}
