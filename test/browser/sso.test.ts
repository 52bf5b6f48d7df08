import { spawn } from 'node:child_process';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OidcSettings } from '../../src/auth/oidc';
import { apiAs, eventually, SMALL_RUNBOOK, useTestApp, untilStepOf } from '../support/app';
import { hasChromium, launchBrowser, screenshot } from '../support/browser';
import { startTestIdp, TEST_CLIENT, type TestIdp } from '../support/oidcProvider';
import { BIN, runCli, tempDir } from '../cli/support';

/**
 * Single sign-on through a real OpenID Connect provider (node-oidc-provider on loopback) in the
 * real browser: people log in with the provider, their groups become runbook roles, and those
 * roles are what the start check and the run's authorization see — a person without the group
 * cannot be assigned the role. The users file works beside it; `golive login` gets a token
 * through the same browser login.
 */

const ACCOUNTS = {
  grace: { name: 'Grace Guardian', email: 'grace@example.org', groups: ['golive-guardians', 'staff'] },
  nils: { name: 'Nils Nogroup', email: 'nils@example.org', groups: ['staff'] },
  // Claims the id of a person in the users file: refused.
  imposter: {
    name: 'Not The Guardian',
    email: 'x@example.org',
    groups: ['golive-guardians'],
    preferredUsername: 'guardian',
  },
};

let idp: TestIdp | undefined;
beforeAll(async () => {
  idp = await startTestIdp(ACCOUNTS);
});
afterAll(async () => {
  await idp?.close();
});

const oidcSettings = (): OidcSettings => ({
  issuer: idp!.issuer,
  clientId: TEST_CLIENT.id,
  clientSecret: TEST_CLIENT.secret,
  scopes: 'openid profile email groups',
  groupsClaim: 'groups',
  idClaim: 'preferred_username',
  groupRoles: { 'golive-guardians': ['guardian'], 'golive-release': ['ai-product-manager'] },
  displayName: 'Test IdP',
  rolesMaxAgeMs: 30 * 86_400_000,
});

const app = useTestApp({ beforeAll, afterAll }, () => ({ oidc: oidcSettings() }));
/** The browser reaches golive by name (passkeys and cookies want one); the app listens on 127.0.0.1. */
const origin = () => app().url.replace('127.0.0.1', 'localhost');
beforeAll(() => idp!.attach(origin()));
const as = (id: string) => apiAs(app(), id);

