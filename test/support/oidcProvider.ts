import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/**
 * A real OpenID Connect provider on loopback for tests: node-oidc-provider (the certified
 * implementation), configured here with one confidential client for golive and accounts whose
 * claims include a `groups` claim. Its development login form takes any account id; the
 * accounts below decide the claims. The server listens first (so golive can be configured with
 * the issuer), and the provider is attached once golive's address — the redirect URL the client
 * is registered with — is known.
 */

export interface TestAccount {
  name: string;
  email: string;
  groups: string[];
  /** Default: the account id. */
  preferredUsername?: string;
}

export const TEST_CLIENT = { id: 'golive', secret: 'golive-test-client-secret-0123456789' } as const;

export interface TestIdp {
  issuer: string;
  /** Registers golive's redirect URL (its origin + /auth/oidc/callback) and starts answering. */
  attach(goliveOrigin: string): void;
  close(): Promise<void>;
}

export async function startTestIdp(accounts: Record<string, TestAccount>): Promise<TestIdp> {
  const server = http.createServer((_req, res) => res.writeHead(503).end('not configured yet'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    attach(goliveOrigin) {
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: TEST_CLIENT.id,
            client_secret: TEST_CLIENT.secret,
            redirect_uris: [`${goliveOrigin}/auth/oidc/callback`],
            post_logout_redirect_uris: [`${goliveOrigin}/login`],
            response_types: ['code'],
            grant_types: ['authorization_code'],
          },
        ],
        async findAccount(_ctx, id) {
          const account = accounts[id];
          if (!account) return undefined;
          return {
            accountId: id,
            claims: async () => ({
              sub: `subject-of-${id}`,
              name: account.name,
              email: account.email,
              preferred_username: account.preferredUsername ?? id,
              groups: account.groups,
            }),
          };
        },
        claims: { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email'], groups: ['groups'] },
        // The groups travel in the ID token, as Keycloak's group mapper and Entra ID put them.
        conformIdTokenClaims: false,
        features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
        pkce: { required: () => true },
        cookies: { keys: ['golive-test-idp-cookie-key'] },
        // Lifetimes set so the provider does not warn about its defaults in every test's output.
        ttl: { Interaction: 600, Session: 3_600, Grant: 3_600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
      });
      server.removeAllListeners('request');
      server.on('request', provider.callback());
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
