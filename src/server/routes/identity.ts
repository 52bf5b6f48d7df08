import { createHash, randomBytes } from 'node:crypto';
import type { Router } from 'express';
import { PasskeyError, registrationOptions, summaryOf, verifiedRegistration } from '../../auth/passkeys';
import { clientDataOf } from '../../contract/passkeyBinding';
import { operations } from '../api';
import type { ServerContext } from '../deps';
import { HttpError } from '../errors';
import { decisionChallenge, relyingParty } from '../passkeyDecisions';
import { route } from '../route';

/**
 * People's own credentials: their passkeys (register, list, remove), the challenge a passkey
 * signs for a decision, and the API token `golive login` gets through the browser.
 */

const REGISTRATION_TTL_MS = 5 * 60_000;
const CLI_CODE_TTL_MS = 5 * 60_000;
const DEFAULT_CLI_TOKEN_TTL_MS = 7 * 24 * 3_600_000;

function registerPasskeyRoutes(router: Router, ctx: ServerContext): void {
  route(router, ctx, operations.listPasskeys, async ({ principal }) => ({
    passkeys: (await ctx.passkeys.list(principal.person.id)).map(summaryOf),
  }));

  route(router, ctx, operations.passkeyRegistrationOptions, async ({ req, principal }) => {
    const rp = relyingParty(ctx, req);
    const options = await registrationOptions(rp, principal.person, await ctx.passkeys.list(principal.person.id));
    await ctx.oneTime.put('passkey-registration', options.challenge, rp, REGISTRATION_TTL_MS, principal.person.id);
    return { options };
  });

  route(router, ctx, operations.registerPasskey, async ({ principal, body }) => {
    const challenge = clientDataOf(body.response.response.clientDataJSON)?.challenge;
    const rp =
      typeof challenge === 'string'
        ? await ctx.oneTime.take<{ rpId: string; origin: string }>(
            'passkey-registration',
            challenge,
            principal.person.id,
          )
        : undefined;
    if (!rp || typeof challenge !== 'string') {
      throw new HttpError(
        400,
        'the passkey answers a challenge that expired, was used or was not issued to you: start the registration again',
        { issues: [{ path: 'response', message: 'unknown challenge' }] },
      );
    }
    try {
      const verified = await verifiedRegistration(rp, challenge, body.response);
      if (await ctx.passkeys.get(verified.credentialId)) throw new HttpError(409, 'this passkey is registered already');
      const stored = await ctx.passkeys.add({ ...verified, userId: principal.person.id, label: body.label });
      ctx.log.info('passkey registered', {
        user: principal.person.id,
        credentialId: stored.credentialId,
        label: stored.label,
      });
      return { passkey: summaryOf(stored) };
    } catch (err) {
      if (err instanceof PasskeyError)
        throw new HttpError(400, err.message, { issues: [{ path: 'response', message: err.message }] });
      throw err;
    }
  });

  route(router, ctx, operations.deletePasskey, async ({ res, principal, params }) => {
    if (!(await ctx.passkeys.remove(principal.person.id, params.credentialId)))
      throw new HttpError(404, 'you have no passkey with that id');
    ctx.log.info('passkey removed', { user: principal.person.id, credentialId: params.credentialId });
    res.status(204).end();
    return undefined;
  });

  route(router, ctx, operations.passkeyChallenge, async ({ req, principal, params, body }) =>
    decisionChallenge(ctx, req, principal, {
      runId: params.runId,
      stepId: params.stepId,
      decision: body.decision,
      comment: body.comment,
    }),
  );
}

/** base64url(SHA-256(text)): the S256 proof of a verifier. */
const s256 = (text: string) => createHash('sha256').update(text).digest('base64url');

interface CliCode {
  userId: string;
  challenge: string;
}

function registerCliLoginRoutes(router: Router, ctx: ServerContext): void {
  // In the browser, logged in (password or single sign-on): a one-use code for the CLI.
  route(router, ctx, operations.cliLogin, async ({ principal, body }) => {
    const code = randomBytes(32).toString('base64url');
    await ctx.oneTime.put(
      'cli-login',
      code,
      { userId: principal.person.id, challenge: body.challenge } satisfies CliCode,
      CLI_CODE_TTL_MS,
    );
    const redirect =
      body.port !== undefined
        ? `http://127.0.0.1:${body.port}/callback?${new URLSearchParams({ code, state: body.state })}`
        : undefined;
    return { ...(redirect ? { redirect } : { code }), expiresInSeconds: CLI_CODE_TTL_MS / 1000 };
  });

  // From the CLI: the code and the verifier only it holds, for a token of the person who handed it over.
  route(router, ctx, operations.cliToken, async ({ body }) => {
    const pending = await ctx.oneTime.take<CliCode>('cli-login', body.code);
    if (!pending || s256(body.verifier) !== pending.challenge) {
      throw new HttpError(
        400,
        'the login code is unknown, used, expired, or not for this verifier: run golive login again',
        { issues: [{ path: 'code', message: 'not redeemable' }] },
      );
    }
    const person = await ctx.directory.get(pending.userId);
    if (!person) throw new HttpError(400, 'the person who handed over this code is no longer in the directory');
    const issued = await ctx.auth.tokens.issue(
      person.id,
      body.label,
      ctx.deps.cliTokenTtlMs ?? DEFAULT_CLI_TOKEN_TTL_MS,
    );
    ctx.log.info('API token issued', { user: person.id, label: body.label, expiresAt: issued.expiresAt });
    return { token: issued.token, expiresAt: issued.expiresAt, user: person };
  });
}

export function registerIdentityRoutes(router: Router, ctx: ServerContext): void {
  registerPasskeyRoutes(router, ctx);
  registerCliLoginRoutes(router, ctx);
}