let browser: Browser | undefined;
beforeAll(async () => {
  if (hasChromium) browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** Logs in through the provider's own login and consent pages, from golive's login page. */
async function ssoLogin(account: string): Promise<Page> {
  const context = await browser!.newContext({ baseURL: origin(), viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto('/login?next=/approvals');
  await page.getByRole('link', { name: 'Log in with Test IdP' }).click();
  await page.waitForURL((u) => u.href.startsWith(idp!.issuer));
  await page.locator('input[name="login"]').fill(account);
  await page.locator('input[name="password"]').fill('any password: the test provider checks none');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  // The provider asks once to share the profile, e-mail and groups with golive.
  await page.getByRole('button', { name: /continue/i }).click();
  return page;
}

const untilStep = (runId: string, stepId: string, status: string) => untilStepOf(app(), runId, stepId, status);

describe.skipIf(!hasChromium)('single sign-on with OpenID Connect', () => {
  it('logs a person in through the provider; their groups are their roles, and the run authorizes them by those roles', async () => {
    const page = await ssoLogin('grace');
    await page.waitForURL(/\/approvals$/);
    await expect.poll(() => page.locator('header .who').textContent()).toContain('Grace Guardian (guardian)');
    await screenshot(page, 'sso-logged-in');

    // The release manager (users file) assigns her as Guardian: the directory knows her from her login.
    const started = await as('rm')('POST', '/api/runs', {
      runbook: SMALL_RUNBOOK,
      system: 'sso-grace',
      collaborationMode: 2,
      assignments: { guardian: ['grace'] },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const runId = started.body.runId as string;
    const trail = await as('rm')('GET', `/api/runs/${runId}/history?kind=run-started`);
    expect(trail.body.entries[0].details.directory).toMatchObject({ grace: ['guardian'] });
    await untilStep(runId, 'validation-report', 'waiting');
    expect(
      (await as('ie')('POST', `/api/runs/${runId}/steps/validation-report/evidence`, { itemId: 'accuracy', value: 98 }))
        .status,
    ).toBe(200);
    await untilStep(runId, 'guardian-sign-off', 'waiting');

    // She decides in the browser, as the Guardian her group makes her.
    await page.goto(`/runs/${runId}`);
    const form = page.locator('#decide-guardian-sign-off-form');
    await form.getByLabel(/Comment/).fill('signed off through single sign-on');
    await form.getByRole('button', { name: 'Approve' }).click();
    const state = await untilStep(runId, 'hypercare', 'running');
    expect(state.decisions[0]).toMatchObject({
      actor: { id: 'grace', name: 'Grace Guardian', roles: ['guardian'] },
      role: 'guardian',
      roleSource: 'directory',
    });

    // Logging out ends golive's session and goes through the provider's logout.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL((u) => u.href.startsWith(idp!.issuer) || u.pathname === '/login');
    const after = await page.context().request.get(`${origin()}/api/me`);
    expect(after.status()).toBe(401);
    await page.context().close();
  });

  it('a person without the group holds no role, and cannot be assigned it', async () => {
    const page = await ssoLogin('nils');
    await page.waitForURL(/\/approvals$/);
    await expect.poll(() => page.locator('header .who').textContent()).toContain('Nils Nogroup (no roles)');
    await page.context().close();
    const refused = await as('rm')('POST', '/api/runs', {
      runbook: SMALL_RUNBOOK,
      system: 'sso-nils',
      collaborationMode: 2,
      assignments: { guardian: ['nils'] },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.issues).toEqual([
      {
        path: 'assignments.guardian[0]',
        message: expect.stringMatching(
          /^nils does not hold the role guardian in the directory \(their roles \(from their groups at their last single sign-on login\): none\)/,
        ),
      },
    ]);
    // Someone nobody knows is named as such.
    const unknown = await as('rm')('POST', '/api/runs', {
      runbook: SMALL_RUNBOOK,
      system: 'sso-nobody',
      collaborationMode: 2,
      assignments: { guardian: ['nobody'] },
    });
    expect(unknown.body.error.issues[0].message).toBe(
      'no person "nobody" in the directory (the users file, or a person who logged in through single sign-on)',
    );
  });

  it('refuses a provider account that claims the id of a person in the users file', async () => {
    const page = await ssoLogin('imposter');
    await expect.poll(() => page.locator('.error-page').textContent()).toContain("a person of golive's users file");
    const me = await page.context().request.get(`${origin()}/api/me`);
    expect(me.status()).toBe(401);
    await page.context().close();
  });

  it('golive login gets an API token through the browser login, and acts as the person with their roles', async () => {
    const home = tempDir('golive-sso-cli-');
    const child = spawn(process.execPath, [BIN, 'login', '--browser', '--no-open', '--url', origin()], {
      env: { PATH: process.env.PATH ?? '', HOME: home, NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const address = await eventually(
      async () => /(http:\/\/localhost:\d+\/auth\/cli\?\S+)/.exec(stderr)?.[1],
      'golive login to print the address to open',
    );

    const page = await ssoLogin('grace');
    await page.waitForURL(/\/approvals$/);
    await page.goto(address);
    await expect.poll(() => page.locator('.login').textContent()).toContain('Grace Guardian');
    await page.getByRole('button', { name: 'Give the command line a token' }).click();
    await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback/);
    const code = new URL(page.url()).searchParams.get('code');
    await expect.poll(() => page.locator('body').textContent()).toContain('you can close this tab');
    expect(await exited, stderr).toBe(0);
    expect(stderr).toMatch(/logged in to http:\/\/localhost:\d+ as grace \(Grace Guardian; roles guardian\)/);
    await page.context().close();

    const whoami = await runCli(['whoami', '--json'], { HOME: home, GOLIVE_URL: origin() });
    expect(whoami.code, whoami.stderr).toBe(0);
    expect(JSON.parse(whoami.stdout)).toMatchObject({ user: { id: 'grace', roles: ['guardian'] }, via: 'token' });
    // The code the browser carried counts once, and only with the verifier the CLI kept: redeemed, it gets nothing.
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const again = await apiAs(app())('POST', '/api/cli-logins/token', {
      code,
      verifier: 'v'.repeat(43),
      label: 'replayed',
    });
    expect(again.status).toBe(400);
    expect(again.body.error.message).toMatch(/^the login code is unknown, used, expired/);
  });
});
