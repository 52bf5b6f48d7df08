import * as oidc from 'openid-client';
import { isLoopbackUrl, type Config } from '../config';
import { durationToMs } from '../contract/duration';
import { nameProblem } from '../contract/freeText';

/**
 * OpenID Connect login through openid-client: the authorization-code flow with PKCE (S256),
 * state and nonce, the ID token checked by the library (signature, issuer, audience, expiry,
 * nonce). What golive takes from the login: the subject, a person id (a configured claim), name
 * and e-mail, and the groups claim, mapped to runbook roles by the operator's table. The
 * provider is discovered at the first login (golive starts while it is away) and again after a
 * failure.
 */

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret?: string | undefined;
  /** Unset: the public URL (or the request's origin) + CALLBACK_PATH. */
  redirectUrl?: string | undefined;
  scopes: string;
  groupsClaim: string;
  idClaim: string;
  /** group → runbook roles */
  groupRoles: Record<string, string[]>;
  displayName: string;
  rolesMaxAgeMs: number;
}

const CALLBACK_PATH = '/auth/oidc/callback';

export function oidcSettingsOf(config: Config): OidcSettings | undefined {
  if (!config.GOLIVE_OIDC_ISSUER || !config.GOLIVE_OIDC_CLIENT_ID) return undefined;
  return {
    issuer: config.GOLIVE_OIDC_ISSUER,
    clientId: config.GOLIVE_OIDC_CLIENT_ID,
    clientSecret: config.GOLIVE_OIDC_CLIENT_SECRET,
    redirectUrl: config.GOLIVE_OIDC_REDIRECT_URL,
    scopes: config.GOLIVE_OIDC_SCOPES,
    groupsClaim: config.GOLIVE_OIDC_GROUPS_CLAIM,
    idClaim: config.GOLIVE_OIDC_ID_CLAIM,
    groupRoles: config.GOLIVE_OIDC_GROUP_ROLES,
    displayName: config.GOLIVE_OIDC_DISPLAY_NAME,
    rolesMaxAgeMs: durationToMs(config.GOLIVE_OIDC_ROLES_MAX_AGE),
  };
}

/** The runbook roles a person's groups give them (each group may give several; unknown groups none). */
export function rolesFromGroups(groups: readonly string[], map: Readonly<Record<string, readonly string[]>>): string[] {
  return [...new Set(groups.flatMap((g) => map[g] ?? []))].sort();
}

/** What a login started in the browser must still know at the callback. */
export interface PendingLogin {
  codeVerifier: string;
  nonce: string;
  redirectUri: string;
  /** Where to go afterwards (a local path). */
  next: string;
}

export interface VerifiedIdentity {
  issuer: string;
  subject: string;
  id: string;
  name: string;
  email?: string | undefined;
  groups: string[];
}

export class OidcLoginError extends Error {
  override name = 'OidcLoginError';
}

const PERSON_ID = /^[A-Za-z0-9._@+-]{1,120}$/;

function stringList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  return undefined;
}

export class OidcClient {
  private configuration: Promise<oidc.Configuration> | undefined;

  constructor(readonly settings: OidcSettings) {}

  /** Discovered once; a failed discovery is forgotten, so the next login tries again. */
  private config(): Promise<oidc.Configuration> {
    this.configuration ??= oidc
      .discovery(
        new URL(this.settings.issuer),
        this.settings.clientId,
        this.settings.clientSecret,
        this.settings.clientSecret ? oidc.ClientSecretBasic(this.settings.clientSecret) : oidc.None(),
        // http is accepted for an issuer on this machine only (config.ts refuses the rest).
        { timeout: 10, ...(isLoopbackUrl(this.settings.issuer) ? { execute: [oidc.allowInsecureRequests] } : {}) },
      )
      .catch((err: unknown) => {
        this.configuration = undefined;
        throw new OidcLoginError(
          `the identity provider at ${this.settings.issuer} cannot be reached or read (${err instanceof Error ? err.message : String(err)})`,
        );
      });
    return this.configuration;
  }

  redirectUri(origin: string): string {
    return this.settings.redirectUrl ?? `${origin}${CALLBACK_PATH}`;
  }

  /** Where to send the browser, and what the callback needs (kept server-side by `state`). */
  async begin(origin: string, next: string): Promise<{ url: URL; state: string; pending: PendingLogin }> {
    const config = await this.config();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const redirectUri = this.redirectUri(origin);
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: this.settings.scopes,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url, state, pending: { codeVerifier, nonce, redirectUri, next } };
  }

  /** Redeems the code (PKCE, state, nonce, ID token checked) and reads who logged in. */
  async finish(callbackUrl: URL, state: string, pending: PendingLogin): Promise<VerifiedIdentity> {
    const config = await this.config();
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(
        config,
        callbackUrl,
        {
          pkceCodeVerifier: pending.codeVerifier,
          expectedState: state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        },
        { redirect_uri: pending.redirectUri },
      );
    } catch (err) {
      throw new OidcLoginError(
        `the identity provider's answer was refused: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    const claims = tokens.claims();
    if (!claims) throw new OidcLoginError('the identity provider sent no ID token');
    let groups = stringList(claims[this.settings.groupsClaim]);
    // Providers that keep the groups out of the ID token give them at the userinfo endpoint.
    if (groups === undefined && config.serverMetadata().userinfo_endpoint) {
      const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub).catch(() => undefined);
      groups = stringList(info?.[this.settings.groupsClaim]);
    }
    return this.identity(claims, groups ?? []);
  }

  private identity(claims: oidc.IDToken, groups: string[]): VerifiedIdentity {
    const id = claims[this.settings.idClaim];
    if (typeof id !== 'string' || !PERSON_ID.test(id)) {
      throw new OidcLoginError(
        `the ID token's "${this.settings.idClaim}" claim (GOLIVE_OIDC_ID_CLAIM) is ${id === undefined ? 'missing' : 'not a usable person id (letters, digits, . _ @ + -, up to 120)'}`,
      );
    }
    const name = nameFromClaim(claims.name, id);
    const email = typeof claims.email === 'string' ? claims.email : undefined;
    return { issuer: claims.iss, subject: claims.sub, id, name, email, groups };
  }

  /** The provider's logout page (RP-initiated logout), when it has one. */
  async endSessionUrl(postLogoutRedirect: string): Promise<string | undefined> {
    const config = await this.config().catch(() => undefined);
    if (!config?.serverMetadata().end_session_endpoint) return undefined;
    return oidc.buildEndSessionUrl(config, {
      client_id: this.settings.clientId,
      post_logout_redirect_uri: postLogoutRedirect,
    }).href;
  }
}

/**
 * The name people see: the ID token's `name` claim when it is a name golive takes (one line, no
 * control characters: freeText.ts), else the person id. Every message the person sends carries
 * it, and the workflow refuses a message whose actor's name breaks that rule.
 */
export function nameFromClaim(claim: unknown, id: string): string {
  const name = typeof claim === 'string' ? claim.trim().slice(0, 200) : '';
  return name && !nameProblem(name) ? name : id;
}
